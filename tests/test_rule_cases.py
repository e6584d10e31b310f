"""Every case in rules/decisions/*.test.yaml, as its own test (semgrep/cfn-guard style rule tests)."""

from __future__ import annotations

import pytest

from advisor.analysis.lint import lint
from advisor.analysis.rule_cases import LoadedCase, decision_test_files, load_cases, run_case
from advisor.inference.evaluation import Advisor
from tests.conftest import RULES

CASES = [case for path in decision_test_files(RULES) for case in load_cases(path)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.decision}:{c.case.name}" for c in CASES])
def test_rule_case(advisor: Advisor, case: LoadedCase) -> None:
    problems = run_case(advisor, case)
    assert not problems, f"{case.file.name} case {case.case.name!r}: " + "; ".join(problems)


def test_every_decision_has_cases_for_each_option_and_undecided_and_every_rule_fires(advisor: Advisor) -> None:
    """lint owns these checks; a decision with a default shows the default instead of an undecided case."""
    kinds = {"missing_tests", "untested_option", "untested_undecided", "untested_default", "untested_rule"}
    missing = [f.render() for f in lint(advisor).findings if f.kind in kinds]
    assert not missing, "\n".join(missing)
