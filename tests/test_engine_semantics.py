"""Forward chaining, unknown answers, calculators, conflicts and resolution policies, on a small fixed
rule base (tests/fixtures/rules_core), through both the durable-rules engine and the reference engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice, DecisionAdvice, ScenarioRef
from tests.conftest import engine_masked, requires_durable

FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"


@pytest.fixture(scope="module", params=[pytest.param("durable", marks=requires_durable), "reference"])
def core_advisor(request: pytest.FixtureRequest) -> Iterator[Advisor]:
    adv = Advisor.from_folder(FIXTURE, request.param)
    yield adv
    adv.close()


def advise(adv: Advisor, **answers: Any) -> Advice:
    return adv.advise(adv.check(answers), ScenarioRef(id="t", title="t"))


def decision(advice: Advice, decision_id: str) -> DecisionAdvice:
    return next(d for d in advice.decisions if d.id == decision_id)


def test_a_derived_fact_fires_a_rule_two_levels_down(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, size_kb=5000, replay=True, ordering="strict")
    fired = {t.rule_id: t for t in advice.trace}
    assert {"CORE-001", "CORE-002", "STRM-001", "STRM-006"} <= set(fired)
    assert fired["CORE-001"].depth == 0
    assert fired["CORE-002"].depth == 1
    assert fired["STRM-006"].depth == 2
    derived = {f.fact: f for f in advice.derived}
    assert derived["big_retained"].derived_by == ["CORE-002"]


def test_a_required_option_that_is_also_excluded_is_reported_as_a_conflict(core_advisor: Advisor) -> None:
    stream = decision(advise(core_advisor, size_kb=5000, replay=True, ordering="strict"), "stream")
    assert stream.status == "recommended"  # MSK is the only option left
    assert stream.recommended is not None and stream.recommended.option == "msk"
    assert any("kds is required by STRM-006 but excluded by STRM-001" in c for c in stream.conflicts)


def test_exclusion_cites_the_rule_and_the_answers_it_matched(core_advisor: Advisor) -> None:
    stream = decision(advise(core_advisor, size_kb=2048), "stream")
    excluded = {o.option: o for o in stream.excluded}
    assert set(excluded) == {"kds", "sqs", "fifo"}
    verdict = excluded["kds"].verdicts[0]
    assert verdict.rule_id == "STRM-001" and verdict.kind == "exclude"
    assert [(b.fact, b.value, b.source) for b in verdict.matched] == [("oversized", True, "derived")]
    assert verdict.citations[0].render() == "001_3a3c0835dfb19cbf.txt § 1.1.1 Data stream L79"


def test_not_holds_when_the_fact_is_unknown_and_require_wins(core_advisor: Advisor) -> None:
    stream = decision(advise(core_advisor, size_kb=10, ordering="strict"), "stream")
    assert stream.recommended is not None and stream.recommended.option == "fifo"
    assert stream.strength == "must"


def test_not_does_not_hold_when_the_fact_contradicts_it(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, size_kb=10, ordering="strict", replay=True)
    assert "STRM-003" not in {t.rule_id for t in advice.trace}
    assert decision(advice, "stream").recommended.option == "kds"  # type: ignore[union-attr]


def test_an_unknown_answer_matches_a_known_false_test_and_is_bound_as_unknown(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, topics=["stream"], size_kb="unknown")
    trace = {t.rule_id: t for t in advice.trace}
    assert [(b.fact, b.value, b.source) for b in trace["STRM-005"].matched] == [("size_kb", None, "unknown")]
    assert advice.unknown == ["size_kb"]


def test_weights_decide_and_avoid_subtracts(core_advisor: Advisor) -> None:
    stream = decision(advise(core_advisor, size_kb=10, replay=True, sources=["db"]), "stream")
    scores = {o.option: o.score for o in [stream.recommended, *stream.alternatives] if o}
    assert scores == {"kds": 3.0, "sqs": -2.0, "msk": 0.0, "fifo": 0.0}
    assert stream.recommended.option == "kds"  # type: ignore[union-attr]


def test_calculators_chain_and_feed_rules(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, size_kb=10, rate_mb_s=2.5, records_s=500, sources=["iot", "web"])
    derived = {f.fact: f for f in advice.derived}
    assert derived["shards"].value == 3 and derived["shards"].inputs == {"rate_mb_s": 2.5, "records_s": 500}
    assert derived["shards_doubled"].value == 6
    assert "STRM-004" in {t.rule_id for t in advice.trace}


def test_a_calculator_with_an_unknown_input_is_not_computed(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, records_s=5000)
    assert "shards" not in {f.fact for f in advice.derived}


def test_contains_all_needs_every_choice(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, size_kb=10, rate_mb_s=5, sources=["iot"])
    assert "STRM-004" not in {t.rule_id for t in advice.trace}


def test_no_verdict_falls_back_to_the_stated_assumption(core_advisor: Advisor) -> None:
    stream = decision(advise(core_advisor, size_kb=10), "stream")
    assert stream.status == "recommended" and stream.strength == "default"
    assert stream.assumption.startswith("Assumes records under 1 MB")
    assert [q.id for q in stream.ask][:1] == ["replay"]


def test_a_decision_out_of_scope_is_not_applicable(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, topics=["wf"], size_kb=5000)
    assert decision(advice, "stream").status == "not_applicable"


def test_undecided_names_the_questions_that_would_decide(core_advisor: Advisor) -> None:
    wf = decision(advise(core_advisor, topics=["wf"]), "wf")
    assert wf.status == "undecided"
    assert [q.id for q in wf.ask] == ["duration_s"]
    assert "Workflow duration (s)?" in wf.summary  # the prompt, in plain words, not the id
    assert "duration_s" not in wf.summary


@pytest.mark.parametrize(("duration", "expected"), [(1200, "standard"), (300, "express"), (0, "express")])
def test_first_hit_policy_takes_the_first_rule_in_file_order(core_advisor: Advisor, duration: int,
                                                              expected: str) -> None:
    wf = decision(advise(core_advisor, duration_s=duration), "wf")
    assert wf.recommended is not None and wf.recommended.option == expected


def test_ask_when_hides_questions_outside_the_topics(core_advisor: Advisor) -> None:
    relevant = {q.id for q in core_advisor.relevant_questions(core_advisor.check({"topics": ["stream"]}))}
    assert "duration_s" not in relevant
    relevant = {q.id for q in core_advisor.relevant_questions(core_advisor.check({}))}
    assert "duration_s" in relevant


@requires_durable
def test_both_engines_give_identical_advice() -> None:
    durable = Advisor.from_folder(FIXTURE, "durable")
    reference = Advisor.from_folder(FIXTURE, "reference")
    cases = [dict(size_kb=s, replay=r, ordering=o, sources=src, rate_mb_s=rate, duration_s=d)
             for s in (0, 1024, 1025, 99999) for r in (True, False) for o in ("none", "strict")
             for src in ([], ["iot", "web"], ["db"]) for rate in (0.5, 7) for d in (10, 301)]
    try:
        for answers in cases:
            a = durable.advise(durable.check(answers), ScenarioRef(id="x", title="x"))
            b = reference.advise(reference.check(answers), ScenarioRef(id="x", title="x"))
            assert engine_masked(a.model_dump_json()) == engine_masked(b.model_dump_json()), answers
    finally:
        durable.close()


def _big_rulebase(tmp_path: Path, rules: int) -> Path:
    """Many rules on the same few facts: the engine's per-node limits (64 simultaneous matches per fact,
    256 joins per node) must not be reachable from the rule language."""
    root = tmp_path / "rules"
    (root / "questions").mkdir(parents=True)
    (root / "decisions").mkdir()
    (root / "questions" / "q.yaml").write_text(
        "area: {id: a, title: A}\nquestions:\n"
        "  - {id: size, prompt: Size, type: number, unit: KB, min: 0, max: 100000}\n"
        "  - {id: mode, prompt: Mode, type: single,\n"
        "     choices: [{id: x, label: X}, {id: y, label: Y}, {id: z, label: Z}]}\n"
        "  - {id: tags, prompt: Tags, type: multi,\n"
        "     choices: [{id: a, label: A}, {id: b, label: B}, {id: c, label: C}]}\n",
        encoding="utf-8")
    lines = ["id: d", "title: Dee", "question: Which one?", "area: a",
             "applies_when: {any: [{fact: tags, contains: a}, {fact: tags, known: false}]}",
             "options: [{id: o1, label: One, summary: One}, {id: o2, label: Two, summary: Two}]",
             "fallback: {ask: [size]}", "rules:"]
    for i in range(rules):
        option = "o1" if i % 2 else "o2"
        lines += [f"  - id: BIG-{i:03d}", f"    title: Rule number {i}",
                  f"    when: {{all: [{{fact: tags, contains_any: [a, b]}}, {{fact: mode, in: [x, y]}}, "
                  f"{{not: {{fact: size, gt: {i % 20}}}}}]}}",
                  f"    recommend: [{option}]", "    strength: consider",
                  "    reasoning: A generated rule that exercises the engine's node limits.",
                  "    citations: [{note: a.txt, section: S, lines: [1, 1]}]"]
    (root / "decisions" / "d.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@requires_durable
def test_hundreds_of_rules_on_one_fact_stay_within_the_engine_limits(tmp_path: Path) -> None:
    root = _big_rulebase(tmp_path, 300)
    durable = Advisor.from_folder(root, "durable")
    reference = Advisor.from_folder(root, "reference")
    try:
        for answers in ({"tags": ["a", "b"], "mode": "x", "size": 10}, {"tags": ["b"], "mode": "y"},
                        {"tags": ["c"], "mode": "z", "size": 500}, {}):
            a = durable.advise(durable.check(answers), ScenarioRef(id="x", title="x"))
            b = reference.advise(reference.check(answers), ScenarioRef(id="x", title="x"))
            assert engine_masked(a.model_dump_json()) == engine_masked(b.model_dump_json())
        fired = durable.advise(durable.check({"tags": ["a"], "mode": "x", "size": 10}), ScenarioRef(id="x", title="x"))
        assert len(fired.trace) == 150  # thresholds 10..19 hold for 10 of every 20 rules
    finally:
        durable.close()


@requires_durable
def test_too_many_thresholds_on_one_fact_is_a_compile_error_not_a_crash(tmp_path: Path) -> None:
    import re

    root = _big_rulebase(tmp_path, 80)
    text = (root / "decisions" / "d.yaml").read_text(encoding="utf-8")
    (root / "decisions" / "d.yaml").write_text(re.sub(r"gt: \d+", lambda m: f"gt: {m.start() % 997}", text),
                                               encoding="utf-8")
    with pytest.raises(Exception, match=r"tested .* different ways"):
        Advisor.from_folder(root, "durable")


@requires_durable
def test_facts_named_like_the_engines_own_properties_are_ordinary_facts(tmp_path: Path) -> None:
    # 'sid' is durable-rules' session key and q/v/id its old message fields: the backend renames properties,
    # so the rule language does not reserve them.
    root = tmp_path / "rules"
    (root / "questions").mkdir(parents=True)
    (root / "decisions").mkdir()
    (root / "questions" / "q.yaml").write_text(
        "area: {id: a, title: A}\nquestions:\n"
        "  - {id: sid, prompt: Session?, type: boolean}\n"
        "  - {id: q, prompt: Q, type: number, unit: KB, min: 0, max: 100}\n"
        "  - {id: v, prompt: V, type: boolean}\n", encoding="utf-8")
    lines = ["id: d", "title: Dee", "question: Which one?", "area: a",
             "options: [{id: o1, label: One, summary: One}, {id: o2, label: Two, summary: Two}]",
             "fallback: {ask: [sid]}", "rules:"]
    for i, when in enumerate(["{fact: sid, equals: true}", "{all: [{fact: q, gt: 5}, {fact: v, known: false}]}"]):
        lines += [f"  - id: SID-{i:03d}", f"    title: Rule {i}", f"    when: {when}", f"    recommend: [o{i + 1}]",
                  "    strength: consider", "    reasoning: Tests a fact named like an engine property.",
                  "    citations: [{note: a.txt, section: S, lines: [1, 1]}]"]
    (root / "decisions" / "d.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    durable = Advisor.from_folder(root, "durable")
    reference = Advisor.from_folder(root, "reference")
    try:
        for answers in ({"sid": True, "q": 9}, {"sid": False, "q": 9, "v": True}, {}):
            a = durable.advise(durable.check(answers), ScenarioRef(id="x", title="x"))
            b = reference.advise(reference.check(answers), ScenarioRef(id="x", title="x"))
            assert engine_masked(a.model_dump_json()) == engine_masked(b.model_dump_json())
        fired = durable.advise(durable.check({"sid": True, "q": 9}), ScenarioRef(id="x", title="x"))
        assert [r.rule_id for r in fired.trace] == ["SID-000", "SID-001"]
    finally:
        durable.close()
        reference.close()


def test_supports_is_the_one_test_of_which_verdicts_speak_for_an_option() -> None:
    from advisor.models.advice import supports

    assert [k for k in ("require", "exclude", "recommend", "avoid") if supports(k)] == ["require", "recommend"]


def test_the_advice_names_the_deciding_rules_and_the_answers_behind_the_decision(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, size_kb=5000, replay=True, ordering="strict")
    stream = decision(advice, "stream")
    assert stream.recommended is not None
    assert stream.deciding == list(dict.fromkeys(v.rule_id for v in stream.recommended.support()))
    assert all(v.supports for v in stream.recommended.support())
    titles = {t.rule_id: t.title for t in advice.trace}
    assert stream.summary == f"{stream.recommended.label}: {titles[stream.deciding[0]]}."
    # Drivers are traced back through derived facts (oversized, big_retained) to what was answered.
    assert [(b.fact, b.display, b.source) for b in stream.drivers] == [
        ("ordering", "Strict", "answer"), ("size_kb", "5,000 KB", "answer"), ("replay", "yes", "answer")]
    derived = {f.fact: f for f in advice.derived}
    assert [(b.fact, b.source) for b in derived["big_retained"].based_on] == [("replay", "answer"),
                                                                            ("size_kb", "answer")]
    assert derived["oversized"].display == "yes"
    assert decision(advice, "wf").deciding == [] and decision(advice, "wf").drivers == []


def test_under_policy_first_the_first_matching_rule_decides(core_advisor: Advisor) -> None:
    wf = decision(advise(core_advisor, duration_s=1200), "wf")
    assert wf.recommended is not None and wf.recommended.option == "standard"
    assert wf.deciding == ["WFT-001", "WFT-003"]
    assert [(b.fact, b.display) for b in wf.drivers] == [("duration_s", "1,200 s")]


def test_bindings_read_as_the_answers_do(core_advisor: Advisor) -> None:
    advice = advise(core_advisor, size_kb=5000, replay=True, ordering="strict")
    shown = {a.question: a.display for a in advice.answers}
    for fired in advice.trace:
        for b in fired.matched:
            if b.source == "answer":
                assert b.display == shown[b.fact], (fired.rule_id, b.fact)
                assert b.label == next(a.prompt for a in advice.answers if a.question == b.fact)
