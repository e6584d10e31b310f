"""One decision's outcome without running the whole rule base: for what-if runs, which ask about a few decisions
for each of many sets of answers.

A decision's *slice* is its own rules plus every rule that derives a fact the slice reads (its rules'
conditions and its applicability), closed under that: no rule outside it can change a fact it reads. Derived
facts are only ever tested positively and every rule is monotone, so the slice's fixpoint, run in file order as
the reference engine runs the whole rule base (firing.ReferenceEngine), fires exactly the slice's rules that the
whole run fires, and derives the same values for the facts the slice reads.
"""

from __future__ import annotations

from typing import Any

from advisor.inference.compiler import CompiledRuleset, Conjunct, Variant, base_fact
from advisor.inference.firing import Firing, Firings
from advisor.inference.predicates import Predicate, VariantChecks
from advisor.sources.rulebase import RuleBase


class Slices:
    def __init__(self, rulebase: RuleBase, compiled: CompiledRuleset, applies: dict[str, list[Conjunct]]) -> None:
        self._rulebase, self._compiled, self._applies = rulebase, compiled, applies
        self._variants: dict[str, list[Variant]] = {}
        for variant in compiled.variants:
            self._variants.setdefault(variant.rule, []).append(variant)
        self._rules_of: dict[str, list[str]] = {}
        for entry in rulebase.rules:
            if entry.decision is not None:
                self._rules_of.setdefault(entry.decision, []).append(entry.id)
        self._slices: dict[str, list[Variant]] = {}
        self._checks: dict[str, VariantChecks] = {}
        self._generated: dict[str, Predicate] = {}
        """Variant name -> its generated check, shared by the slices (they overlap)."""

    def variants(self, decision_id: str) -> list[Variant]:
        """The variants of the decision's slice, in file order."""
        if decision_id not in self._slices:
            rules = set(self._rules_of.get(decision_id, []))
            reads = [lit.fact for conj in self._applies.get(decision_id, []) for lit in conj]
            reads += [fact for rule in rules for fact in self._reads(rule)]
            while reads:
                for rule in self._rulebase.derived_by.get(base_fact(reads.pop()), []):
                    if rule not in rules:
                        rules.add(rule)
                        reads += self._reads(rule)
            self._slices[decision_id] = [v for v in self._compiled.variants if v.rule in rules]
            self._checks[decision_id] = VariantChecks(self._slices[decision_id], self._generated)
        return self._slices[decision_id]

    def _reads(self, rule: str) -> list[str]:
        return [fact for v in self._variants.get(rule, []) for fact in (*(f for f, _ in v.positives), *v.absences)]

    def firings(self, decision_id: str, facts: dict[str, Any]) -> Firings:
        """The slice's fixpoint over the facts as the engines get them (Advisor.infer): which of its rules fire
        and what they derive. Bindings are left empty (outcomes do not read them)."""
        known = dict(facts)
        fired: dict[str, int] = {}
        derives = self._compiled.derives
        changed = True
        variants = self.variants(decision_id)
        checks = self._checks[decision_id].checks()
        while changed:
            changed = False
            for variant, holds in zip(variants, checks, strict=True):
                if variant.rule in fired or not holds(known):
                    continue
                fired[variant.rule] = variant.index
                changed = True
                for fact, value in derives[variant.rule]:
                    known.setdefault(fact, value)
        order = self._compiled.rule_position
        base = self._compiled.base_facts
        derived = {fact: value for fact, value in known.items() if fact not in facts and fact not in base}
        return Firings({rule: Firing(rule, fired[rule], ()) for rule in sorted(fired, key=order.__getitem__)},
                       derived)
