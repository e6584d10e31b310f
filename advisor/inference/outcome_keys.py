"""Which answer changes cannot change any decision's outcome, and which give the same outcomes as each other.

What-if analysis re-evaluates a scenario with many perturbed answers. An outcome (each decision's status and
recommendation) depends on the facts only through the fact tests of the rule base: the rules' conditions (which
rules fire, and so what they derive), applicability and ask_when. So two sets of facts on which every test
gives the same result have the same outcomes. A fact's *signature* is whether it is known and the result of
every test on it; the key of a set of facts is the signature of each fact that differs from the scenario's own
(an empty key: the outcomes are the scenario's). A multi-choice answer's signature is its value itself (its
picked choices are facts of their own), which is only ever more careful.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from advisor.inference.compiler import Conjunct, Test, Variant
from advisor.inference.numbers import shared_number

_ABSENT = object()
Key = tuple[tuple[str, tuple[Any, ...]], ...]


class OutcomeKeys:
    def __init__(self, variants: Iterable[Variant], conditions: Iterable[list[Conjunct]]) -> None:
        engine: dict[str, list[Test]] = {}
        for variant in variants:  # the engines test shared_number'd values (Advisor.infer)
            for fact, test in variant.positives:
                engine.setdefault(fact, []).append(test)
        raw: dict[str, list[Test]] = {}
        for dnf in conditions:  # applicability and ask_when read the values as given
            for conj in dnf:
                for lit in conj:
                    if lit.test is not None:
                        raw.setdefault(lit.fact, []).append(lit.test)
        self._engine = {f: tuple(dict.fromkeys(tests)) for f, tests in engine.items()}
        self._raw = {f: tuple(dict.fromkeys(tests)) for f, tests in raw.items()}

    def signature(self, fact: str, value: Any) -> tuple[Any, ...]:
        if value is _ABSENT:
            return ("unknown",)
        if isinstance(value, list):
            return ("list", tuple(value))
        number = shared_number(value)
        return ("known", *[t.holds(number) for t in self._engine.get(fact, ())],
                *[t.holds(value) for t in self._raw.get(fact, ())])

    def key(self, base: dict[str, Any], facts: dict[str, Any]) -> Key:
        """The signatures of the facts (answers and calculated values) whose signature differs from `base`'s;
        () when the outcomes are `base`'s."""
        out = []
        for fact in base.keys() | facts.keys():
            before, after = base.get(fact, _ABSENT), facts.get(fact, _ABSENT)
            if type(before) is type(after) and repr(before) == repr(after):
                continue
            signature = self.signature(fact, after)
            if signature != self.signature(fact, before):
                out.append((fact, signature))
        return tuple(sorted(out))
