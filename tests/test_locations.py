"""Which rule base and engine run is always explicit: never a rules/ folder that happens to be in the
working directory, always stated in reports and in --version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.app.cli import main
from advisor.app.exit_codes import ExitCode
from advisor.inference import backends as engines
from advisor.sources.locations import bundled_rules_dir, resolve_rules

HOSTILE_RULES = Path(__file__).parent / "hostile" / "rules_valid"
SCENARIO = Path(__file__).parent / "hostile" / "scenarios" / "ok_valid.yaml"
SHIPPED_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "stream-clickstream-lake.scenario.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder outside the repository with no settings of its own."""
    monkeypatch.delenv("ADVISOR_RULES", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_rules_folder_in_the_working_directory_is_not_picked_up(elsewhere: Path) -> None:
    shutil.copytree(HOSTILE_RULES, elsewhere / "rules")  # a different, valid rule base
    location = resolve_rules(None)
    assert location.origin == "bundled"
    assert location.folder == bundled_rules_dir()
    code, out, err = _run("evaluate", str(SHIPPED_SCENARIO), "--format", "json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["rules"] == "bundled"


def test_advisor_rules_names_the_rule_base_and_reports_say_so(elsewhere: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_RULES", str(HOSTILE_RULES))
    code, out, err = _run("evaluate", str(SCENARIO), "--format", "json")
    assert code == ExitCode.OK, err
    report = json.loads(out)
    assert report["rules"] == str(HOSTILE_RULES)
    assert report["engine"] in (engines.DURABLE, engines.REFERENCE)


def test_the_rules_option_wins_over_the_environment(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_RULES", str(elsewhere / "missing"))
    location = resolve_rules(HOSTILE_RULES)
    assert (location.folder, location.origin) == (HOSTILE_RULES, "--rules")


def test_a_project_setting_is_read_from_the_nearest_pyproject(elsewhere: Path) -> None:
    shutil.copytree(HOSTILE_RULES, elsewhere / "team-rules")
    (elsewhere / "pyproject.toml").write_text('[tool.advisor]\nrules = "team-rules"\n', encoding="utf-8")
    (elsewhere / "docs" / "deep").mkdir(parents=True)
    location = resolve_rules(None)
    assert location.origin == "pyproject.toml"
    assert location.folder.resolve() == (elsewhere / "team-rules").resolve()
    code, out, err = _run("evaluate", str(SCENARIO), "--format", "markdown")
    assert code == ExitCode.OK, err
    assert "Rule base: `team-rules`" in out


def test_the_nearest_pyproject_without_a_setting_means_the_bundled_rules(elsewhere: Path) -> None:
    (elsewhere / "pyproject.toml").write_text('[tool.advisor]\nrules = "team-rules"\n', encoding="utf-8")
    inner = elsewhere / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert resolve_rules(None).origin == "pyproject.toml"
    import os

    os.chdir(inner)
    assert resolve_rules(None).origin == "bundled"


@pytest.mark.parametrize(("content", "message"), [
    ("[tool.advisor\nrules = 1\n", "not valid TOML"),
    ("[tool.advisor]\nrules = 1\n", "must be a folder path"),
    ("[tool.advisor]\nrules = \"\"\n", "empty"),
])
def test_a_bad_project_setting_is_invalid_input(elsewhere: Path, content: str, message: str) -> None:
    (elsewhere / "pyproject.toml").write_text(content, encoding="utf-8")
    code, _, err = _run("evaluate", str(SCENARIO))
    assert code == ExitCode.INVALID_INPUT
    assert err.startswith("pyproject.toml:1:1: ") and message in err, err


def test_version_states_the_rule_base_and_the_engine(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _run("--version")
    assert code == ExitCode.OK
    lines = out.splitlines()
    assert lines[0].startswith("advisor ")
    assert lines[1].startswith("rules: bundled with the package (")
    assert lines[2].split()[1] in (engines.DURABLE, engines.REFERENCE)
    monkeypatch.setenv("ADVISOR_RULES", str(HOSTILE_RULES))
    code, out, _ = _run("--version")
    assert f"rules: {HOSTILE_RULES} (from ADVISOR_RULES)" in out


def test_asking_for_durable_rules_where_it_cannot_run_is_invalid_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "durable_problem", lambda: "durable-rules is not available on this Python (x)")
    code, _, err = _run("evaluate", str(SCENARIO), "--rules", str(HOSTILE_RULES), "--engine", "durable")
    assert code == ExitCode.INVALID_INPUT
    assert "--engine:1:1: engine: durable-rules is not available" in err
    code, out, err = _run("evaluate", str(SCENARIO), "--rules", str(HOSTILE_RULES), "--format", "json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["engine"] == engines.REFERENCE  # auto falls back, and the report says so
