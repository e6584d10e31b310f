"""The durable-rules engine compares values across kinds ('z' > 100 and 1 == true hold there); the wrapper
pushes a type guard into every value test (a typed copy of each fact per kind), so the engine fires
exactly what compiler.Test.holds (the reference engine) accepts, with no re-check in Python."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip(
    "durable_rules_engine", reason="durable-rules is not available on this Python: the reference engine runs instead"
)

from advisor.inference.compiler import CompiledRuleset, Variant
from advisor.inference.compiler import Test as T
from advisor.inference.durable.engine import DurableEngine
from advisor.inference.firing import ReferenceEngine

TESTS = [
    T("gt", 100),
    T("lte", 2.5),
    T("eq", 1),
    T("eq", True),
    T("eq", False),
    T("neq", True),
    T("eq", "a"),
    T("neq", "a"),
    T("neq", 0),
    T("and", (T("gte", 1), T("lt", 10))),
    T("and", (T("neq", "a"), T("neq", "b"))),
    T("and", (T("eq", 5), T("neq", "a"))),  # mixed kinds: can never hold
    T("exists"),
]
VALUES: list[Any] = [True, False, 0, 1, 1.0, 5, 2.5, 101, 100, "z", "a", "b", "1", "true", "", ["a"], []]


def compiled() -> CompiledRuleset:
    variants = [Variant(f"T{i:02d}-{i:03d}", 0, (("x", test),), ()) for i, test in enumerate(TESTS)]
    variants.append(Variant("U00-000", 0, (("y", T("gt", 0)),), ("x",)))
    derives: dict[str, tuple[tuple[str, Any], ...]] = {v.rule: () for v in variants}
    return CompiledRuleset(variants, [v.rule for v in variants], derives, frozenset({"x", "y"}), "test")


def test_every_test_fires_on_exactly_the_values_of_its_kind_that_hold() -> None:
    rules = compiled()
    engine, oracle = DurableEngine(rules), ReferenceEngine(rules)
    try:
        for value in VALUES:
            for facts in ({"x": value}, {"x": value, "y": 3}, {"y": value}):
                assert engine.run(facts) == oracle.run(facts), facts
    finally:
        engine.close()


def test_a_value_of_a_kind_no_rule_tests_is_still_present() -> None:
    # 'x' is only tested for numbers, bools and text: a list value has no typed copy but still counts as known
    rules = compiled()
    engine = DurableEngine(rules)
    try:
        fired = engine.run({"x": ["a"], "y": 1}).fired
        assert "T12-012" in fired  # exists
        assert "U00-000" not in fired  # needs x unknown
    finally:
        engine.close()
