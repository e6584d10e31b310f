"""Compiled conditions (advisor.inference.predicates) give exactly the interpreter's answer (Test.holds over
the DNF, as condition_holds reads it), for every kind of value, on every condition of the shipped rule base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.inference.compiler import Conjunct, Literal, expand_facts, to_dnf
from advisor.inference.compiler import Test as ValueTest
from advisor.inference.evaluation import Advisor
from advisor.inference.predicates import Conditions, VariantChecks, compile_predicates, condition_holds
from advisor.models.conditions import Condition, NotOf
from advisor.sources.rulebase import RuleBase

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate

VALUES: list[Any] = [True, False, 0, 1, -1, 2, 2.5, 0.0, 1e300, -0.5, 10, 100, 1000, "a", "b", "", "1",
                     "true", [], ["a"], ["a", "b"], None, float("inf")]
values = st.sampled_from(VALUES)
NUMBERS = [v for v in VALUES if isinstance(v, int | float) and not isinstance(v, bool)]
ops = st.sampled_from(["eq", "neq", "lt", "lte", "gt", "gte", "exists"])


@st.composite
def value_tests(draw: st.DrawFn, depth: int = 0) -> ValueTest:
    if depth < 1 and draw(st.booleans()):
        return ValueTest("and", tuple(draw(st.lists(value_tests(depth + 1), min_size=1, max_size=3))))
    op = draw(ops)
    # the rule base only compares numbers with numbers (validation); the interpreter raises on anything else
    value = draw(st.sampled_from(NUMBERS) if op in ("lt", "lte", "gt", "gte") else values)
    return ValueTest(op, tuple(value) if isinstance(value, list) else value)


facts_names = st.sampled_from(["x", "y", "z::a"])
literals = st.builds(Literal, facts_names, st.one_of(st.none(), value_tests()))
dnfs = st.lists(st.lists(literals, max_size=4).map(tuple), max_size=4)
fact_sets = st.dictionaries(facts_names, values.filter(lambda v: v is not None), max_size=3)


@settings(max_examples=400, deadline=None)
@given(dnf=dnfs, facts=fact_sets)
def test_compiled_condition_agrees_with_the_interpreter(dnf: list[Conjunct], facts: dict[str, Any]) -> None:
    expected = condition_holds(dnf, facts, expanded=True)
    assert compile_predicates({"c": dnf})["c"](facts) is expected


def test_every_shipped_condition_compiles_and_agrees(rulebase: RuleBase) -> None:
    """Conditions compiled from their tree (negation pushed down) mean what their DNF means, also under `not`
    (a test on a value of another kind is false both ways: `not` is not the complement)."""
    conditions: dict[str, Condition] = {f"ask:{q.id}": q.ask_when for q in rulebase.questions.values()
                                        if q.ask_when}
    conditions |= {f"applies:{d.id}": d.applies_when for d in rulebase.decisions if d.applies_when}
    conditions |= {e.id: e.rule.when for e in rulebase.rules}
    conditions |= {f"not:{k}": NotOf.model_validate({"not": c}) for k, c in list(conditions.items())}
    dnfs = {k: to_dnf(c) for k, c in conditions.items()}
    compiled = compile_predicates(conditions)  # type: ignore[arg-type]
    samples: list[dict[str, Any]] = [{}]
    for question in rulebase.questions.values():  # each question at each of its choices / on both sides
        samples.append({question.id: "not-a-choice" if question.type != "single" else 7})  # another kind
        if question.type == "boolean":
            samples += [{question.id: True}, {question.id: False}]
        elif question.type == "single":
            samples += [{question.id: c.id} for c in question.choices]
        elif question.type == "multi":
            samples += [{question.id: [c.id]} for c in question.choices]
        else:
            samples += [{question.id: v} for v in (0, 1, 10, 1000, 10**6)]
    merged: dict[str, Any] = {}
    for sample in samples:  # and everything at once
        merged.update(sample)
    for facts in [expand_facts(s) for s in [*samples, merged]]:
        assert {k: compiled[k](facts) for k in conditions} == {
            k: condition_holds(dnf, facts, expanded=True) for k, dnf in dnfs.items()}


def test_a_condition_text_cannot_become_code() -> None:
    hostile = "x') or __import__('os').system('false') or ('"
    dnf = [(Literal(hostile, ValueTest("eq", hostile)),)]
    holds = compile_predicates({hostile: dnf})[hostile]
    assert holds({hostile: hostile}) is True
    assert holds({"x": "x"}) is False


def test_conditions_are_interpreted_first_then_compiled(rulebase: RuleBase) -> None:
    conditions = {q.id: q.ask_when for q in rulebase.questions.values() if q.ask_when}
    checks = Conditions(conditions, {k: to_dnf(c) for k, c in conditions.items()})  # type: ignore[arg-type]
    facts = expand_facts({q: True for q in rulebase.questions})
    seen = [checks.checks() for _ in range(Conditions.COMPILE_AFTER + 2)]
    first, last = seen[0], seen[-1]
    assert first is not last and seen[-2] is last  # compiled once, then kept
    assert {k: first[k](facts) for k in conditions} == {k: last[k](facts) for k in conditions}


def test_compiled_rule_alternatives_agree_with_variant_holds(advisor: Advisor) -> None:
    """The reference engine's compiled alternatives (VariantChecks) hold exactly where Variant.holds does."""
    variants = advisor.compiled.variants
    checks = VariantChecks(variants)
    interpreted = checks.checks()
    for _ in range(VariantChecks.COMPILE_AFTER):
        compiled = checks.checks()
    assert compiled is not interpreted
    for answers in generate(advisor.rulebase, 30, seed=5):
        facts = advisor.engine_facts(answers, advisor.calculate(answers)[0])
        assert [c(facts) for c in compiled] == [v.holds(facts) for v in variants]
