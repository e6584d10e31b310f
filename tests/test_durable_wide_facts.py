"""The durable backend's wide facts: every answer of a shard in one fact, each rule alternative one pattern on
it, placed in a tree of guard groups that bounds the engine's alpha walk (its stack holds 64 pending nodes;
past that every assert fails with error 303). The bound is checked here three ways: the planner's own
arithmetic, a model of the engine's walk over the registered definitions (every test taken to hold), and the
engine itself on rule bases built to push it (many rules, many absence tests, every test true at once)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

pytest.importorskip("durable_rules_engine",
                    reason="durable-rules is not available on this Python: the reference engine runs here instead")

from advisor.inference.compiler import CompiledRuleset, Variant
from advisor.inference.compiler import Test as T
from advisor.inference.durable.engine import DurableEngine, registration_plan
from advisor.inference.durable.limits import ALPHA_STACK_BUDGET, GROUP_RULES, alpha_groups, plan_shards
from advisor.inference.durable.ruleset import SINK, WIDE, build_ruleset
from advisor.inference.evaluation import Advisor
from advisor.inference.firing import ReferenceEngine
from tests.conftest import RULES

ENGINE_STACK = 64
"""events.c MAX_STACK_SIZE."""


def _worst_alpha_stack(definition: dict[str, Any], carried: set[str]) -> int:
    """The most pending nodes the engine's alpha walk (events.c handleAlpha) can hold for a wide fact, on a
    model of its network: identical tests under one parent are one node (rete.c findAlpha), and every child
    is pushed whose property the wide fact can carry (taken to hold) and every absence test, except of WIDE
    (which the wide fact always has)."""
    root: dict[str, Any] = {}
    for rule in definition.values():
        for pattern in rule["all"]:
            (expr,) = pattern.values()
            node = root
            for test in expr.get("$and", [expr]):
                node = node.setdefault(json.dumps(test, sort_keys=True), {})

    def pushed(children: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for key, child in children.items():
            test = json.loads(key)
            op, body = next(iter(test.items()))
            prop = next(iter(body)) if op.startswith("$") else op
            if (op == "$nex" and prop != WIDE) or (op != "$nex" and prop in carried):
                out.append(child)
        return out

    stack, worst = [root], 1
    while stack:
        node = stack.pop()
        stack += pushed(node)
        worst = max(worst, len(stack))
    return worst


def _carried(plan: dict[str, Any], shard: int) -> set[str]:
    derived = set(plan["derived"])
    _, carriers = plan["shards"][shard]
    props = {WIDE}
    for fact, (plain, typed) in carriers.items():
        if fact not in derived:
            props |= {plain, *typed.values()} - {None}
    return props


def _synthetic(rules: int, facts: int, seed: int = 3) -> CompiledRuleset:
    """Many rules over a few numeric facts, with thresholds and absence tests: every 'gt' test holds at once
    when every fact is a large number, every 'lte' test when all are negative, every absence when none is
    given."""
    rnd = random.Random(seed)
    variants, order = [], []
    for i in range(rules):
        rule = f"R{i:05d}"
        order.append(rule)
        tested, absent = rnd.sample(range(facts), 2)
        variants.append(Variant(rule, 0, ((f"f{tested}", T("gt", i % 29)),), (f"f{absent}",)))
        variants.append(Variant(rule, 1, ((f"f{absent}", T("lte", i % 23)),), ()))
        variants.append(Variant(rule, 2, (), (f"f{tested}",)))
    return CompiledRuleset(variants, order, {rule: () for rule in order}, frozenset(f"f{i}" for i in range(facts)),
                           f"synthetic{rules}")


@pytest.mark.parametrize("wide_rules", [1, 29, 30, 31, 900, 930, 931, 5000, 30_000])
def test_the_planned_groups_keep_the_walk_within_the_budget(wide_rules: int) -> None:
    class Fake:
        wide: dict[str, list[Any] | None] = {f"r{i}": [] for i in range(wide_rules)}

    places, bound = alpha_groups(Fake(), list(Fake.wide))  # type: ignore[arg-type]
    assert bound <= ALPHA_STACK_BUDGET < ENGINE_STACK
    levels = {len(p) for p in places.values()}
    assert len(levels) == 1
    groups: dict[tuple[int, ...], int] = {}
    for place in places.values():
        groups[place] = groups.get(place, 0) + 1
    assert max(groups.values()) <= GROUP_RULES
    fanout = max(max(p) for p in places.values()) + 1
    assert levels.pop() * (fanout - 1) + GROUP_RULES <= bound


@pytest.mark.parametrize("source", ["shipped", "synthetic"])
def test_no_shard_can_overflow_the_engines_alpha_stack(source: str) -> None:
    compiled = Advisor.from_folder(RULES, "reference").compiled if source == "shipped" else _synthetic(1500, 20)
    plan = registration_plan(compiled)
    assert len(plan["shards"]) >= (1 if source == "shipped" else 2)
    for shard, (text, _) in enumerate(plan["shards"]):
        definition = json.loads(text)
        del definition[SINK]  # its first pattern is an absence test of WIDE: never pushed for a wide fact
        assert _worst_alpha_stack(definition, _carried(plan, shard)) <= ALPHA_STACK_BUDGET


def test_the_engine_takes_every_test_true_at_once_and_every_absence_at_once() -> None:
    compiled = _synthetic(1500, 20)
    ruleset = build_ruleset(compiled)
    # shards of 2000 engine rules: two levels of guards
    assert any(len(next(iter(alpha_groups(ruleset, shard)[0].values()))) == 2 for shard in plan_shards(ruleset))
    engine, oracle = DurableEngine(compiled), ReferenceEngine(compiled)
    try:
        rnd = random.Random(5)
        cases = [{}, {f"f{i}": 1000 for i in range(20)}, {f"f{i}": -1 for i in range(20)}]
        cases += [{f"f{i}": rnd.randint(0, 120) for i in rnd.sample(range(20), rnd.randint(0, 20))}
                  for _ in range(10)]
        for facts in cases:
            assert engine.run(facts) == oracle.run(facts)
        # cases[1]: every 'gt' test holds at once (and its rule's absence test fails); cases[0]: every absence
        # test holds; cases[2]: every 'lte' test holds
        assert [len(engine.run(facts).fired) for facts in cases[:3]] == [1500, 0, 1500]
    finally:
        engine.close()


def test_derived_facts_given_as_input_are_small_facts_of_their_own() -> None:
    # A fact some rule derives travels apart from the wide fact even when it is given from the start.
    variants = [Variant("A", 0, (("x", T("eq", True)),), ()),
                Variant("B", 0, (("d", T("eq", True)), ("y", T("gt", 1))), ()),
                Variant("C", 0, (("d", T("exists")),), ("z",))]
    compiled = CompiledRuleset(variants, ["A", "B", "C"], {"A": (("d", True),), "B": (), "C": ()},
                               frozenset({"x", "y", "z"}), "derived-given")
    engine, oracle = DurableEngine(compiled), ReferenceEngine(compiled)
    try:
        for facts in ({"x": True, "y": 2}, {"d": True, "y": 2}, {"d": True, "z": 1}, {"x": False, "y": 5}, {}):
            assert engine.run(facts) == oracle.run(facts), facts
    finally:
        engine.close()


def test_an_alternative_testing_more_facts_than_a_shard_holds_is_a_capacity_problem() -> None:
    from advisor.inference.durable.limits import MAX_SHARD_PROPERTIES, capacity_problems

    facts = [f"f{i}" for i in range(MAX_SHARD_PROPERTIES)]
    variants = [Variant("WIDE-1", 0, tuple((f, T("eq", True)) for f in facts), ()),
                Variant("FITS-1", 0, (("f0", T("eq", True)),), ())]
    compiled = CompiledRuleset(variants, ["WIDE-1", "FITS-1"], {"WIDE-1": (), "FITS-1": ()}, frozenset(facts), "w")
    problems = capacity_problems(compiled)
    assert [p.rule for p in problems] == ["WIDE-1"]
    assert "engine properties" in problems[0].message and "--engine reference" in problems[0].message
