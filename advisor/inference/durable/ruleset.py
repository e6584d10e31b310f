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

from advisor.inference.compiler import CompiledRuleset, Test, Variant

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
    """Fact -> the property that carries it in the engine, for facts some rule tests for presence or
    absence; and typed_key(fact, kind) -> the property of the fact's typed copy, for each kind its value
    tests compare with. A fact is asserted as {sid, property: value, typed property of value's kind: value},
    leaving out the properties no rule tests (when none is left, the fact is not asserted at all: it could
    not change what fires)."""
    typed: dict[str, dict[str, str]]
    """Fact -> {kind: property of the typed copy} (from `properties`), for facts with value tests."""


def anchor_pattern(anchor: str) -> dict[str, Any]:
    return {"b": {"$ex": {anchor: 1}}}


def value_kind(value: Any) -> str | None:
    """The kind the rules compare within: 'b' bool, 'n' number, 's' text; None for a list (only `exists`
    holds on one). compiler.Test.holds never compares across kinds; the engine would ('z' > 100 is true)."""
    if isinstance(value, bool):
        return "b"
    if isinstance(value, int | float):
        return "n"
    if isinstance(value, str):
        return "s"
    return None


def test_kind(test: Test) -> str:
    """The kind of value a primitive (not 'and', not 'exists') test can hold on."""
    if test.op in ("lt", "lte", "gt", "gte"):
        return "n"
    kind = value_kind(test.value)
    if kind is None:
        raise ValueError(f"no engine form for the test {test!r}")
    return kind


def typed_key(fact: str, kind: str) -> str:
    """The name a fact's typed copy is planned under (NUL never occurs in a fact name)."""
    return f"{fact}\0{kind}"


def primitive_tests(test: Test) -> list[Test]:
    return [t for sub in test.value for t in primitive_tests(sub)] if test.op == "and" else [test]


def engine_pattern(test: Test, fact: str, properties: dict[str, str]) -> dict[str, Any]:
    """A value test in durable's pattern syntax, with its type guard: each primitive test reads the fact's
    copy of its own kind (present only when the value is of that kind), so the engine compares within one
    kind, exactly as Test.holds does. An 'and' over several kinds can never hold, and never matches."""
    if test.op == "exists":
        return {"$ex": {properties[fact]: 1}}
    parts = primitive_tests(test)
    props = [properties[typed_key(fact, test_kind(t))] for t in parts]
    guards: list[dict[str, Any]] = [{"$ex": {p: 1}} for p in dict.fromkeys(props)]
    exprs = [{p: t.value} if t.op == "eq" else {f"${t.op}": {p: t.value}} for t, p in zip(parts, props, strict=True)]
    return {"$and": guards + exprs}


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


def variant_properties(variant: Variant, properties: dict[str, str]) -> set[str]:
    """The engine properties this variant's patterns test (for shard planning)."""
    needs = {properties[fact] for fact in variant.absences}
    for fact, test in variant.positives:
        if test.op == "exists":
            needs.add(properties[fact])
        else:
            needs.update(properties[typed_key(fact, test_kind(t))] for t in primitive_tests(test))
    return needs


def build_ruleset(compiled: CompiledRuleset) -> DurableRuleset:
    """The durable rule definitions for the compiled variants (deterministic for a given rule base)."""
    # The plain property only for facts tested for presence or absence: value tests read the typed copies.
    plain = {fact for v in compiled.variants
             for fact in [*(f for f, t in v.positives if t.op == "exists"), *v.absences]}
    kinds = {typed_key(fact, test_kind(t)) for v in compiled.variants for fact, test in v.positives
             if test.op != "exists" for t in primitive_tests(test)}
    properties = engine_properties(plain | kinds)
    typed: dict[str, dict[str, str]] = {}
    for key in sorted(kinds):
        fact, kind = key.split("\0")
        typed.setdefault(fact, {})[kind] = properties[key]
    rules: dict[str, dict[str, Any]] = {}
    for variant in compiled.variants:
        patterns: list[dict[str, Any]] = []
        if variant.absences or not variant.positives:
            patterns.append(anchor_pattern(ANCHOR))  # first, so negations are checked once all answers exist
        for i, (fact, test) in enumerate(variant.positives):
            patterns.append({f"p{i}": engine_pattern(test, fact, properties)})
        for i, fact in enumerate(variant.absences):
            patterns.append({f"n{i}$not": {"$ex": {properties[fact]: 1}}})
        rules[variant.name] = {"all": patterns}
    return DurableRuleset(compiled, rules, properties, typed)
