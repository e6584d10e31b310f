"""The non-textual parts: session relevance, scenario files, drafts, number parsing, reasoning steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.inference.evaluation import Advisor
from advisor.sources.answers import load_scenario
from advisor.tui.draft import DraftStore, state_dir
from advisor.tui.reasoning_model import build_reasoning
from advisor.tui.scenario_io import scenario_text, write_atomic
from advisor.tui.session import Session
from advisor.tui.widgets.question_card import parse_number


def test_hidden_answers_are_kept_but_not_counted(tui_advisor: Advisor) -> None:
    session = Session(tui_advisor)
    session.set_answer("ingestion_mode", "streaming")
    session.set_answer("max_record_size_kb", 4096)
    assert session.effective() == {"ingestion_mode": "streaming", "max_record_size_kb": 4096}
    session.set_answer("ingestion_mode", "batch")  # the streaming questions are no longer asked
    assert session.effective() == {"ingestion_mode": "batch"}
    assert session.raw["max_record_size_kb"] == 4096  # switching back brings it back
    evaluation = session.evaluate()
    assert "max_record_size_kb" not in {q.id for q in evaluation.relevant}
    assert evaluation.answered == 1


def test_set_answer_reports_changes(tui_advisor: Advisor) -> None:
    session = Session(tui_advisor)
    assert session.set_answer("prefers_serverless", True)
    assert not session.set_answer("prefers_serverless", True)
    assert session.set_answer("prefers_serverless", None)
    assert not session.set_answer("prefers_serverless", None)
    assert session.dirty


def test_scenario_text_round_trips(tui_advisor: Advisor, tmp_path: Path) -> None:
    answers = {"needs_replay": "unknown", "topics": ["processing"], "ingestion_mode": "hybrid"}
    text = scenario_text(tui_advisor.questionnaire, "Title: with colon", "Two\nlines", answers)
    assert not text.startswith("#")  # no schemas/ beside the fixture rules: no schema line
    path = tmp_path / "x.scenario.yaml"
    write_atomic(path, text)
    loaded = load_scenario(tui_advisor.rulebase, path)
    assert loaded.scenario.title == "Title: with colon"
    assert loaded.answers.known == {"ingestion_mode": "hybrid", "topics": ["processing"]}
    assert loaded.answers.unknown == {"needs_replay"}
    assert path.stat().st_mode & 0o044  # readable by others like any file the user writes


def test_draft_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_STATE_DIR", str(tmp_path / "s"))
    assert state_dir() == tmp_path / "s"
    store = DraftStore()
    assert store.info() is None
    store.save("title: t\nanswers: {}\n", Path("a.scenario.yaml"))
    info = store.info()
    assert info is not None and info.source == Path("a.scenario.yaml").resolve()
    store.clear()
    assert store.info() is None


@pytest.mark.parametrize(("text", "value", "problem"), [
    ("", None, None), ("  42 ", 42, None), ("1.5", 1.5, None), ("1_000", 1000, None), ("?", "unknown", None),
    ("unknown", "unknown", None), ("abc", None, "not a number"), ("1,5", None, "digits only"),
    ("nan", None, "finite"), ("inf", None, "finite"), ("-1", None, "outside"), ("1e99", None, "outside"),
])
def test_parse_number(tui_advisor: Advisor, text: str, value: object, problem: str | None) -> None:
    question = tui_advisor.rulebase.questions["max_record_size_kb"]
    got, message = parse_number(question, text)
    assert got == value
    assert (message is None) if problem is None else (problem in (message or ""))


def test_reasoning_steps_reach_answers_formulas_and_citations(tui_advisor: Advisor) -> None:
    session = Session(tui_advisor)
    for qid, value in {"ingestion_mode": "streaming", "max_record_size_kb": 4096, "write_throughput_mb_s": 300}.items():
        session.set_answer(qid, value)
    advice = session.evaluate().advice
    root = build_reasoning(advice, "streaming_ingestion")
    assert root is not None

    def walk(step):  # type: ignore[no-untyped-def]
        yield step
        for child in step.children:
            yield from walk(child)

    steps = list(walk(root))
    kinds = {s.kind for s in steps}
    assert {"verdict", "derived", "rule", "answer", "citation", "calculated"} <= kinds
    calculated = next(s for s in steps if s.kind == "calculated")
    assert "ceil(write_throughput_mb_s / 1)" in calculated.label
    assert any(s.kind == "citation" and s.citation and s.citation.start == 79 for s in steps)  # calculator's cite
