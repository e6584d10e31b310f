"""One meaning for a scenario: an answer to a question that is not asked (its ask_when does not hold over
the answers that count) does not count, wherever the scenario is evaluated, and every output says so."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.app.cli import main
from advisor.inference.compiler import expand_facts
from advisor.inference.evaluation import Advisor
from advisor.inference.predicates import condition_holds
from advisor.render.json_format import render_json
from advisor.render.markdown import render_markdown
from advisor.sources.answers import Answers, load_scenario
from advisor.sources.discovery import find_scenarios
from advisor.tui.session import Session
from tests.conftest import SCENARIOS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate

SCENARIO_FILES, _ = find_scenarios([str(SCENARIOS)])

CHAIN_QUESTIONS = """\
area: {id: core, title: Core, order: 0}
questions:
  - id: mode
    prompt: Batch or streaming?
    type: single
    core: true
    choices: [{id: batch, label: Batch}, {id: streaming, label: Streaming}]
  - {id: size_kb, prompt: "Largest record (KB)?", type: number, unit: KB, min: 0, max: 100000,
     ask_when: {fact: mode, equals: streaming}}
  - {id: replay, prompt: "Replay needed?", type: boolean, ask_when: {fact: size_kb, gt: 10}}
"""
CHAIN_DECISION = """\
id: pick
title: Pick
question: Which?
area: core
options:
  - {id: big, label: Big, summary: For replay}
  - {id: small, label: Small, summary: Otherwise}
fallback: {ask: [replay]}
rules:
  - id: PICK-001
    title: Replay wants big
    when: {fact: replay, equals: true}
    recommend: [big]
    reasoning: A test rule for the hidden-answer semantics.
    citations: [{note: a.txt, section: S, lines: [1, 1]}]
  - id: PICK-002
    title: No replay wants small
    when: {fact: replay, equals: false}
    recommend: [small]
    reasoning: A test rule for the hidden-answer semantics.
    citations: [{note: a.txt, section: S, lines: [1, 1]}]
"""


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Advisor:
    root = tmp_path_factory.mktemp("chain") / "rules"
    (root / "questions").mkdir(parents=True)
    (root / "decisions").mkdir()
    (root / "questions" / "core.yaml").write_text(CHAIN_QUESTIONS, encoding="utf-8")
    (root / "decisions" / "pick.yaml").write_text(CHAIN_DECISION, encoding="utf-8")
    return Advisor.from_folder(root, "reference")


def _session_advice(advisor: Advisor, path: Path) -> str:
    loaded = load_scenario(advisor.rulebase, path)
    session = Session(advisor)
    raw = {**{q: v for q, v in loaded.answers.known.items()}, **{q: "unknown" for q in loaded.answers.unknown}}
    session.replace(title=loaded.scenario.title, description=loaded.scenario.description, raw=raw,
                    source=path, dirty=False)
    advice = session.evaluate().advice
    return render_json(advice.model_copy(update={"scenario": advisor.evaluate(loaded).scenario}))


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.name.removesuffix(".scenario.yaml") for p in SCENARIO_FILES])
def test_the_tui_session_and_the_cli_give_identical_advice(advisor: Advisor, path: Path) -> None:
    cli = render_json(advisor.evaluate(load_scenario(advisor.rulebase, path)))
    assert _session_advice(advisor, path) == cli


def test_an_answer_hidden_by_another_answer_does_not_count(chain: Advisor) -> None:
    answers = chain.check({"mode": "batch", "size_kb": 50, "replay": True})
    counted, dropped = chain.counted(answers)
    # size_kb is not asked for batch; without it replay is not asked either (the fixpoint)
    assert counted.known == {"mode": "batch"}
    assert dropped == ["size_kb", "replay"]
    advice = chain.advise(answers, _ref())
    assert [(a.question, a.display) for a in advice.ignored] == [("size_kb", "50 KB"), ("replay", "yes")]
    assert advice.ignored[0].asked_when == "mode = streaming"
    assert next(d for d in advice.decisions if d.id == "pick").status == "undecided"


def test_answers_that_are_asked_count(chain: Advisor) -> None:
    answers = chain.check({"mode": "streaming", "size_kb": 50, "replay": True})
    advice = chain.advise(answers, _ref())
    assert advice.ignored == []
    assert next(d for d in advice.decisions if d.id == "pick").recommended.option == "big"  # type: ignore[union-attr]


def test_an_unknown_answer_to_a_hidden_question_is_listed_too(chain: Advisor) -> None:
    advice = chain.advise(chain.check({"mode": "batch", "replay": "unknown"}), _ref())
    assert [(a.question, a.value, a.display) for a in advice.ignored] == [("replay", None, "unknown")]
    assert advice.unknown == []


def test_what_if_never_suggests_answering_a_hidden_question(chain: Advisor) -> None:
    from advisor.analysis.whatif import explain

    advice = explain(chain, chain.advise(chain.check({"mode": "batch"}), _ref()))
    pick = next(d for d in advice.decisions if d.id == "pick")
    for what_if in pick.what_if:
        changed = {c.question for c in what_if.changes}
        assert "mode" in changed, "a hidden question's answer alone can change nothing"


def test_every_output_reports_ignored_answers(tmp_path: Path) -> None:
    scenario = tmp_path / "hidden.yaml"
    scenario.write_text("title: Batch with a stray streaming answer\nanswers:\n  ingestion_mode: batch\n"
                        "  max_record_size_kb: 5120\n", encoding="utf-8")
    runner = CliRunner()
    as_json = json.loads(runner.invoke(main, ["evaluate", str(scenario), "--format", "json"]).stdout)
    assert [a["question"] for a in as_json["ignored"]] == ["max_record_size_kb"]
    streaming = next(d for d in as_json["decisions"] if d["id"] == "streaming_ingestion")
    assert streaming["status"] == "not_applicable"
    markdown = runner.invoke(main, ["evaluate", str(scenario), "--format", "markdown"]).stdout
    assert "## Answers that did not count" in markdown and "5,120 KB" in markdown
    text = runner.invoke(main, ["evaluate", str(scenario), "--color", "never"]).stdout
    assert "not counted: max_record_size_kb = 5,120 KB" in " ".join(text.split())


def test_markdown_of_a_scenario_without_hidden_answers_has_no_such_section(advisor: Advisor) -> None:
    advice = advisor.evaluate(load_scenario(advisor.rulebase, SCENARIO_FILES[0]))
    assert advice.ignored == []
    assert "did not count" not in render_markdown(advice)


def _ref():  # type: ignore[no-untyped-def]
    from advisor.models.advice import ScenarioRef

    return ScenarioRef(id="t", title="t")


def _pick(advisor: Advisor, raw: dict[str, object]) -> list[str]:
    advice = advisor.advise(advisor.check(raw), _ref())
    return [q.id for q in next(d for d in advice.decisions if d.id == "pick").ask]


def test_an_undecided_decision_names_only_questions_that_are_shown(chain: Advisor) -> None:
    """replay would decide, but it is hidden until size_kb > 10, and size_kb until mode = streaming: the person
    is pointed at the shown question that unlocks the chain, never at a question they cannot see."""
    assert _pick(chain, {}) == ["mode"]
    assert _pick(chain, {"mode": "streaming"}) == ["size_kb"]
    assert _pick(chain, {"mode": "streaming", "size_kb": 50}) == ["replay"]
    # answers already given keep replay hidden for good: nothing shown would unlock it
    assert _pick(chain, {"mode": "batch"}) == []
    assert _pick(chain, {"mode": "streaming", "size_kb": 5}) == []


def test_shipped_scenarios_are_pointed_only_at_shown_questions(advisor: Advisor) -> None:
    for path in SCENARIO_FILES:
        loaded = load_scenario(advisor.rulebase, path)
        counted, _ = advisor.counted(loaded.answers)
        shown = {q.id for q in advisor.relevant_questions(counted)}
        for d in advisor.evaluate(loaded).decisions:
            hidden = [q.id for q in d.ask if q.id not in shown]
            assert not hidden, f"{path.name}: {d.id} asks hidden questions {hidden}"


def _counted_by_full_passes(advisor: Advisor, answers: Answers) -> Answers:
    """The meaning of `counted`, checking every remaining answer on every pass (no shortcut)."""
    known, unknown = dict(answers.known), set(answers.unknown)
    while True:
        shown = {q.id for q in advisor.relevant_questions(Answers(known, frozenset(unknown)))}
        hidden = [q for q in (*known, *unknown) if q not in shown]
        if not hidden:
            return Answers(known, frozenset(unknown))
        for q in hidden:
            known.pop(q, None)
            unknown.discard(q)


def test_counted_rechecks_only_what_a_dropped_answer_can_hide(advisor: Advisor) -> None:
    """`counted` re-checks, after a pass drops answers, only the questions whose ask_when reads a dropped one:
    the same answers count as when every answer is checked again on every pass."""
    chains = batched = 0
    many = generate(advisor.rulebase, 80, seed=13) + generate(advisor.rulebase, 40, seed=14, answered=0.9)
    few = generate(advisor.rulebase, 40, seed=15, answered=0.1)  # a few answers: each ask_when tested on its own
    for answers in many + few:
        counted, dropped = advisor.counted(answers)
        expected = _counted_by_full_passes(advisor, answers)
        assert counted.known == expected.known and counted.unknown == expected.unknown
        assert dropped == [q for q in advisor.rulebase.questions if q in answers.known and q not in counted.known]
        chains += bool(dropped)
        # the hidden questions it hands on (to the advice's builder and resolver) are those of the answers that count
        facts = expand_facts(counted.known)
        counted_again, _, answer_facts, hidden = advisor._counted(answers)
        # the facts it hands on are those same answers expanded, in the same order, and the engine's facts made
        # from them are those made from the answers (same facts, same order)
        assert list(answer_facts.items()) == list(facts.items())
        calculated, _ = advisor.calculate(counted_again)
        assert (list(advisor._engine_facts_from(counted_again, answer_facts, calculated).items())
                == list(advisor.engine_facts(counted_again, calculated).items()))
        if hidden is not None:  # many answers: every ask_when tested in one call
            batched += 1
            assert hidden == {q.id for q in advisor.rulebase.questions.values() if q.ask_when
                              and not condition_holds(q.ask_when, facts, expanded=True)}
    assert chains > 40 and batched >= 120
