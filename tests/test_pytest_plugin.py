"""The pytest plugin a team uses to snapshot-test its own scenario files (driven with pytester)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

RULES = Path(__file__).parent / "fixtures" / "rules_core"
CONFIG = f"""
[pytest]
advisor_scenarios = scenarios/*.scenario.yaml
advisor_rules = {RULES}
testpaths = scenarios
asyncio_default_fixture_loop_scope = function
"""


def _setup(pytester: pytest.Pytester, size_kb: int = 5000) -> None:
    pytester.makefile(".ini", pytest=CONFIG)
    scenarios = pytester.path / "scenarios"
    scenarios.mkdir(exist_ok=True)
    (scenarios / "big.scenario.yaml").write_text(f"title: Big\nanswers:\n  size_kb: {size_kb}\n", encoding="utf-8")


def test_snapshot_update_records_then_a_rule_change_fails(pytester: pytest.Pytester) -> None:
    _setup(pytester)
    first = pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    first.assert_outcomes(passed=1)
    recorded = list((pytester.path / "scenarios" / "__snapshots__").rglob("*.json"))
    assert len(recorded) == 1 and '"option": "msk"' in recorded[0].read_text(encoding="utf-8")

    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:textual-snapshot").assert_outcomes(passed=1)

    _setup(pytester, size_kb=10)  # the workload changed, so the advice does
    changed = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:textual-snapshot", "--snapshot-no-colors")
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(["*advice changed:*", '*- *"value": 5000,*', '*+ *"value": 10,*'])


def test_an_invalid_scenario_fails_with_its_location(pytester: pytest.Pytester) -> None:
    pytester.makefile(".ini", pytest=CONFIG)
    scenarios = pytester.mkdir("scenarios")
    (scenarios / "bad.scenario.yaml").write_text("title: Bad\nanswers:\n  size_kb: huge\n", encoding="utf-8")
    result = pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*bad.scenario.yaml:3:12: invalid_answer*"])


def test_the_plugin_stays_off_without_configuration(pytester: pytest.Pytester) -> None:
    pytester.makefile(".ini", pytest="[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    scenarios = pytester.mkdir("scenarios")
    (scenarios / "big.scenario.yaml").write_text("title: Big\nanswers: {}\n", encoding="utf-8")
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_scenario_broken_later_keeps_its_pinned_advice_under_snapshot_update(pytester: pytest.Pytester) -> None:
    _setup(pytester)
    pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider", "-p", "no:textual-snapshot").assert_outcomes(
        passed=1)
    pinned = list((pytester.path / "scenarios" / "__snapshots__").rglob("*.json"))
    assert len(pinned) == 1
    saved = pinned[0].read_text(encoding="utf-8")
    # a typo in the scenario: the test fails with its location...
    (pytester.path / "scenarios" / "big.scenario.yaml").write_text("title: Big\nanswers:\n  size_kb: huge\n",
                                                                   encoding="utf-8")
    result = pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*big.scenario.yaml:3:12: invalid_answer*"])
    # ...said once, not twice through "During handling of the above exception"
    assert "During handling" not in result.stdout.str()
    # ...and the pinned advice is still there (before: deleted as an unused snapshot)
    assert pinned[0].read_text(encoding="utf-8") == saved
    result.stdout.no_fnmatch_line("*Deleted*")


def test_a_broken_rule_base_keeps_every_pinned_advice_under_snapshot_update(pytester: pytest.Pytester) -> None:
    _setup(pytester)
    pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider", "-p", "no:textual-snapshot").assert_outcomes(
        passed=1)
    pinned = list((pytester.path / "scenarios" / "__snapshots__").rglob("*.json"))
    (pytester.path / "pytest.ini").write_text(CONFIG.replace(str(RULES), str(pytester.path / "missing")),
                                              encoding="utf-8")
    result = pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*advisor: the rule base is invalid:*", "*missing:1:1: rules_folder:*"])
    assert "During handling" not in result.stdout.str()
    assert [p.exists() for p in pinned] == [True]
