"""What an inference engine returns: which rules fired, on which facts, and what they derived.

Both engines (durable-rules and the pure-Python reference) produce this, and
everything after it (resolution, explanation) reads only this, so results do
not depend on which engine ran or in what order rules fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, NamedTuple

from advisor.inference.compiler import ELEMENT, CompiledRuleset, Variant, binding_plan
from advisor.inference.predicates import VariantChecks


class Firing(NamedTuple):
    """A named tuple, not a frozen dataclass: a heavy evaluation makes over a hundred, and a tuple is made in
    about half the time."""

    rule: str
    variant: int
    """The first (lowest-numbered) alternative of the rule's condition that held."""
    bindings: tuple[tuple[str, Any], ...]
    """(fact, value) for each fact the alternative tested; value None for 'unknown' tests."""


_new_firing = partial(tuple.__new__, Firing)
"""Firing(rule, variant, bindings) from a tuple of the three, made in C (a named tuple's own __new__ is Python)."""


@dataclass(frozen=True)
class Firings:
    fired: dict[str, Firing]
    derived: dict[str, Any]


def bindings_for(variant: Variant, facts: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """(fact, value) per fact the alternative tested (see binding_plan)."""
    return _bindings(binding_plan(variant), facts)


def _bindings(plan: tuple[tuple[str, bool], ...], facts: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    if len(plan) == 1:  # most alternatives test one fact: the general case below, unrolled
        fact, read = plan[0]
        return ((fact, _frozen(facts.get(fact)) if read else None),)
    return tuple(dict.fromkeys([(fact, _frozen(facts.get(fact)) if read else None) for fact, read in plan]))


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def canonical(compiled: CompiledRuleset, best: dict[str, tuple[int, Variant]], facts: dict[str, Any]) -> Firings:
    """Firings in rule file order, with bindings read from the final facts."""
    order, plans = compiled.rule_position, compiled.binding_plans
    fired: dict[str, Firing] = {}
    for rule in sorted(best, key=order.__getitem__):
        idx, variant = best[rule]
        plan = plans[variant.name]
        if len(plan) == 1:  # most alternatives test one fact: _bindings, unrolled here (a heavy evaluation fires ~90)
            fact, read = plan[0]
            value = facts.get(fact) if read else None
            bindings: tuple[tuple[str, Any], ...] = ((fact, tuple(value) if isinstance(value, list) else value),)
        else:
            bindings = _bindings(plan, facts)
        fired[rule] = _new_firing((rule, idx, bindings))
    # the few facts not given as answers or calculated values, found by a set difference made in C
    derived = sorted(fact for fact in facts.keys() - compiled.base_facts if ELEMENT not in fact)
    return Firings(fired, {fact: facts[fact] for fact in derived})


class ReferenceEngine:
    """Pure-Python fixpoint over the same compiled variants: the test oracle and a fallback engine.
    An EngineBackend (advisor.inference.backends)."""

    name: ClassVar[str] = "reference"  # ClassVar: read from the class too (backends.REFERENCE), also when compiled

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.compiled = compiled
        self._checks = VariantChecks(compiled.variants)

    def run(self, facts: dict[str, Any]) -> Firings:
        known = dict(facts)
        best: dict[str, tuple[int, Variant]] = {}
        checks = self._checks.checks()
        changed = True
        while changed:
            changed = False
            for variant, holds in zip(self.compiled.variants, checks, strict=True):
                current = best.get(variant.rule)
                if current is not None and current[0] <= variant.index:
                    continue
                if holds(known):
                    best[variant.rule] = (variant.index, variant)
                    changed = True
                    if current is None:
                        for fact, value in self.compiled.derives[variant.rule]:
                            known.setdefault(fact, value)
        return canonical(self.compiled, best, known)

    def close(self) -> None:
        pass
