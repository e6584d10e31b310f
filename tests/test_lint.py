"""`advisor lint` finding kinds, each shown on a small broken copy of the fixture rule base.

Other tests assert on lint()'s findings rather than repeating its checks (see test_citations, test_rule_cases).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.analysis.lint import lint
from advisor.inference.evaluation import Advisor
from advisor.shared.diagnostics import Diagnostic

FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules_core"

# Cases for the fixture's wf decision that make every one of its rules fire.
WF_CASES = """\
decision: wf
cases:
  - name: a ten-minute workflow needs Standard
    answers: {topics: [wf], duration_s: 600}
    expect: {recommended: standard, excluded: [express], fired: [WFT-001, WFT-003]}
  - name: a one-minute workflow can be Express
    answers: {topics: [wf], duration_s: 60}
    expect: {recommended: express, fired: [WFT-002]}
  - name: an unknown duration stays undecided
    answers: {topics: [wf]}
    expect: {status: undecided, ask_includes: [duration_s]}
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(FIXTURE_RULES, root)
    (root / "decisions" / "wf.test.yaml").write_text(WF_CASES, encoding="utf-8")
    return root


def _findings(root: Path, kind: str) -> list[Diagnostic]:
    advisor = Advisor.from_folder(root, "reference")
    try:
        return [f for f in lint(advisor).findings if f.kind == kind]
    finally:
        advisor.close()


def _at(finding: Diagnostic) -> str:
    return f"{Path(finding.path).name}:{finding.line}:{finding.column}"


def test_every_rule_of_a_tested_decision_fires_in_some_case(rules: Path) -> None:
    untested = _findings(rules, "untested_rule")
    assert not [f for f in untested if "WFT-" in f.message]


def test_a_rule_that_fires_in_no_case_is_located_at_its_id(rules: Path) -> None:
    cases = WF_CASES.replace("  - name: a one-minute workflow can be Express\n"
                             "    answers: {topics: [wf], duration_s: 60}\n"
                             "    expect: {recommended: express, fired: [WFT-002]}\n", "")
    (rules / "decisions" / "wf.test.yaml").write_text(cases, encoding="utf-8")
    untested = {_at(f): f.message for f in _findings(rules, "untested_rule") if "WFT-" in f.message}
    assert untested == {"wf.yaml:21:9": "WFT-002 fires in no rule test case (rules/decisions/*.test.yaml)"}


def test_derivation_rules_must_fire_in_some_case_too(rules: Path) -> None:
    untested = {f.message.split()[0]: _at(f) for f in _findings(rules, "untested_rule")}
    assert untested["CORE-001"] == "core.yaml:2:9"  # the fixture has no stream cases, so nothing derives


def test_a_rule_may_not_take_a_retired_id(rules: Path) -> None:
    (rules / "retired.yaml").write_text(
        "retired:\n  - {id: WFT-001, reason: Replaced by a rule on the execution count.}\n", encoding="utf-8")
    found = _findings(rules, "retired_rule_id")
    assert [(_at(f), f.message.split()[0]) for f in found] == [("wf.yaml:13:9", "WFT-001")]


def test_a_malformed_or_repeated_retired_id_is_a_finding(rules: Path) -> None:
    retired = rules / "retired.yaml"
    retired.write_text("retired:\n  - {id: OLD-001, reason: Folded into OLD-002 long ago.}\n"
                       "  - {id: wft-9, reason: A typo nobody can cite.}\n", encoding="utf-8")
    advisor = Advisor.from_folder(rules, "reference")
    try:
        findings = [f for f in lint(advisor).findings if Path(f.path).name == "retired.yaml"]
    finally:
        advisor.close()
    assert [(f.line, "wft-9" in f.message) for f in findings] == [(3, True)]

    retired.write_text("retired:\n  - {id: OLD-001, reason: Folded into OLD-002 long ago.}\n"
                       "  - {id: OLD-001, reason: Folded into OLD-002 long ago.}\n", encoding="utf-8")
    assert [_at(f) for f in _findings(rules, "duplicate_retired")] == ["retired.yaml:3:10"]


def test_the_shipped_rules_lint_clean_without_the_notes(advisor: Advisor) -> None:
    report = lint(advisor)
    assert not report.findings, "\n".join(f.render() for f in report.findings)


def test_a_decision_without_a_pipeline_stage_is_a_finding(rules: Path) -> None:
    # the fixture's decisions name no stage: the architecture picture would put them under 'Other'
    found = {_at(f): f.message for f in _findings(rules, "missing_stage")}
    assert sorted(found) == ["stream.yaml:4:7", "wf.yaml:4:7"]
    assert "stage: one of sources, ingestion, storage" in found["wf.yaml:4:7"]
    wf = rules / "decisions" / "wf.yaml"
    wf.write_text(wf.read_text(encoding="utf-8").replace("area: core\n", "area: core\nstage: orchestration\n"),
                  encoding="utf-8")
    assert [_at(f) for f in _findings(rules, "missing_stage")] == ["stream.yaml:4:7"]
