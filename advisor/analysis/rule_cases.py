"""Run the sibling test files (rules/decisions/<id>.test.yaml) against the rule base."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice, ScenarioRef
from advisor.models.rule_tests import RuleTestCase, RuleTestFile
from advisor.shared.diagnostics import InvalidInput
from advisor.sources.validation import validate_document
from advisor.sources.yaml_source import SourceDocument, read_yaml_file


@dataclass(frozen=True)
class LoadedCase:
    file: Path
    decision: str
    case: RuleTestCase
    index: int
    doc: SourceDocument


def decision_test_files(rules_dir: Path) -> list[Path]:
    folder = rules_dir / "decisions"
    return sorted(p for p in folder.glob("*.test.yaml")) if folder.is_dir() else []


def load_cases(path: Path) -> list[LoadedCase]:
    doc = read_yaml_file(path)
    tests = validate_document(doc, RuleTestFile)
    return [LoadedCase(path, tests.decision, case, i, doc) for i, case in enumerate(tests.cases)]


@dataclass(frozen=True)
class CaseResult:
    problems: list[str]
    """Empty when the case passes."""
    fired: frozenset[str]
    """Every rule that fired for the case's answers (lint checks each rule fires in some case)."""


def run_case(advisor: Advisor, loaded: LoadedCase) -> list[str]:
    """Problems with the case's outcome; empty when it passes."""
    return check_case(advisor, loaded).problems


def check_case(advisor: Advisor, loaded: LoadedCase) -> CaseResult:
    try:
        answers = advisor.check(loaded.case.answers)
    except InvalidInput as exc:
        return CaseResult([f"invalid answers: {d.message}" for d in exc.diagnostics], frozenset())
    advice = advisor.advise(answers, ScenarioRef(id="case", title=loaded.case.name))
    fired = frozenset(t.rule_id for t in advice.trace)
    return CaseResult(_problems(loaded, advice, fired), fired)


def _problems(loaded: LoadedCase, advice: Advice, fired: frozenset[str]) -> list[str]:
    decision = next((d for d in advice.decisions if d.id == loaded.decision), None)
    if decision is None:
        return [f"no decision '{loaded.decision}' in the rule base"]
    expect = loaded.case.expect
    # A case must be a situation a person can describe: an answer to a question that is not asked for
    # the other answers does not count (see Advisor.counted), so the case would test something else.
    ignored = [i for i in advice.ignored if i.question not in expect.ignored]
    problems: list[str] = [f"answers {i.question}, which is not asked with these answers (asked only when "
                           f"{i.asked_when}); list it under expect.ignored if that is the point" for i in ignored]
    counted = {q for q in expect.ignored if q not in {i.question for i in advice.ignored}}
    problems += [f"{q} is expected not to count, but it does" for q in sorted(counted)]
    got = decision.recommended.option if decision.recommended else None
    if expect.status and decision.status != expect.status:
        problems.append(f"status is {decision.status}, expected {expect.status} ({decision.summary})")
    if expect.recommended and got != expect.recommended:
        problems.append(f"recommended {got or 'nothing'}, expected {expect.recommended} ({decision.summary})")
    together = [o.option for o in decision.together]
    if expect.together and together != expect.together:
        problems.append(f"recommended together with {', '.join(together) or 'nothing'}, "
                        f"expected {', '.join(expect.together)}")
    excluded = {o.option for o in decision.excluded}
    fired = {t.rule_id for t in advice.trace}
    problems += [f"{o} is not excluded" for o in expect.excluded if o not in excluded]
    problems += [f"{o} is excluded" for o in expect.not_excluded if o in excluded]
    problems += [f"{r} did not fire" for r in expect.fired if r not in fired]
    problems += [f"{r} fired" for r in expect.not_fired if r in fired]
    asked = {q.id for q in decision.ask}
    for question in expect.ask_includes:
        if question not in asked:
            problems.append(f"undecided advice does not ask {question} (asks {', '.join(sorted(asked)) or 'nothing'})")
    return problems
