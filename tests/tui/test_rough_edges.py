"""Issue 15, item 3: the TUI rough edges found by driving the app in tmux, each pinned by a Pilot test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Checkbox, Input, SelectionList

from advisor.inference.evaluation import Advisor
from advisor.tui.app import AdvisorApp
from advisor.tui.reasoning_model import build_reasoning
from advisor.tui.screens.dialogs import ConfirmDialog, ExportDialog
from tests.tui.test_app import SIZE, focus_question, pick, type_number

MakeApp = Callable[..., AdvisorApp]


def _strip_text(widget: object, y: int) -> str:
    return "".join(segment.text for segment in widget.render_line(y))  # type: ignore[attr-defined]


async def test_unknown_takes_no_tab_stop_and_keeps_the_typed_number(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        card = await type_number(pilot, app, "max_record_size_kb", "2048")
        field = card.query_one(Input)
        assert app.focused is field
        await pilot.press("tab")
        await pilot.pause()
        assert not isinstance(app.focused, Checkbox)  # Tab leaves the question; Unknown is no stop of its own
        field.focus()
        await pilot.press("question_mark")  # '?' in the field ticks Unknown
        await pilot.pause()
        assert card.query_one(Checkbox).value
        assert app.main.session.raw["max_record_size_kb"] == "unknown"
        await pilot.press("question_mark")  # and unticks it: the number typed before comes back
        await pilot.pause()
        assert not card.query_one(Checkbox).value
        assert field.value == "2048"
        assert app.main.session.raw["max_record_size_kb"] == 2048


async def test_clicking_unknown_keeps_the_typed_number_for_unticking(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        card = await type_number(pilot, app, "max_record_size_kb", "512")
        box = card.query_one(Checkbox)
        await pilot.click(box)
        await pilot.pause()
        assert box.value and app.main.session.raw["max_record_size_kb"] == "unknown"
        await pilot.click(box)
        await pilot.pause()
        assert not box.value
        assert card.query_one(Input).value == "512" and app.main.session.raw["max_record_size_kb"] == 512


async def test_tick_boxes_differ_without_colour(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        card = await focus_question(pilot, app, "max_record_size_kb")
        box = card.query_one(Checkbox)
        unticked = box.render().plain  # type: ignore[union-attr]
        box.value = True
        await pilot.pause()
        assert box.render().plain != unticked  # type: ignore[union-attr]
        topics = await focus_question(pilot, app, "topics")
        listing = topics.query_one(SelectionList)
        before = _strip_text(listing, 0)
        await pilot.press("home", "space")
        await pilot.pause()
        assert listing.selected
        assert _strip_text(listing, 0) != before


async def test_undecided_questions_read_as_prompts_not_ids(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        evaluation = app.main.evaluation
        assert evaluation is not None
        undecided = next(d for d in evaluation.advice.decisions if d.status == "undecided" and d.ask)
        root = build_reasoning(evaluation.advice, undecided.id)
        assert root is not None
        steps = [s for group in root.children for s in group.children if s.kind == "question"]
        assert steps
        for step, ref in zip(steps, undecided.ask, strict=True):
            assert ref.id not in step.label and ref.id not in step.detail
            assert ref.prompt in step.detail


async def test_export_goes_next_to_the_scenario_and_says_where(make_app: MakeApp, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    scenario = project / "pipeline.scenario.yaml"
    scenario.write_text("title: Pipeline\nanswers:\n  ingestion_mode: streaming\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app = make_app(scenario=scenario)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("enter")
        await pilot.pause()
    report = project / "pipeline.advice.md"
    assert report.is_file() and not list(elsewhere.iterdir())
    assert any(str(report.resolve()) in n for n in notes)


async def test_quitting_right_after_typing_asks(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        app.main.session.dirty = False  # as if just saved
        await focus_question(pilot, app, "max_record_size_kb")
        # As a terminal delivers a fast "5" then Ctrl+Q: both keys queued before either is handled.
        app.post_message(events.Key("5", "5"))
        app.post_message(events.Key("ctrl+q", None))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "unsaved" in app.screen.title_text.lower()
        assert app.main.session.raw["max_record_size_kb"] == 5
    assert app.return_code in (None, 0)


async def test_drafts_belong_to_their_scenario_and_say_which(make_app: MakeApp, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    monkeypatch.chdir(one)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 2)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#btn-quit")
        await pilot.pause()

    monkeypatch.chdir(two)  # another project: its own (empty) draft, not the first one's
    other = make_app()
    async with other.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(other.screen, ConfirmDialog)

    monkeypatch.chdir(one)
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(again.screen, ConfirmDialog)
        message = again.screen.message
        assert f"a new scenario started in {one.resolve()}" in message
        assert any(ch.isdigit() for ch in message)  # the time it was saved


async def test_small_terminal_toasts_are_compact_and_titles_wrap(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        app.notify("Report written to /a/folder/with/a/long/name/pipeline.advice.md")
        await pilot.pause(0.2)
        from textual.widgets._toast import Toast

        toast = app.screen.query_one(Toast)
        assert toast.region.height <= 3
        assert toast.region.y >= 24 - 4  # at the bottom, over the footer, not over questions or advice



async def test_small_terminal_wraps_advice_under_the_title(advisor: Advisor) -> None:
    """Shipped rules and a shipped scenario: their recommendations are long enough to wrap at 80 columns."""
    scenario = Path(__file__).parents[2] / "scenarios" / "backup-ddb-regional-dr.scenario.yaml"
    app = AdvisorApp(advisor, scenario=scenario, cursor_blink=False, offer_draft=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        listing = app.main.advice_pane.decisions
        lines = [_strip_text(listing, y).rstrip() for y in range(listing.size.height)]
        evaluation = app.main.evaluation
        assert evaluation is not None
        shown = " ".join(" ".join(lines).split())
        for d in evaluation.advice.decisions[:2]:
            if d.recommended is not None:
                assert " ".join(d.recommended.label.split()) in shown  # whole, not cut
        assert any(line.startswith("  ") and "→" not in line for line in lines)  # something did wrap
        # Nothing wraps back to the left edge: continuation lines stay under the title.
        assert all(line[:1] in ("", " ", "●", "?", "·", "✗") for line in lines), lines
