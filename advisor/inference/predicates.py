"""Conditions built once into Python functions, for the checks made outside the engine on every evaluation
(applicability, ask_when) and for the rule alternatives the reference engine tests in Python.

Interpreting a condition's DNF walks literals and calls `Test.holds` for each, on every scenario; here each
condition becomes nested closures, each specialised on its test's shape (a presence check, an identity test
for a bool, a type check and a comparison for text or a number), built once an Advisor has evaluated a few
times (`Conditions`, `VariantChecks`: a one-file run keeps interpreting). Nothing is generated as text and
nothing is compiled or evaluated: rule data only ever becomes constants held by the closures.

The condition tree is built, not its DNF (which can be 50 times larger): negation is pushed down to the fact
tests exactly as `to_dnf` does (`not` over a test is "unknown, or the opposite test holds", which is not the
complement: a test on a value of another kind is false both ways), and each fact test becomes the function of
its own small DNF, so the function means exactly what the DNF means. Every test means what `Test.holds`
means (the same kind checks: a bool is not a number, text only equals text, a list passes only `exists`); a
test of any other shape calls `Test.holds` itself. tests/test_predicates.py checks that built and
interpreted conditions agree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from advisor.inference.compiler import (
    MAX_VARIANTS_PER_RULE,
    Conjunct,
    Literal,
    Test,
    Variant,
    expand_facts,
    to_dnf,
)
from advisor.models.conditions import AllOf, Condition, FactTest, NotOf

Predicate = Callable[[dict[str, Any]], bool]
"""Facts as the rules see them (after `expand_facts`) -> whether the condition holds."""

_MISSING = object()
_COMPARE = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


def _value_test(test: Test) -> Callable[[Any], bool]:
    """A function of a known fact's value that says what `test.holds` says, specialised on the test's shape."""
    op, value = test.op, test.value
    if op == "exists":
        return _always
    if op == "and" and isinstance(value, tuple) and value:
        parts = tuple(_value_test(t) for t in value)
        return lambda v: all(p(v) for p in parts)
    if op in ("eq", "neq") and type(value) is bool:
        wanted = value if op == "eq" else not value
        return lambda v: v is wanted
    if op == "eq" and type(value) is str:
        return lambda v: type(v) is str and v == value
    if op == "neq" and type(value) is str:
        return lambda v: type(v) is str and v != value
    if op in _COMPARE and type(value) in (int, float):
        compare = _COMPARE[op]
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool) and compare(v, value)
    return test.holds  # any other shape: the interpreter


def _always(_: Any) -> bool:
    return True


def _literal(lit: Literal) -> Predicate:
    fact = lit.fact
    if lit.test is None:
        return lambda f: fact not in f
    if lit.test.op == "exists":
        return lambda f: fact in f
    holds = _value_test(lit.test)
    return lambda f: (v := f.get(fact, _MISSING)) is not _MISSING and holds(v)


def _all(parts: list[Predicate]) -> Predicate:
    if not parts:
        return lambda f: True
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda f: a(f) and b(f)
    items = tuple(parts)
    return lambda f: all(p(f) for p in items)


def _any(parts: list[Predicate]) -> Predicate:
    if not parts:
        return lambda f: False
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda f: a(f) or b(f)
    items = tuple(parts)
    return lambda f: any(p(f) for p in items)


def _from_conjunct(conj: Conjunct) -> Predicate:
    """All of the literals; several presence (or absence) checks become one test of the facts' keys."""
    present = [lit.fact for lit in conj if lit.test is not None and lit.test.op == "exists"]
    absent = [lit.fact for lit in conj if lit.test is None]
    # A presence or absence check stays on its own when it is the only one of its kind.
    parts = [_literal(lit) for lit in conj if (len(absent) == 1 if lit.test is None else
                                               len(present) == 1 if lit.test.op == "exists" else True)]
    if len(present) > 1:
        every = frozenset(present)
        parts.append(lambda f: f.keys() >= every)
    if len(absent) > 1:
        none = frozenset(absent)
        parts.append(lambda f: f.keys().isdisjoint(none))
    return _all(parts)


def _from_dnf(conjuncts: Sequence[Conjunct]) -> Predicate:
    """Any of the alternatives; several that are one presence check each (`contains_any` on a multi-choice
    answer) become one test of the facts' keys."""
    single = [conj[0].fact for conj in conjuncts
              if len(conj) == 1 and conj[0].test is not None and conj[0].test.op == "exists"]
    if len(single) < 2:
        return _any([_from_conjunct(conj) for conj in conjuncts])
    some = frozenset(single)
    return _any([lambda f: not f.keys().isdisjoint(some),
                 *[_from_conjunct(conj) for conj in conjuncts
                   if not (len(conj) == 1 and conj[0].test is not None and conj[0].test.op == "exists")]])


def _from_condition(condition: Condition, negated: bool = False) -> Predicate:
    """The condition as nested functions, negation pushed down to the tests as in `to_dnf`."""
    if isinstance(condition, FactTest):
        return _from_dnf(to_dnf(condition, negated))
    if isinstance(condition, NotOf):
        return _from_condition(condition.not_, not negated)
    children = condition.all if isinstance(condition, AllOf) else condition.any  # type: ignore[union-attr]
    if isinstance(condition, AllOf) != negated:
        return _all([_from_condition(child, negated) for child in children])
    # Any of them: the fact tests among them as one DNF (the union of theirs), the rest each on its own.
    tests = [conj for child in children if isinstance(child, FactTest) for conj in to_dnf(child, negated)]
    parts = [_from_condition(child, negated) for child in children if not isinstance(child, FactTest)]
    return _any([_from_dnf(tests), *parts] if tests else parts)


def _dnf_size(condition: Condition, negated: bool = False) -> int | None:
    """An upper bound of the length of `to_dnf(condition)`; None when `to_dnf` may have cut a product short."""
    if isinstance(condition, FactTest):
        return len(to_dnf(condition, negated))
    if isinstance(condition, NotOf):
        return _dnf_size(condition.not_, not negated)
    children = condition.all if isinstance(condition, AllOf) else condition.any  # type: ignore[union-attr]
    sizes = [_dnf_size(child, negated) for child in children]
    if any(size is None for size in sizes):
        return None
    if isinstance(condition, AllOf) == negated:
        return sum(sizes)  # type: ignore[arg-type]
    product = 1
    for size in sizes:
        product *= size  # type: ignore[operator]
    return product if product <= MAX_VARIANTS_PER_RULE * 8 else None


def compile_predicates(conditions: Mapping[str, Condition | list[Conjunct]]) -> dict[str, Predicate]:
    """One function per named condition (or DNF). A condition whose DNF would be cut short (`to_dnf` stops past
    MAX_VARIANTS_PER_RULE * 8 alternatives) is built from that DNF, so the function still means what the DNF
    means."""
    out: dict[str, Predicate] = {}
    for key, condition in conditions.items():
        if isinstance(condition, list):
            out[key] = _from_dnf(condition)
        elif _dnf_size(condition) is None:
            out[key] = _from_dnf(to_dnf(condition))
        else:
            out[key] = _from_condition(condition)
    return out


def condition_holds(condition: Condition | list[Conjunct], facts: dict[str, Any], *, expanded: bool = False) -> bool:
    """Evaluate a condition (or its DNF) directly, interpreting it. Pass `expanded=True` when `facts` already went
    through `expand_facts`."""
    if not expanded:
        facts = expand_facts(facts)
    for conj in condition if isinstance(condition, list) else to_dnf(condition):
        for lit in conj:  # plain loops: this runs for every decision of every scenario
            if lit.test is None:
                if lit.fact in facts:
                    break
            elif lit.fact not in facts or not lit.test.holds(facts[lit.fact]):
                break
        else:
            return True
    return False


class Conditions:
    """Named conditions checked on every evaluation (ask_when, applicability): interpreted from their DNF at
    first, compiled (compile_predicates) once they have been asked for COMPILE_AFTER times. Both give the same
    answers (tests/test_predicates.py); compiling only pays off over many evaluations."""

    COMPILE_AFTER = 8

    def __init__(self, conditions: dict[str, Condition], dnfs: dict[str, list[Conjunct]]) -> None:
        self._conditions, self._dnfs = conditions, dnfs
        self._interpreted: dict[str, Predicate] = {key: partial(_interpret, dnf) for key, dnf in dnfs.items()}
        self._compiled: dict[str, Predicate] | None = None
        self._uses = 0

    def checks(self) -> dict[str, Predicate]:
        """Name -> whether the condition holds over facts as the rules see them (after `expand_facts`)."""
        if self._compiled is not None:
            return self._compiled
        self._uses += 1
        if self._uses > self.COMPILE_AFTER:
            self._compiled = self.compiled()
            return self._compiled
        return self._interpreted

    def compiled(self) -> dict[str, Predicate]:
        return compile_predicates({key: self._condition_or_dnf(key) for key in self._dnfs})

    def _condition_or_dnf(self, key: str) -> Condition | list[Conjunct]:
        return self._conditions[key] if key in self._conditions else self._dnfs[key]


def _interpret(dnf: list[Conjunct], facts: dict[str, Any]) -> bool:
    return condition_holds(dnf, facts, expanded=True)


class VariantChecks:
    """Whether each rule alternative (compiler.Variant) holds, for the engines that test them in Python (the
    reference engine, what-if slices): `Variant.holds` at first, compiled functions (same answers) once asked
    for COMPILE_AFTER times."""

    COMPILE_AFTER = 8

    def __init__(self, variants: Sequence[Variant]) -> None:
        self._variants = list(variants)
        self._interpreted: list[Predicate] = [v.holds for v in self._variants]
        self._compiled: list[Predicate] | None = None
        self._uses = 0

    def checks(self) -> list[Predicate]:
        """One function per variant, in the order given."""
        if self._compiled is not None:
            return self._compiled
        self._uses += 1
        if self._uses > self.COMPILE_AFTER:
            dnfs = {str(i): [_conjunct(v)] for i, v in enumerate(self._variants)}
            compiled = compile_predicates(dnfs)  # type: ignore[arg-type]
            self._compiled = [compiled[str(i)] for i in range(len(self._variants))]
            return self._compiled
        return self._interpreted


def _conjunct(variant: Variant) -> Conjunct:
    return (*(Literal(f, None) for f in variant.absences), *(Literal(f, t) for f, t in variant.positives))
