"""The durable-rules ruleset definition (plain, JSON-able data) built from the engine-neutral variants.

Answers and calculated values (every fact no rule derives) travel together as ONE wide fact per shard:
{SESSION_KEY: sid, WIDE: 1, <property>: value, ...}. Every variant (one alternative of a rule's condition)
becomes one engine rule named `<RULE-ID>#<n>` whose first pattern holds all its tests on that wide fact in
one `$and` (an "unknown" test is a `$nex` on the same fact, so absence is judged with every answer in,
in the same match); this is a walk down the engine's alpha network, not a join. Only tests of derived
facts (set by firings, only ever tested positively: the rule base refuses absence tests on them) are
patterns of their own, on small facts {SESSION_KEY: sid, <property>: value}, joined to the wide one.

The wide pattern's `$and` starts with guard tests on WIDE (always true on the wide fact, never present on a
small fact) that place the rule in a tree of groups, so the engine's alpha walk stays within its 64-entry
stack (see limits.alpha_groups). Property names are this backend's business: the engine's own names
(session key, WIDE, the sink's never-fact) are never given to a fact, so the rule language need not reserve
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.inference.compiler import CompiledRuleset, Test, Variant

WIDE = "__wide"
"""The wide fact's marker property (value 1): group guards test it, the sink matches facts without it."""
BEGIN = "__begin"
"""The first-thing rule (every session fires at least once: deleting one that did not crashes)."""
FRESH = "__fresh"
"""The marker property (value 1) of the fact asserted with a session's first wide fact only: the first-thing
rule joins the two, so it fires in a session's first evaluation and not in the ones reusing it."""
SINK = "__sink"
NEVER = "__never"
SESSION_KEY = "sid"
WIDE_PATTERN = "w"

RESERVED_PROPERTIES = (SESSION_KEY, NEVER, WIDE, FRESH)
"""Property names the engine wrapper uses itself."""


@dataclass(frozen=True)
class DurableRuleset:
    compiled: CompiledRuleset
    """The engine-neutral rules this definition was built from."""
    wide: dict[str, list[dict[str, Any]] | None]
    """Variant name -> the tests of its wide pattern (in the order they are chained), or None when the
    variant tests derived facts only; variants in file order."""
    joined: dict[str, list[dict[str, Any]]]
    """Variant name -> its patterns on derived facts (joined to the wide pattern)."""
    properties: dict[str, str]
    """Fact -> the property that carries it in the engine, for facts some rule tests for presence or
    absence; and typed_key(fact, kind) -> the property of the fact's typed copy, for each kind its value
    tests compare with. A fact is asserted as {property: value, typed property of value's kind: value},
    leaving out the properties no rule tests."""
    typed: dict[str, dict[str, str]]
    """Fact -> {kind: property of the typed copy} (from `properties`), for facts with value tests."""
    derived: frozenset[str]
    """Facts some rule derives: asserted as small facts of their own, never in the wide fact."""


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


def engine_tests(test: Test, fact: str, properties: dict[str, str]) -> list[dict[str, Any]]:
    """A value test in durable's syntax, as a list of tests to chain with `$and`: each primitive test reads
    the fact's copy of its own kind (present only when the value is of that kind), so the engine compares
    within one kind, exactly as Test.holds does. An 'and' over several kinds can never hold, and never
    matches. (A test on a property the fact lacks never matches in the engine: no existence guard needed.)"""
    if test.op == "exists":
        return [{"$ex": {properties[fact]: 1}}]
    out: list[dict[str, Any]] = []
    for t in primitive_tests(test):
        prop = properties[typed_key(fact, test_kind(t))]
        out.append({prop: t.value} if t.op == "eq" else {f"${t.op}": {prop: t.value}})
    return out


def engine_name_hash(name: str) -> int:
    """The engine's 32-bit FNV-1a hash of a property name (state.c fnv1Hash32: xor, then multiply, over
    signed chars). The engine finds a fact's tests by this hash alone, so no two properties may share it."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ ((byte - 256 if byte > 127 else byte) & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return value


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
ENGINE_NAMES = ("id", "sid")
"""Property names the engine itself gives a meaning to (a fact's identity and session)."""


def _short_name(n: int) -> str:
    name = ""
    while True:
        name = _DIGITS[n % 36] + name
        n //= 36
        if not n:
            return name


def engine_properties(facts: set[str]) -> dict[str, str]:
    """A short property name per fact: a counter in base 36 (`0`, `1`, ... `z`, `10`, ...) over the facts
    in sorted order, skipping any name the engine or the wrapper uses and any whose engine hash is taken,
    so no two properties share a hash (the engine finds a fact's tests by that hash alone).

    Why short names: every firing's message carries the whole wide fact, and the engine parses and copies
    it per assert and per firing: short names make it about half as long (measured: 7 to 10 % of a
    generated heavy evaluation). Why a property per fact rather than {q: fact, v: value}: the engine
    indexes a fact's tests by property name, so tests on 'q' were all scanned for every fact."""
    taken = {engine_name_hash(name) for name in (*RESERVED_PROPERTIES, *ENGINE_NAMES)}
    out: dict[str, str] = {}
    counter = 0
    for fact in sorted(facts):
        while True:
            name = _short_name(counter)
            counter += 1
            if engine_name_hash(name) not in taken:
                break
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


def _sort_key(test: dict[str, Any]) -> str:
    import json

    return json.dumps(test, sort_keys=True)


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
    derived = frozenset(fact for derives in compiled.derives.values() for fact, _ in derives)
    wide: dict[str, list[dict[str, Any]] | None] = {}
    joined: dict[str, list[dict[str, Any]]] = {}
    for variant in compiled.variants:
        tests: list[dict[str, Any]] = []
        patterns: list[dict[str, Any]] = []
        for i, (fact, test) in enumerate(variant.positives):
            if fact in derived:
                parts = engine_tests(test, fact, properties)
                patterns.append({f"d{i}": parts[0] if len(parts) == 1 else {"$and": parts}})
            else:
                tests += engine_tests(test, fact, properties)
        # absences are only ever of answers and calculated values (the rule base refuses absence of a
        # derived fact): all on the wide fact
        tests += [{"$nex": {properties[fact]: 1}} for fact in variant.absences]
        # a canonical order, so rules with the same tests share the engine's nodes
        wide[variant.name] = sorted(tests, key=_sort_key) if tests or not patterns else None
        joined[variant.name] = patterns
    return DurableRuleset(compiled, wide, joined, properties, typed, derived)
