"""The advice for every shipped scenario, pinned so that any rule change shows up as a diff a person reads.

Every scenario: a compact digest (tests/advice_digest.py, computed from the Advice's plain data) per decision
in play: outcome, strength, the verdicts behind the winner, alternatives in order, exclusions with their
rules, fired rules; plus ignored answers, warnings and the decisions not in play.

Full JSON and Markdown (with what-if, as `evaluate --format markdown` writes it) for four scenarios chosen
to exercise every renderer feature the shipped scenarios reach, at the smallest size:
- migrate-mysql-to-rds: recommendations with alternatives and exclusions (with why-not), calculated facts
  with their formulas and inputs;
- flow-undecided-early-design: a default with its stated assumption, an undecided decision with the
  questions to ask, answers given as 'unknown';
- compute-undecided-new-platform: a scenario with no recommendation at all, only questions;
- flow-glue-failure-alert: the plain case, one decision recommended by its rules.
Scenarios with current choices (review-*) are reviewed as `advisor evaluate` does, and their digest adds
the review: each choice's risk, the rules behind it, the change that would make it right, and the plan
(tests/test_review.py pins the review's Markdown, Mermaid and HTML).
No shipped scenario has conflicts, ties, warnings or ignored answers; test_render and test_hidden_answers
cover those renderings.

Update with `pytest tests/test_advice_snapshots.py --snapshot-update` only after reading the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from advisor.analysis.review import review_advice
from advisor.analysis.whatif import explain
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice
from advisor.render.json_format import render_json
from advisor.render.markdown import render_markdown
from advisor.sources.answers import load_scenario
from advisor.sources.discovery import find_scenarios
from tests.advice_digest import advice_digest
from tests.conftest import SCENARIOS

SCENARIO_FILES, _ = find_scenarios([str(SCENARIOS)])
FULL_SNAPSHOTS = ["migrate-mysql-to-rds", "flow-undecided-early-design", "compute-undecided-new-platform",
                  "flow-glue-failure-alert"]
FULL_JSON_SNAPSHOTS = ["migrate-mysql-to-rds", "flow-undecided-early-design"]
"""JSON is pinned in full for two scenarios (a decided one and an undecided one): every field of the Advice appears
in them, and the compact digest of every scenario shows what a rule change does to its advice."""
# Bytes under every tests/**/__snapshots__/: snapshots stay small enough to read. Raised from 1,000,000 for
# issue 11: each new decision adds a line to every digest and an entry to the full JSON snapshots, and each
# of its options needs a scenario (about 4.5 kB per decision in all).
SNAPSHOT_BUDGET = 1_250_000


class JSONText(SingleFileSnapshotExtension):
    _file_extension = "json"
    _write_mode = WriteMode.TEXT


class MarkdownText(SingleFileSnapshotExtension):
    _file_extension = "md"
    _write_mode = WriteMode.TEXT


class DigestText(SingleFileSnapshotExtension):
    _file_extension = "txt"
    _write_mode = WriteMode.TEXT


def _advice(advisor: Advisor, path: Path) -> Advice:
    """The advice with the rule-base digest masked: any rule edit changes it, and the snapshot should show
    what changed in the advice, not that something did. The engine's name is masked too: both engines give
    the same advice (test_determinism and test_properties compare them), and Python 3.13+ has only one."""
    loaded = load_scenario(advisor.rulebase, path)
    advice = review_advice(advisor, advisor.evaluate(loaded), loaded.current)  # as `advisor evaluate` does
    return advice.model_copy(update={"ruleset": "<rules digest>", "engine": "<engine>"})


def _name(path: Path) -> str:
    return path.name.removesuffix(".yaml").removesuffix(".scenario")


FULL_FILES = [p for p in SCENARIO_FILES if _name(p) in FULL_SNAPSHOTS]
FULL_JSON_FILES = [p for p in FULL_FILES if _name(p) in FULL_JSON_SNAPSHOTS]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[_name(p) for p in SCENARIO_FILES])
def test_scenario_advice_digest(advisor: Advisor, path: Path, snapshot: SnapshotAssertion) -> None:
    assert advice_digest(_advice(advisor, path)) == snapshot(extension_class=DigestText)


@pytest.mark.parametrize("path", FULL_JSON_FILES, ids=[_name(p) for p in FULL_JSON_FILES])
def test_scenario_advice_json(advisor: Advisor, path: Path, snapshot: SnapshotAssertion) -> None:
    assert render_json(_advice(advisor, path)) == snapshot(extension_class=JSONText)


@pytest.mark.parametrize("path", FULL_FILES, ids=[_name(p) for p in FULL_FILES])
def test_scenario_advice_markdown(advisor: Advisor, path: Path, snapshot: SnapshotAssertion) -> None:
    advice = explain(advisor, _advice(advisor, path))  # the report `evaluate --format markdown` writes
    assert render_markdown(advice) == snapshot(extension_class=MarkdownText)


def test_the_full_snapshots_name_shipped_scenarios() -> None:
    assert sorted(_name(p) for p in FULL_FILES) == sorted(FULL_SNAPSHOTS)
    assert sorted(_name(p) for p in FULL_JSON_FILES) == sorted(FULL_JSON_SNAPSHOTS)


def test_all_snapshots_together_stay_under_budget() -> None:
    tests = Path(__file__).parent
    sizes = {p: p.stat().st_size for folder in tests.rglob("__snapshots__") for p in folder.rglob("*") if p.is_file()}
    total = sum(sizes.values())
    biggest = sorted(sizes, key=sizes.__getitem__, reverse=True)[:5]
    assert total < SNAPSHOT_BUDGET, f"snapshots take {total} bytes; biggest: " + ", ".join(
        f"{p.relative_to(tests)} ({sizes[p]})" for p in biggest)


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
