"""The advice for every shipped scenario, pinned as JSON and Markdown: any rule change shows up as a diff.

Update with `pytest tests/test_advice_snapshots.py --snapshot-update` only after reading the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from advisor.analysis.whatif import explain
from advisor.inference.evaluation import Advisor
from advisor.render.json_format import render_json
from advisor.render.markdown import render_markdown
from advisor.sources.answers import load_scenario
from advisor.sources.discovery import find_scenarios
from tests.conftest import SCENARIOS

SCENARIO_FILES, _ = find_scenarios([str(SCENARIOS)])


class JSONText(SingleFileSnapshotExtension):
    _file_extension = "json"
    _write_mode = WriteMode.TEXT


class MarkdownText(SingleFileSnapshotExtension):
    _file_extension = "md"
    _write_mode = WriteMode.TEXT


def _advice(advisor: Advisor, path: Path):  # type: ignore[no-untyped-def]
    """The advice with the rule-base digest masked: any rule edit changes it, and the snapshot should show
    what changed in the advice, not that something did. The engine's name is masked too: both engines give
    the same advice (test_determinism and test_properties compare them), and Python 3.13+ has only one."""
    advice = advisor.evaluate(load_scenario(advisor.rulebase, path))
    return advice.model_copy(update={"ruleset": "<rules digest>", "engine": "<engine>"})


def _name(path: Path) -> str:
    return path.name.removesuffix(".yaml").removesuffix(".scenario")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[_name(p) for p in SCENARIO_FILES])
def test_scenario_advice_json(advisor: Advisor, path: Path, snapshot: SnapshotAssertion) -> None:
    advice = _advice(advisor, path)
    assert render_json(advice) == snapshot(extension_class=JSONText)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[_name(p) for p in SCENARIO_FILES])
def test_scenario_advice_markdown(advisor: Advisor, path: Path, snapshot: SnapshotAssertion) -> None:
    advice = explain(advisor, _advice(advisor, path))  # the report `evaluate --format markdown` writes
    assert render_markdown(advice) == snapshot(extension_class=MarkdownText)


def test_every_scenario_loads(advisor: Advisor) -> None:
    assert len(SCENARIO_FILES) >= 12
    for path in SCENARIO_FILES:
        load_scenario(advisor.rulebase, path)


def test_scenarios_make_every_option_win_and_leave_something_undecided(advisor: Advisor) -> None:
    winners: dict[str, set[str]] = {d.id: set() for d in advisor.rulebase.decisions}
    undecided: set[str] = set()
    for path in SCENARIO_FILES:
        for d in advisor.evaluate(load_scenario(advisor.rulebase, path)).decisions:
            if d.recommended:
                winners[d.id].add(d.recommended.option)
            elif d.status == "undecided":
                undecided.add(d.id)
    never = [f"{d.id}:{o.id}" for d in advisor.rulebase.decisions for o in d.options if o.id not in winners[d.id]]
    assert not never, "options no scenario recommends: " + ", ".join(never)
    assert undecided, "no scenario leaves any decision undecided"
