"""The durable-rules ruleset definition (plain, JSON-able data) built from the engine-neutral variants.

Every variant (one alternative of a rule's condition) becomes one engine rule named `<RULE-ID>#<n>` with
one pattern per fact (the engine cannot bind one fact to two patterns) and an absence pattern per
"unknown" test. Rules that test absence, or test nothing, are joined first on an anchor fact asserted
after all answers, so absence is only judged once every answer is in (see durable-rules-notes.md §2.4).

Each fact travels as {SESSION_KEY: sid, <its property>: value}. The property names are this backend's
business: the engine's own names (session key, anchors, sink) are never given to a fact, so the rule
language need not reserve them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.inference.compiler import CompiledRuleset, Test

ANCHOR_GROUP = 120
"""Engine rules per anchor fact: the engine allows at most 256 joins on one alpha node (error 108)."""
ANCHOR = "__begin"
SINK = "__sink"
NEVER = "__never"
SESSION_KEY = "sid"

RESERVED_PROPERTIES = (SESSION_KEY, NEVER, ANCHOR, *(f"{ANCHOR}{i}" for i in range(1, 100)))
"""Property names the engine wrapper uses itself (anchor facts are numbered per group of rules)."""


@dataclass(frozen=True)
class DurableRuleset:
    compiled: CompiledRuleset
    """The engine-neutral rules this definition was built from."""
    rules: dict[str, dict[str, Any]]
    """The durable-rules rule definitions, one per variant, in file order, each anchored (when it needs
    the anchor) on the placeholder fact ANCHOR; the engine wrapper spreads anchors and shards."""
    properties: dict[str, str]
    """Fact -> the property that carries it in the engine: a fact is asserted as {sid, property: value}.
    Only facts some engine rule tests are here; asserting the others could not change what fires."""


def anchor_pattern(anchor: str) -> dict[str, Any]:
    return {"b": {"$ex": {anchor: 1}}}


def engine_expr(test: Test, prop: str) -> dict[str, Any]:
    """A test on the fact's engine property `prop`, in durable's pattern syntax."""
    if test.op == "eq":
        return {prop: test.value}
    if test.op == "and":
        return {"$and": [engine_expr(t, prop) for t in test.value]}
    return {f"${test.op}": {prop: test.value}}


def engine_name_hash(name: str) -> int:
    """The engine's 32-bit FNV-1a hash of a property name (state.c fnv1Hash32: xor, then multiply, over
    signed chars). The engine finds a fact's tests by this hash alone, so no two properties may share it."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ ((byte - 256 if byte > 127 else byte) & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return value


def engine_properties(facts: set[str]) -> dict[str, str]:
    """A property name per fact: the fact name made plain ([a-z0-9_], never starting with '__' like the
    wrapper's own), suffixed when needed so no two names, nor their engine hashes, coincide.

    Why a property per fact rather than {q: fact, v: value}: the engine indexes a fact's tests by
    property name, so tests on 'q' are all scanned for every fact (about 25 µs a fact at 600 rules),
    while a property of its own is found by hash."""
    taken = {engine_name_hash(name) for name in RESERVED_PROPERTIES}
    out: dict[str, str] = {}
    for fact in sorted(facts):
        plain = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in fact.lower())
        if not plain or plain.startswith("__") or plain in RESERVED_PROPERTIES:
            plain = f"f_{plain}"
        name, n = plain, 1
        while engine_name_hash(name) in taken:
            n += 1
            name = f"{plain}_{n}"
        taken.add(engine_name_hash(name))
        out[fact] = name
    return out


def build_ruleset(compiled: CompiledRuleset) -> DurableRuleset:
    """The durable rule definitions for the compiled variants (deterministic for a given rule base)."""
    tested = {fact for v in compiled.variants for fact in [*(f for f, _ in v.positives), *v.absences]}
    properties = engine_properties(tested)
    rules: dict[str, dict[str, Any]] = {}
    for variant in compiled.variants:
        patterns: list[dict[str, Any]] = []
        if variant.absences or not variant.positives:
            patterns.append(anchor_pattern(ANCHOR))  # first, so negations are checked once all answers exist
        for i, (fact, test) in enumerate(variant.positives):
            prop = properties[fact]
            present = {"$ex": {prop: 1}}
            patterns.append({f"p{i}": present if test.op == "exists" else {"$and": [present, engine_expr(test, prop)]}})
        for i, fact in enumerate(variant.absences):
            patterns.append({f"n{i}$not": {"$ex": {properties[fact]: 1}}})
        rules[variant.name] = {"all": patterns}
    return DurableRuleset(compiled, rules, properties)
