"""The advice builder keeps pure steps in bounded memos shared between evaluations (advisor.inference.memo):
a decision's resolution, the advice of a decision in play and each fired rule's trace entry, each keyed by
everything it reads. A hit must give exactly what building again gives: the same scenarios evaluated with
the memos shared (and with tiny memos that keep forgetting) render byte-identical to evaluations that start
from empty memos. Neighbouring scenarios (one answer changed, as what-if makes them) share most keys, so
they are where a key missing something would show."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.analysis.whatif import WhatIfAnalysis, _apply
from advisor.inference.compiler import expand_facts
from advisor.inference.evaluation import Advisor, _AdviceBuilder
from advisor.inference.memo import BoundedMemo
from advisor.models.advice import ScenarioRef
from advisor.render.json_format import render_json
from advisor.sources.answers import Answers, load_scenario
from advisor.sources.discovery import find_scenarios
from advisor.sources.rulebase import load_rulebase
from tests.conftest import SCENARIOS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate

ROOT = Path(__file__).resolve().parent.parent
REF = ScenarioRef(id="memo", title="memo")
MEMOS = ("resolutions", "decision_advice", "decision_parts", "decision_plans", "fired_entries", "verdicts", "bindings",
         "answer_records")


def forget(advisor: Advisor) -> None:
    for name in MEMOS:
        getattr(advisor, name).clear()


def neighbours(advisor: Advisor, answers: Answers, every: int) -> Iterator[Answers]:
    """The scenario, then every `every`-th single-answer change of it."""
    yield answers
    singles = WhatIfAnalysis(advisor, answers).single_changes(list(advisor.rulebase.questions))
    for change in singles[::every]:
        yield _apply(answers, (change,))


def scenarios(advisor: Advisor, rules: Path) -> list[Answers]:
    out = generate(advisor.rulebase, 12, seed=5) + generate(advisor.rulebase, 12, seed=6, answered=0.25)
    if rules == ROOT / "rules":
        files, _ = find_scenarios([str(SCENARIOS)])
        out += [load_scenario(advisor.rulebase, f).answers for f in files[::40]]
    return [n for answers in out[::6] for n in neighbours(advisor, answers, 9)] + out


@pytest.mark.parametrize("rules", [ROOT / "rules", ROOT / "tests" / "hostile" / "rules_valid"],
                         ids=["shipped", "fixture"])
def test_memoised_advice_equals_advice_built_afresh(rules: Path) -> None:
    shared = Advisor(load_rulebase(rules), "reference")
    fresh = Advisor(shared.rulebase, "reference")
    tiny = Advisor(shared.rulebase, "reference")
    parts = Advisor(shared.rulebase, "reference")  # decisions always built again, from kept options and why-nots
    for name in MEMOS:
        setattr(tiny, name, BoundedMemo(limit=4))
    items = scenarios(shared, rules)
    for _ in range(3):  # a value is kept the second time its key comes round, and found the third time
        unchanged = 0
        for answers in items:
            before = len(shared.decision_advice)
            forget(fresh)
            expected = render_json(fresh.advise(answers, REF))
            assert render_json(shared.advise(answers, REF)) == expected
            assert render_json(tiny.advise(answers, REF)) == expected
            parts.decision_advice.clear()
            assert render_json(parts.advise(answers, REF)) == expected
            unchanged += len(shared.decision_advice) == before
    assert len(shared.decision_advice) > 0 and unchanged == len(items)  # the last round only found what it needed
    assert all(len(getattr(tiny, name)) <= 4 for name in MEMOS)
    assert len(parts.decision_parts) > 0


def test_bounded_memo_keeps_keys_that_come_round_again_and_forgets_its_older_half() -> None:
    memo = BoundedMemo(limit=4)
    assert memo.keep("once", 1) == 1 and "once" not in memo
    for n in range(5):
        memo.keep(n, str(n))
        memo.keep(n, str(n))
    assert list(memo) == [2, 3, 4] and memo.keep(5, "5") == "5" and 5 not in memo
    memo.keep(5, "5")
    assert list(memo) == [2, 3, 4, 5]
    memo.clear()
    memo.keep(2, "2")
    assert not memo


def test_what_a_derived_fact_rests_on_is_part_of_the_key() -> None:
    """STRM-001 reads the derived `oversized`, derived from size_kb: two sizes give the same bindings for
    STRM-001 but different drivers, so the second evaluation must not reuse the first one's decision."""
    advisor = Advisor(load_rulebase(ROOT / "tests" / "hostile" / "rules_valid"), "reference")
    drivers = []
    for size in (2000, 2000, 3000):  # the second evaluation keeps the decision's advice
        answers = advisor.check({"size_kb": size, "topics": ["stream"], "replay": True, "ordering": "strict"})
        stream = next(d for d in advisor.advise(answers, REF).decisions if d.id == "stream")
        drivers.append([(b.fact, b.value) for b in stream.drivers])
    assert ("size_kb", 2000) in drivers[1] and ("size_kb", 3000) in drivers[2]


def _depths_by_full_passes(builder: _AdviceBuilder) -> dict[str, int]:
    """Depths as first written: every fired rule looked at on every pass until nothing changes."""
    firings, depth, fact_depth = builder.firings, {}, {}
    for _ in range(len(firings.fired) + 1):
        changed = False
        for rule_id, firing in firings.fired.items():
            deps = [fact_depth.get(f) for f, _ in firing.bindings if f in firings.derived]
            if any(d is None for d in deps):
                continue
            new = 1 + max(deps) if deps else 0
            if depth.get(rule_id) != new:
                depth[rule_id], changed = new, True
                for fact, _ in builder.advisor.compiled.derives.get(rule_id, ()):
                    fact_depth[fact] = min(fact_depth.get(fact, 10**9), new)
        if not changed:
            break
    return depth


@pytest.mark.parametrize("rules", [ROOT / "rules", ROOT / "tests" / "hostile" / "rules_valid"],
                         ids=["shipped", "fixture"])
def test_depths_settle_rules_without_derived_facts_first(rules: Path) -> None:
    advisor = Advisor(load_rulebase(rules), "reference")
    chained = 0
    for answers in generate(advisor.rulebase, 60, seed=9, answered=0.8):
        counted, _ = advisor.counted(answers)
        calculated, firings, _ = advisor.infer(counted)
        builder = _AdviceBuilder(advisor, counted, calculated, firings)
        assert builder.depths() == _depths_by_full_passes(builder)
        chained += any(d > 0 for d in builder.depths().values())
    assert chained


@pytest.mark.parametrize("rules", [ROOT / "rules", ROOT / "tests" / "hostile" / "rules_valid"],
                         ids=["shipped", "fixture"])
def test_the_resolver_is_given_the_facts_it_would_expand_itself(rules: Path) -> None:
    """Advisor.advise hands the builder the answers already expanded, and the builder expands only the calculated
    and derived facts for the resolver: the same facts as expanding them all, multi-choice answers included."""
    advisor = Advisor(load_rulebase(rules), "reference")
    compared = 0
    for answers in scenarios(advisor, rules)[::3]:
        counted, _, answer_facts, hidden = advisor._counted(answers)
        calculated, _ = advisor.calculate(counted)
        _, firings, _ = advisor.infer(counted, calculated)
        builder = _AdviceBuilder(advisor, counted, calculated, firings, answer_facts, hidden)
        assert builder._expanded() == expand_facts(builder.facts)
        compared += any(isinstance(v, list) for v in counted.known.values()) and bool(firings.derived)
    assert compared
