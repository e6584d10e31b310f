"""Generated conditions (advisor.inference.predicates) give exactly the interpreter's answer (Test.holds over
the DNF, as condition_holds reads it), for every kind of value, on every condition of the shipped rule base; the
generated text holds no rule data; and a broken operator in the generator is caught by these checks."""

from __future__ import annotations

import io
import math
import re
import sys
import tokenize
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.inference import predicates
from advisor.inference.compiler import Conjunct, Literal, base_fact, element_fact, expand_facts, to_dnf
from advisor.inference.compiler import Test as ValueTest
from advisor.inference.evaluation import Advisor
from advisor.inference.predicates import (
    Conditions,
    VariantChecks,
    compile_predicates,
    compile_selectors,
    condition_holds,
    predicate_source,
    selector_source,
)
from advisor.models.conditions import AllOf, AnyOf, Condition, FactTest, NotOf
from advisor.sources.rulebase import RuleBase

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate

TRICKY: list[Any] = [True, False, 0, 1, -1, 0.0, -0.0, 1.0, 0.5, math.nan, math.inf, -math.inf, 2**63, 10**400,
                     "", "1", "true", "True", "0", [], ["a"], None]
"""Values of every kind a fact can hold, and the ones that tell kinds apart (a bool is not a number, text only
equals text, -0.0 equals 0.0, nan equals nothing)."""
VALUES: list[Any] = [True, False, 0, 1, -1, 2, 2.5, 0.0, -0.0, 1e300, -0.5, 10, 100, 1000, "a", "b", "", "1",
                     "true", [], ["a"], ["a", "b"], None, float("inf"), math.nan]
values = st.sampled_from(VALUES)
NUMBERS = [v for v in VALUES if isinstance(v, int | float) and not isinstance(v, bool)]
ops = st.sampled_from(["eq", "neq", "lt", "lte", "gt", "gte", "exists"])


@st.composite
def value_tests(draw: st.DrawFn, depth: int = 0) -> ValueTest:
    if depth < 1 and draw(st.booleans()):
        return ValueTest("and", tuple(draw(st.lists(value_tests(depth + 1), min_size=0, max_size=3))))
    op = draw(ops)
    # the rule base only compares numbers with numbers (validation); the interpreter raises on anything else
    value = draw(st.sampled_from(NUMBERS) if op in ("lt", "lte", "gt", "gte") else values)
    return ValueTest(op, tuple(value) if isinstance(value, list) else value)


facts_names = st.sampled_from(["x", "y", "z::a", "z::b"])
literals = st.builds(Literal, facts_names, st.one_of(st.none(), value_tests()))
dnfs = st.lists(st.lists(literals, max_size=4).map(tuple), max_size=4)
fact_sets = st.dictionaries(facts_names, values, max_size=4)


@settings(max_examples=500, deadline=None)
@given(dnf=dnfs, facts=fact_sets)
def test_a_generated_condition_agrees_with_the_interpreter(dnf: list[Conjunct], facts: dict[str, Any]) -> None:
    expected = condition_holds(dnf, facts, expanded=True)
    assert compile_predicates({"c": dnf})["c"](facts) is expected
    holding, failing = compile_selectors(["always", "c"], {"c": dnf})
    assert holding(facts) == (["always", "c"] if expected else ["always"])
    assert failing(facts) == ([] if expected else ["c"])


# ---- every shipped condition -------------------------------------------------------------------------------

def _shipped_conditions(rulebase: RuleBase) -> dict[str, Condition]:
    """ask_when, applicability and every rule's condition, each also under `not`."""
    conditions: dict[str, Condition] = {f"ask:{q.id}": q.ask_when for q in rulebase.questions.values()
                                        if q.ask_when}
    conditions |= {f"applies:{d.id}": d.applies_when for d in rulebase.decisions if d.applies_when}
    conditions |= {e.id: e.rule.when for e in rulebase.rules}
    conditions |= {f"not:{k}": NotOf.model_validate({"not": c}) for k, c in list(conditions.items())}
    return conditions


def _candidates(conditions: dict[str, Condition]) -> dict[str, list[Any]]:
    """Per fact the shipped conditions read: the values they compare it with, numbers on both sides of each
    threshold, the choices of a multi-choice answer as lists, and values of every other kind."""
    out: dict[str, list[Any]] = {}
    for condition in conditions.values():
        for conj in to_dnf(condition):
            for lit in conj:
                fact = base_fact(lit.fact)
                seen = out.setdefault(fact, [])
                if lit.fact != fact:  # a picked choice: the answer is a list
                    seen += [[lit.fact[len(fact) + 2:]], [lit.fact[len(fact) + 2:], "other"]]
                tests = [] if lit.test is None else (lit.test.value if lit.test.op == "and" else (lit.test,))
                for test in tests:
                    value = test.value
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        seen += [value, value - 1, value + 1, value + 0.5, float(value), -value, True]
                    elif value is not None:
                        seen.append(value)
    return {fact: [v for i, v in enumerate(seen) if not any(v is w for w in seen[:i])]
            for fact, seen in out.items()}


@pytest.fixture(scope="module")
def shipped(rulebase: RuleBase) -> tuple[dict[str, Condition], dict[str, list[Conjunct]], dict[str, list[Any]]]:
    conditions = _shipped_conditions(rulebase)
    return conditions, {k: to_dnf(c) for k, c in conditions.items()}, _candidates(conditions)


@pytest.fixture(scope="module")
def generated(shipped: Any) -> tuple[dict[str, predicates.Predicate], predicates.Selector, predicates.Selector]:
    conditions = shipped[0]
    holding, failing = compile_selectors(["unconditional", *conditions], conditions)  # type: ignore[arg-type]
    return compile_predicates(conditions), holding, failing  # type: ignore[arg-type]


def _hand_made(rulebase: RuleBase, candidates: dict[str, list[Any]]) -> list[tuple[str | None, dict[str, Any]]]:
    """(the one fact known, or None, facts): nothing known; each fact alone at each of its candidate values and
    at each tricky value; each question at each of its choices; and everything at once."""
    samples: list[tuple[str | None, dict[str, Any]]] = [(None, {})]
    for fact, seen in candidates.items():
        samples += [(fact, {fact: v}) for v in [*seen, *TRICKY]]
    for question in rulebase.questions.values():
        if question.type == "single":
            samples += [(question.id, {question.id: c.id}) for c in question.choices]
        elif question.type == "multi":
            samples += [(question.id, {question.id: [c.id]}) for c in question.choices]
    merged: dict[str, Any] = {}
    for _, sample in samples:
        merged.update(sample)
    return [*samples, (None, merged)]


def _disagreements(checks: dict[str, predicates.Predicate], dnfs: dict[str, list[Conjunct]],
                   samples: list[tuple[str | None, dict[str, Any]]], first: bool = False) -> list[tuple[str, Any]]:
    """The conditions whose generated function and interpreted DNF disagree, with the facts. A sample with one
    fact known is checked only on the conditions that read it (the others answer as with nothing known)."""
    readers: dict[str, list[str]] = {}
    for key, dnf in dnfs.items():
        for fact in {base_fact(lit.fact) for conj in dnf for lit in conj}:
            readers.setdefault(fact, []).append(key)
    out = []
    for fact, sample in samples:
        facts = expand_facts(sample)
        for key in dnfs if fact is None else readers.get(fact, []):
            if checks[key](facts) is not condition_holds(dnfs[key], facts, expanded=True):
                out.append((key, sample))
                if first:
                    return out
    return out


def test_every_shipped_condition_agrees_on_hand_made_values(rulebase: RuleBase, shipped: Any, generated: Any) -> None:
    """Conditions generated from their tree (negation pushed down) mean what their DNF means, also under `not`
    (a test on a value of another kind is false both ways: `not` is not the complement)."""
    conditions, dnfs, candidates = shipped
    checks, holding, failing = generated
    samples = _hand_made(rulebase, candidates)
    assert _disagreements(checks, dnfs, samples) == []
    for _, sample in samples[::50]:
        facts = expand_facts(sample)
        holds = {k: condition_holds(dnf, facts, expanded=True) for k, dnf in dnfs.items()}
        assert holding(facts) == ["unconditional", *[k for k in conditions if holds[k]]]
        assert failing(facts) == [k for k in conditions if not holds[k]]


@st.composite
def shipped_facts(draw: st.DrawFn, candidates: dict[str, list[Any]]) -> dict[str, Any]:
    facts = sorted(candidates)
    chosen = draw(st.lists(st.sampled_from(facts), unique=True, max_size=len(facts)))
    return {fact: draw(st.sampled_from([*candidates[fact], *TRICKY])) for fact in chosen}


def test_every_shipped_condition_agrees_on_random_facts(shipped: Any, generated: Any) -> None:
    """Property test: random facts (each read fact absent, at a value a condition compares it with, near a
    threshold, or of another kind) give every generated condition and both selectors the interpreter's answer."""
    conditions, dnfs, candidates = shipped
    checks, holding, failing = generated

    @settings(max_examples=150, deadline=None)
    @given(sample=shipped_facts(candidates))
    def agree(sample: dict[str, Any]) -> None:
        facts = expand_facts(sample)
        holds = {k: condition_holds(dnf, facts, expanded=True) for k, dnf in dnfs.items()}
        assert {k: checks[k](facts) for k in conditions} == holds
        assert failing(facts) == [k for k in conditions if not holds[k]]
        assert holding(facts) == ["unconditional", *[k for k in conditions if holds[k]]]

    agree()


def _replace(old: str, new: str) -> Callable[[str], str]:
    return lambda part: part.replace(old, new)


MUTATIONS: dict[str, Callable[[str], str]] = {
    "lt written as lte": _replace(" < ", " <= "),
    "lte written as lt": _replace(" <= ", " < "),
    "gt written as gte": _replace(" > ", " >= "),
    "gte written as gt": _replace(" >= ", " > "),
    "eq written as neq": _replace(" == ", " != "),
    "neq written as eq": _replace(" != ", " == "),
    "a bool taken for a number": _replace("type({v}) is not bool", "True"),
    "any value taken for text": _replace("type({v}) is str", "True"),
    "true taken for false": _replace("{v} is False", "{v} is True"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_broken_generator_is_caught(mutation: str, monkeypatch: pytest.MonkeyPatch, rulebase: RuleBase,
                                      shipped: Any) -> None:
    """The checks above have teeth: with one operator or kind check of the generator broken on purpose, some
    shipped condition disagrees with the interpreter on the hand-made values."""
    conditions, dnfs, candidates = shipped
    unbroken = predicates._value_parts

    def broken(w: Any, test: ValueTest) -> tuple[list[str], bool]:
        parts, fails_on_none = unbroken(w, test)
        return [MUTATIONS[mutation](p) for p in parts], fails_on_none

    monkeypatch.setattr(predicates, "_value_parts", broken)
    checks = compile_predicates(conditions)  # type: ignore[arg-type]
    assert _disagreements(checks, dnfs, _hand_made(rulebase, candidates), first=True)


# ---- what the generated text may hold ----------------------------------------------------------------------

OUR_NAMES = re.compile(r"(def|return|and|or|not|in|is|if|True|False|f|get|K|v|M|NUMBER|type|isinstance|str|bool|"
                       r"out|add|keys|isdisjoint|append|holding|failing|_p\d+|[FCTSPR]\d+)")
HOSTILE = ["x') or __import__('os').system('false') or ('", 'a"\nb', "line\nbreak\\", "{v}", "f", "get", "K", "M",
           "v", "F0", "C1", "__builtins__", "__import__('os')", "1 or True", "", " ", "'''", '"""', "\x00"]


def _tokens_are_ours(text: str) -> None:
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        assert token.type not in (tokenize.STRING, tokenize.NUMBER), token
        if token.type == tokenize.NAME:
            assert OUR_NAMES.fullmatch(token.string), token.string


def test_generated_text_holds_only_our_names_and_operators(shipped: Any) -> None:
    conditions = shipped[0]
    _tokens_are_ours(predicate_source(conditions)[0].text)  # type: ignore[arg-type]
    _tokens_are_ours(selector_source(["unconditional", *conditions], conditions).text)  # type: ignore[arg-type]


def test_facts_and_values_shaped_like_code_stay_data() -> None:
    """Fact names, compared values and condition names like code, quotes, newlines or the generator's own names
    enter the generated functions only as constants."""
    dnfs: dict[str, list[Conjunct]] = {}
    for i, name in enumerate(HOSTILE):
        dnfs[name] = [(Literal(name, ValueTest("eq", name)),), (Literal(element_fact(name, name), ValueTest("exists")),
                                                                 Literal(f"{name}{i}", None))]
    dnfs["numbers"] = [(Literal("F0", ValueTest("lt", 5)), Literal("C1", ValueTest("eq", True)))]
    source, _ = predicate_source(dnfs)  # type: ignore[arg-type]
    _tokens_are_ours(source.text)
    _tokens_are_ours(selector_source(list(dnfs), dnfs).text)  # type: ignore[arg-type]
    checks = compile_predicates(dnfs)  # type: ignore[arg-type]
    holding, failing = compile_selectors(list(dnfs), dnfs)  # type: ignore[arg-type]
    samples: list[dict[str, Any]] = [{}, {"x": "x"}, {"F0": 4, "C1": True}, {"F0": 5, "C1": True}, {"F0": "F0"}]
    samples += [{name: name} for name in HOSTILE] + [{name: [name]} for name in HOSTILE]
    samples += [{name: name, f"{name}{i}": 1} for i, name in enumerate(HOSTILE)]
    for facts in [expand_facts(s) for s in samples]:
        expected = {k: condition_holds(dnf, facts, expanded=True) for k, dnf in dnfs.items()}
        assert {k: checks[k](facts) for k in dnfs} == expected
        assert holding(facts) == [k for k in dnfs if expected[k]]
        assert failing(facts) == [k for k in dnfs if not expected[k]]
    assert checks[HOSTILE[0]]({HOSTILE[0]: HOSTILE[0]}) is True


def test_a_condition_nested_past_the_parser_is_interpreted() -> None:
    """Python's parser stops at 200 nested parentheses: a condition nested deeper is interpreted instead."""
    tree: Condition = FactTest(fact="x", equals=1)
    for _ in range(150):
        tree = AllOf(all=[AnyOf(any=[tree, FactTest(fact="y", known=True)]), FactTest(fact="z", gt=2)])
    dnf = [(Literal("x", ValueTest("eq", 1)), Literal("z", ValueTest("gt", 2)))]
    checks = compile_predicates({"deep": tree, "flat": dnf})
    holding, failing = compile_selectors(["deep", "flat"], {"deep": tree, "flat": dnf})
    for facts in [{}, {"x": 1, "z": 3}, {"y": True, "z": 3}, {"x": 1, "z": 2}, {"y": 1}]:
        expected = [condition_holds(tree, facts, expanded=True), condition_holds(dnf, facts, expanded=True)]
        assert [checks["deep"](facts), checks["flat"](facts)] == expected
        assert holding(facts) == [k for k, holds in zip(["deep", "flat"], expected, strict=True) if holds]
        assert failing(facts) == [k for k, holds in zip(["deep", "flat"], expected, strict=True) if not holds]


# ---- when conditions are generated -------------------------------------------------------------------------

def test_conditions_are_interpreted_first_then_generated(rulebase: RuleBase) -> None:
    conditions = {q.id: q.ask_when for q in rulebase.questions.values() if q.ask_when}
    checks = Conditions(conditions, {k: to_dnf(c) for k, c in conditions.items()},  # type: ignore[arg-type]
                        order=["first", *conditions])
    facts = expand_facts({q: True for q in rulebase.questions})
    seen = [checks.checks() for _ in range(Conditions.COMPILE_AFTER + 2)]
    first, last = seen[0], seen[-1]
    assert first is not last and seen[-2] is last  # compiled once, then kept
    assert {k: first[k](facts) for k in conditions} == {k: last[k](facts) for k in conditions}
    selected = [(checks.holding(), checks.failing()) for _ in range(Conditions.COMPILE_AFTER + 2)]
    assert selected[0] != selected[-1] and selected[-2] == selected[-1]
    for holding, failing in (selected[0], selected[-1]):
        assert holding(facts) == ["first", *[k for k in conditions if last[k](facts)]]
        assert failing(facts) == [k for k in conditions if not last[k](facts)]


def test_generated_rule_alternatives_agree_with_variant_holds(advisor: Advisor) -> None:
    """The reference engine's generated alternatives (VariantChecks) hold exactly where Variant.holds does."""
    variants = advisor.compiled.variants
    checks = VariantChecks(variants)
    interpreted = checks.checks()
    for _ in range(VariantChecks.COMPILE_AFTER):
        compiled = checks.checks()
    assert compiled is not interpreted
    for answers in generate(advisor.rulebase, 30, seed=5):
        facts = advisor.engine_facts(answers, advisor.calculate(answers)[0])
        assert [c(facts) for c in compiled] == [v.holds(facts) for v in variants]
