"""Every case in rules/decisions/*.test.yaml, as its own test (semgrep/cfn-guard style rule tests)."""

from __future__ import annotations

import pytest

from advisor.analysis.rule_cases import LoadedCase, decision_test_files, load_cases, run_case
from advisor.inference.evaluation import Advisor
from tests.conftest import RULES

CASES = [case for path in decision_test_files(RULES) for case in load_cases(path)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.decision}:{c.case.name}" for c in CASES])
def test_rule_case(advisor: Advisor, case: LoadedCase) -> None:
    problems = run_case(advisor, case)
    assert not problems, f"{case.file.name} case {case.case.name!r}: " + "; ".join(problems)


def test_every_decision_has_cases_for_each_option_and_undecided(advisor: Advisor) -> None:
    by_decision: dict[str, list[LoadedCase]] = {}
    for case in CASES:
        by_decision.setdefault(case.decision, []).append(case)
    missing = []
    for decision in advisor.rulebase.decisions:
        cases = by_decision.get(decision.id, [])
        expected = {c.case.expect.recommended for c in cases}
        missing += [f"{decision.id}: {o.id}" for o in decision.options if o.id not in expected]
        # A decision with a default is never left open by missing answers; its "undecided case" is the default.
        if decision.fallback.option is None and not any(c.case.expect.status == "undecided" for c in cases):
            missing.append(f"{decision.id}: undecided")
    assert not missing, "decisions without a case per option and an undecided case: " + ", ".join(missing)
