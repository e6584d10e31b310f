"""Compile validated rules into engine-neutral variants plus metadata; every backend starts from these.

Each rule's condition is rewritten to disjunctive normal form. Every conjunct
becomes one variant named `<RULE-ID>#<n>`, with at most one (merged) test per
fact and a list of "unknown" tests. Negation is pushed down to the tests:
not(x > 5) is "x unknown, or x <= 5", so absence is only ever tested on
answers and calculated values, which are all known before any rule fires.
That keeps the result independent of firing order (see
durable-rules-notes.md §2.4). How a backend turns variants into its own
rules (durable-rules: advisor/inference/durable/ruleset.py) is its business.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, cast

from mypy_extensions import mypyc_attr

from advisor.inference.numbers import shared_number
from advisor.models.conditions import AllOf, Condition, FactTest, NotOf
from advisor.sources.rulebase import RuleBase

MAX_VARIANTS_PER_RULE = 64
"""Alternatives one rule's condition may expand to: past this, split the rule (it keeps inference fast)."""


_COMPARE = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


@mypyc_attr(serializable=True)
class _Pickled:
    """Pickling (the compiled rule base cache) of the frozen dataclasses below, the same whether this module runs
    as Python or compiled with mypyc (hatch_build.py): their state is their fields, set back the way a frozen
    dataclass's __init__ sets them. A compiled class pickles only when marked serializable, and has no __dict__."""

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(cast(Any, self))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Test(_Pickled):
    """A primitive test on a known fact value."""

    op: str  # eq neq lt lte gt gte and exists
    value: Any = None

    def holds(self, actual: Any) -> bool:
        op, value = self.op, self.value
        if op == "exists":
            return True
        if op == "and":
            return all(t.holds(actual) for t in value)
        if isinstance(actual, list):
            return False
        if op in ("eq", "neq"):
            same = _same_kind(actual, value) and actual == value
            return same if op == "eq" else _same_kind(actual, value) and actual != value
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        return _COMPARE[op](actual, value)



def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, int | float) or isinstance(b, int | float):
        return isinstance(a, int | float) and isinstance(b, int | float)
    return type(a) is type(b)



@dataclass(frozen=True)
class Literal(_Pickled):
    fact: str
    test: Test | None  # None: the fact is absent (unknown)


Conjunct = tuple[Literal, ...]


Choices = Mapping[str, Sequence[str]]
"""Single-choice question id -> its choice ids (lets `in` compile to one pattern)."""

ELEMENT = "::"


def element_fact(fact: str, choice: str) -> str:
    """The fact asserted for each choice picked in a multi-choice answer (durable-rules cannot index
    lists; one fact per choice suits every engine)."""
    return f"{fact}{ELEMENT}{choice}"


def base_fact(name: str) -> str:
    return name.split(ELEMENT, 1)[0]


def expand_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Facts as the rules see them: each multi-choice answer also as one fact per picked choice."""
    out = dict(facts)
    for fact, value in facts.items():
        if isinstance(value, list):  # element_fact, inlined: this runs several times per evaluation
            prefix = f"{fact}{ELEMENT}"
            for choice in value:
                out[f"{prefix}{choice}"] = True
    return out


def drop_choices(facts: dict[str, Any], fact: str, choices: list[Any]) -> None:
    """Take out of facts made by expand_facts the facts per picked choice of this multi-choice answer (with the
    answer itself taken out too, what is left is expand_facts of the other facts, in the same order)."""
    prefix = f"{fact}{ELEMENT}"
    for choice in choices:
        facts.pop(f"{prefix}{choice}", None)


def _all_neq(values: Sequence[Any]) -> Test:
    tests = tuple(Test("neq", v) for v in values)
    return tests[0] if len(tests) == 1 else Test("and", tests)


def _is_in(fact: str, values: Sequence[Any], choices: Choices) -> list[Conjunct]:
    # durable-rules shares simple tests between rules but not '$or' ones, and it fails once a fact matches
    # more than 64 tests: so 'in' on a single-choice question becomes "none of the other choices",
    # and elsewhere one alternative per value.
    if fact in choices:
        others = [c for c in choices[fact] if c not in values]
        return [(Literal(fact, _all_neq(others) if others else Test("exists")),)]
    return [(Literal(fact, Test("eq", v)),) for v in values]


def _negate(test: FactTest, choices: Choices) -> list[Conjunct]:
    """not(test): the fact is unknown, or known and the opposite test holds."""
    fact, op, value = test.fact, test.operator, test.operand
    absent: list[Conjunct] = [(Literal(fact, None),)]
    if op == "known":
        return [(Literal(fact, Test("exists")),)] if value is False else absent
    if op == "contains":
        return [(Literal(element_fact(fact, value), None),)]
    if op == "contains_any":
        return [tuple(Literal(element_fact(fact, v), None) for v in value)]
    if op == "contains_all":
        return [(Literal(element_fact(fact, v), None),) for v in value]
    if op == "equals":
        return [*absent, (Literal(fact, Test("neq", value)),)]
    if op == "not_equals":
        return [*absent, (Literal(fact, Test("eq", value)),)]
    if op == "in":
        return [*absent, (Literal(fact, _all_neq(value)),)]
    if op == "not_in":
        return [*absent, *_is_in(fact, value, choices)]
    if op == "between":
        return [*absent, (Literal(fact, Test("lt", value[0])),), (Literal(fact, Test("gt", value[1])),)]
    opposite = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}[op]
    return [*absent, (Literal(fact, Test(opposite, value)),)]


def _positive(test: FactTest, choices: Choices) -> list[Conjunct]:
    fact, op, value = test.fact, test.operator, test.operand
    if op == "known":
        return [(Literal(fact, Test("exists")),)] if value else [(Literal(fact, None),)]
    if op == "contains":
        return [(Literal(element_fact(fact, value), Test("exists")),)]
    if op == "contains_any":
        return [(Literal(element_fact(fact, v), Test("exists")),) for v in value]
    if op == "contains_all":
        return [tuple(Literal(element_fact(fact, v), Test("exists")) for v in value)]
    if op == "in":
        return _is_in(fact, value, choices)
    if op == "not_in":
        return [(Literal(fact, _all_neq(value)),)]
    if op == "between":
        return [(Literal(fact, Test("and", (Test("gte", value[0]), Test("lte", value[1])))),)]
    simple = {"equals": "eq", "not_equals": "neq", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}[op]
    return [(Literal(fact, Test(simple, value)),)]


def to_dnf(condition: Condition, negated: bool = False, choices: Choices | None = None) -> list[Conjunct]:
    """The condition as alternatives (conjunctions of literals) over facts expanded by `expand_facts`."""
    choices = choices or {}
    if isinstance(condition, FactTest):
        return _negate(condition, choices) if negated else _positive(condition, choices)
    if isinstance(condition, NotOf):
        return to_dnf(condition.not_, not negated, choices)
    children = condition.all if isinstance(condition, AllOf) else condition.any  # type: ignore[union-attr]
    conjunctive = isinstance(condition, AllOf) != negated
    parts = [to_dnf(child, negated, choices) for child in children]
    if conjunctive:
        result: list[Conjunct] = []
        for combo in itertools.product(*parts):
            merged = tuple(lit for conj in combo for lit in conj)
            result.append(merged)
            if len(result) > MAX_VARIANTS_PER_RULE * 8:
                break
        return _simplify(result)
    return _simplify([conj for part in parts for conj in part])


def _simplify(conjuncts: list[Conjunct]) -> list[Conjunct]:
    out: list[Conjunct] = []
    seen: set[Conjunct] = set()
    for conj in conjuncts:
        unique = tuple(dict.fromkeys(conj))
        absent = {lit.fact for lit in unique if lit.test is None}
        present = {lit.fact for lit in unique if lit.test is not None}
        if absent & present:
            continue  # a fact cannot be both unknown and known
        if unique not in seen:
            seen.add(unique)
            out.append(unique)
    return out


@dataclass(frozen=True)
class Variant(_Pickled):
    rule: str
    index: int
    positives: tuple[tuple[str, Test], ...]
    """One entry per fact; several tests on one fact are merged with 'and'."""
    absences: tuple[str, ...]
    name: str = field(init=False, repr=False, compare=False)
    """rule#index, made once: read per firing by the engines."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.rule}#{self.index}")

    def holds(self, facts: dict[str, Any]) -> bool:
        return all(f not in facts for f in self.absences) and all(
            f in facts and t.holds(facts[f]) for f, t in self.positives)


def binding_plan(variant: Variant) -> tuple[tuple[str, bool], ...]:
    """(reported fact, whether its value is read) per fact the alternative tested, in bindings order: a
    picked choice of a multi-choice answer is reported as the whole answer, and a tested absence as None."""
    plan = [(base_fact(fact), True) for fact, _ in variant.positives]
    plan += [(base_fact(fact), ELEMENT in fact) for fact in variant.absences]
    return tuple(plan)



@mypyc_attr(serializable=True)  # kept in the compiled rule base cache (see _Pickled)
@dataclass
class CompiledRuleset:
    variants: list[Variant]
    """Every rule's alternatives, rules in file order, each rule's alternatives in condition order."""
    rule_order: list[str]
    """Logical rule ids in file order."""
    derives: dict[str, tuple[tuple[str, Any], ...]]
    base_facts: frozenset[str]
    """Answers and calculated values: the facts asserted before rules fire."""
    digest: str

    def __post_init__(self) -> None:
        self.rule_position = {rule: i for i, rule in enumerate(self.rule_order)}
        """Rule id -> position in file order (results are reported in this order)."""
        self.binding_plans = {v.name: binding_plan(v) for v in self.variants}
        """Variant name -> what its firing binds (binding_plan), computed once per rule base."""



def applies_id(decision_id: str) -> str:
    return f"applies:{decision_id}"


class CompileError(ValueError):
    pass


def compile_rulebase(rulebase: RuleBase) -> CompiledRuleset:
    logical: list[tuple[str, Condition, tuple[tuple[str, Any], ...]]] = []
    for entry in rulebase.rules:
        derives = tuple((d.fact, shared_number(d.value)) for d in entry.rule.derive)
        logical.append((entry.id, entry.rule.when, derives))

    variants: list[Variant] = []
    problems: list[str] = []
    choices = {q.id: [c.id for c in q.choices] for q in rulebase.questions.values() if q.type == "single"}
    for rule_id, condition, _ in logical:
        conjuncts = to_dnf(condition, choices=choices)
        if len(conjuncts) > MAX_VARIANTS_PER_RULE:
            problems.append(f"{rule_id}: the condition expands to {len(conjuncts)} alternatives "
                            f"(at most {MAX_VARIANTS_PER_RULE}); split the rule")
            continue
        if not conjuncts:
            problems.append(f"{rule_id}: the condition can never hold")
        for index, conj in enumerate(conjuncts):
            variants.append(_variant(rule_id, index, conj))

    if problems:
        raise CompileError("; ".join(problems))
    base = frozenset(rulebase.questions) | frozenset(rulebase.calculators)
    return CompiledRuleset(variants, [rid for rid, _, _ in logical],
                           {rid: derives for rid, _, derives in logical}, base, rulebase.digest)


def _variant(rule_id: str, index: int, conj: Conjunct) -> Variant:
    tests: dict[str, list[Test]] = {}
    absences: list[str] = []
    for lit in conj:
        if lit.test is None:
            if lit.fact not in absences:
                absences.append(lit.fact)
        else:
            tests.setdefault(lit.fact, []).append(_normalise_test(lit.test))
    positives = []
    for fact, group in tests.items():
        meaningful = [t for t in group if t.op != "exists"]
        if not meaningful:
            positives.append((fact, Test("exists")))
        elif len(meaningful) == 1:
            positives.append((fact, meaningful[0]))
        else:
            positives.append((fact, Test("and", tuple(meaningful))))
    return Variant(rule_id, index, tuple(positives), tuple(absences))


def _normalise_test(test: Test) -> Test:
    if test.op == "and":
        return Test(test.op, tuple(_normalise_test(t) for t in test.value))
    return Test(test.op, shared_number(test.value))
