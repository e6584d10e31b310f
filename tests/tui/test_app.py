"""Pilot-driven flows: answer and see the advice change, invalid numbers, undecided -> jump, reasoning,
save, load, export, draft and quit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from textual.pilot import Pilot

from advisor.inference.evaluation import Advisor
from advisor.sources.answers import load_scenario
from advisor.tui.app import AdvisorApp
from advisor.tui.draft import DraftStore, draft_key
from advisor.tui.screens.dialogs import ConfirmDialog, ExportDialog, OpenDialog, SaveDialog
from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.main import MainScreen
from advisor.tui.screens.reasoning import ReasoningScreen
from advisor.tui.widgets.choices import RadioList
from advisor.tui.widgets.citation_panel import CitationPanel
from advisor.tui.widgets.question_card import QuestionCard

SIZE = (110, 36)
FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules"
MakeApp = Callable[..., AdvisorApp]


def decision(app: AdvisorApp, decision_id: str):  # type: ignore[no-untyped-def]
    evaluation = app.main.evaluation
    assert evaluation is not None
    return next(d for d in evaluation.advice.decisions if d.id == decision_id)


async def focus_question(pilot: Pilot[int], app: AdvisorApp, qid: str) -> QuestionCard:
    await app.main.jump_to(qid)
    await pilot.pause()
    card = app.main.questionnaire.card(qid)
    assert card is not None
    return card


async def pick(pilot: Pilot[int], app: AdvisorApp, qid: str, index: int) -> None:
    """Pick the index-th choice of a single-choice question with the keyboard."""
    card = await focus_question(pilot, app, qid)
    radio = card.query_one(RadioList)
    await pilot.press("home", *["down"] * index, "enter")
    await pilot.pause()
    assert radio.picked == index


async def type_number(pilot: Pilot[int], app: AdvisorApp, qid: str, text: str) -> QuestionCard:
    card = await focus_question(pilot, app, qid)
    await pilot.press("ctrl+a", "ctrl+k", *list(text))
    await pilot.pause()
    return card


async def test_answers_change_the_advice(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert decision(app, "streaming_ingestion").status == "not_applicable"
        await pick(pilot, app, "ingestion_mode", 1)  # streaming
        assert app.main.session.raw["ingestion_mode"] == "streaming"
        assert decision(app, "streaming_ingestion").status == "undecided"
        # A streaming answer brings the streaming questions in; a big record decides for MSK.
        await type_number(pilot, app, "max_record_size_kb", "2048")
        d = decision(app, "streaming_ingestion")
        assert d.status == "recommended" and d.recommended is not None and d.recommended.option == "msk"
        assert {o.option for o in d.excluded} == {"kds", "sqs_standard"}
        assert "Answered 2 of" in str(app.main.questionnaire.query_one("#progress-label").render())


async def test_invalid_number_is_flagged_and_not_counted(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        card = await type_number(pilot, app, "max_record_size_kb", "12x")
        assert card.has_class("-invalid")
        assert "not a number" in str(card.query_one(".error").render())
        assert "max_record_size_kb" not in app.main.session.raw
        card = await type_number(pilot, app, "consumer_count", "2.5")
        assert "whole number" in str(card.query_one(".error").render())
        card = await type_number(pilot, app, "max_record_size_kb", "99999999999")
        assert "outside the accepted range" in str(card.query_one(".error").render())
        card = await type_number(pilot, app, "max_record_size_kb", "512")
        assert not card.has_class("-invalid")
        assert app.main.session.raw["max_record_size_kb"] == 512


async def test_unknown_is_an_answer(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "cost_sensitivity", 3)  # the Unknown line after three choices
        assert app.main.session.raw["cost_sensitivity"] == "unknown"
        await focus_question(pilot, app, "prefers_serverless")
        await pilot.press("right", "right", "space")
        await pilot.pause()
        assert app.main.session.raw["prefers_serverless"] == "unknown"
        await pilot.press("ctrl+l")  # clear the answer
        await pilot.pause()
        assert "prefers_serverless" not in app.main.session.raw


async def test_undecided_decision_jumps_to_a_deciding_question(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await pilot.press("f3")
        listing = app.main.advice_pane.decisions
        listing.highlighted = next(i for i in range(listing.option_count)
                                   if listing.get_option_at_index(i).id == "streaming_ingestion")
        await pilot.press("enter")
        await pilot.pause()
        focused = app.focused
        assert focused is not None
        card = focused.parent
        while card is not None and not isinstance(card, QuestionCard):
            card = card.parent
        assert isinstance(card, QuestionCard) and card.question.id == "max_record_size_kb"


async def test_reasoning_shows_the_chain_and_citations(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await type_number(pilot, app, "max_record_size_kb", "4096")
        app.main.show_reasoning("streaming_ingestion")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReasoningScreen)
        labels = [str(node.label) for node in _walk(screen.query_one("#reasoning-tree").root)]  # type: ignore[attr-defined]
        assert any("STREAM-001" in label for label in labels)
        assert any("DERIV-001" in label for label in labels)  # the derived fact's own rule
        assert any("4,096 KB" in label for label in labels)  # down to the answer
        citation = next(n for n in _walk(screen.query_one("#reasoning-tree").root)  # type: ignore[attr-defined]
                        if n.data is not None and n.data.citation is not None)
        screen.query_one("#reasoning-tree").move_cursor(citation)  # type: ignore[attr-defined]
        await pilot.pause()
        text = str(screen.query_one("#step-detail").render())
        assert "001_3a3c0835dfb19cbf.txt" in text and "--notes" in text  # no notes folder: the reference
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_citation_passage_with_notes(make_app: MakeApp, notes_dir: Path) -> None:
    app = make_app(notes_dir=notes_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await type_number(pilot, app, "max_record_size_kb", "4096")
        app.main.show_reasoning("streaming_ingestion")
        await pilot.pause()
        tree = app.screen.query_one("#reasoning-tree")
        citation = next(n for n in _walk(tree.root) if n.data is not None and n.data.citation is not None)  # type: ignore[attr-defined]
        tree.move_cursor(citation)  # type: ignore[attr-defined]
        await pilot.pause()
        panel = app.screen.query_one(CitationPanel)
        assert panel.border_title == "Cited passage"
        assert "│" in str(app.screen.query_one("#step-detail").render())  # numbered lines of the note


def _walk(node):  # type: ignore[no-untyped-def]
    yield node
    for child in node.children:
        yield from _walk(child)


async def _save(pilot: Pilot[int], app: AdvisorApp, path: Path, title: str) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, SaveDialog)
    dialog.query_one("#scenario-title").value = title  # type: ignore[attr-defined]
    dialog.query_one("#path").value = str(path)  # type: ignore[attr-defined]
    dialog.query_one("#path").focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_save_writes_a_scenario_the_batch_cli_reads(make_app: MakeApp, tmp_path: Path,
                                                         tui_advisor: Advisor) -> None:
    target = tmp_path / "out" / "my-stream.scenario.yaml"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await type_number(pilot, app, "max_record_size_kb", "2048")
        await pick(pilot, app, "cost_sensitivity", 3)  # unknown
        await _save(pilot, app, target, "My stream")
        assert isinstance(app.screen, MainScreen)
        assert not app.main.session.dirty
    text = target.read_text(encoding="utf-8")
    assert not text.startswith("#")  # the fixture rule base has no schemas/ folder beside it: nothing to name
    data = yaml.safe_load(text)
    assert data["title"] == "My stream"
    assert list(data["answers"]) == ["ingestion_mode", "cost_sensitivity", "max_record_size_kb"]  # questionnaire order
    assert data["answers"]["cost_sensitivity"] == "unknown"
    loaded = load_scenario(tui_advisor.rulebase, target)
    assert loaded.answers.known == {"ingestion_mode": "streaming", "max_record_size_kb": 2048}


async def test_saved_files_name_the_rule_base_schema_so_that_it_resolves_from_where_they_are(
        tmp_path: Path) -> None:
    import shutil

    from advisor.sources.schema import schema_files

    project = tmp_path / "project"
    shutil.copytree(FIXTURE_RULES, project / "rules")
    advisor = Advisor.from_folder(project / "rules")
    (project / "schemas").mkdir()
    schema = project / "schemas" / "scenario.schema.json"
    schema.write_text(schema_files(advisor.rulebase)["scenario.schema.json"], encoding="utf-8")
    inside, outside = project / "scenarios" / "a.scenario.yaml", tmp_path / "elsewhere" / "b.scenario.yaml"
    try:
        app = AdvisorApp(advisor, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await pick(pilot, app, "ingestion_mode", 1)
            await _save(pilot, app, inside, "Inside the project")
            await _save(pilot, app, outside, "Elsewhere")
    finally:
        advisor.close()
    assert inside.read_text(encoding="utf-8").startswith(  # relative: survives cloning the project
        "# yaml-language-server: $schema=../schemas/scenario.schema.json\n")
    first = outside.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema.resolve().as_uri()}"  # absolute: resolves anywhere


async def test_save_confirms_before_replacing_another_file(make_app: MakeApp, tmp_path: Path) -> None:
    target = tmp_path / "taken.scenario.yaml"
    target.write_text("keep me", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 0)
        await _save(pilot, app, target, "Batch")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # cancel: back in the save dialog, with what was typed
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert app.screen.query_one("#path").value == str(target)  # type: ignore[attr-defined]
        assert target.read_text(encoding="utf-8") == "keep me"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#btn-overwrite")
        await pilot.pause()
    assert "Batch" in target.read_text(encoding="utf-8")


async def test_save_error_keeps_the_dialog_open(make_app: MakeApp, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 0)
        await _save(pilot, app, blocker / "sub" / "x.scenario.yaml", "Nope")
        assert isinstance(app.screen, SaveDialog)
        assert app.screen.query_one("#dialog-error").display


async def test_open_loads_answers_and_reports_errors(make_app: MakeApp, tmp_path: Path) -> None:
    good = tmp_path / "good.scenario.yaml"
    good.write_text("title: Good\nanswers:\n  ingestion_mode: hybrid\n  prefers_serverless: true\n", encoding="utf-8")
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("title: Bad\nanswers:\n  ingestion_mode: sideways\n  no_such_question: 1\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OpenDialog)
        dialog.query_one("#path").value = str(bad)  # type: ignore[attr-defined]
        dialog.query_one("#path").focus()
        await pilot.press("enter")
        await pilot.pause()
        error = str(dialog.query_one("#dialog-error").render())
        assert "bad.scenario.yaml:3:" in error and "sideways" in error and "no_such_question" in error
        dialog.query_one("#path").value = str(good)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.main.session.raw == {"ingestion_mode": "hybrid", "prefers_serverless": True}
        assert app.main.session.title == "Good" and not app.main.session.dirty
        card = app.main.questionnaire.card("ingestion_mode")
        assert card is not None and card.query_one(RadioList).picked == 2
        assert decision(app, "batch_processing").recommended.option == "glue"  # type: ignore[union-attr]


async def test_scenario_argument_and_bad_file_at_start(make_app: MakeApp, tmp_path: Path) -> None:
    bad = tmp_path / "broken.scenario.yaml"
    bad.write_text("title: [unclosed\n", encoding="utf-8")
    app = make_app(scenario=bad)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "broken.scenario.yaml:" in app.screen.message


async def test_a_scenario_file_that_does_not_exist_yet_is_created_by_the_first_save(
        make_app: MakeApp, tmp_path: Path, tui_advisor: Advisor) -> None:
    target = tmp_path / "new" / "mine.scenario.yaml"
    app = make_app(scenario=target)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # no "could not open" dialog
        await pick(pilot, app, "ingestion_mode", 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        assert dialog.query_one("#path").value == str(target)  # type: ignore[attr-defined]
        # the title typed does not rename the file the person named
        await pilot.press(*"My stream")
        await pilot.pause()
        assert dialog.query_one("#path").value == str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert load_scenario(tui_advisor.rulebase, target).answers.known == {"ingestion_mode": "streaming"}
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["title"] == "My stream"


async def test_a_new_file_named_at_start_that_appears_meanwhile_is_not_replaced_unasked(
        make_app: MakeApp, tmp_path: Path) -> None:
    target = tmp_path / "mine.scenario.yaml"
    app = make_app(scenario=target)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 0)
        target.write_text("written by someone else", encoding="utf-8")
        await _save(pilot, app, target, "Batch")
        assert isinstance(app.screen, ConfirmDialog)
    assert target.read_text(encoding="utf-8") == "written by someone else"


async def test_a_missing_file_that_is_no_yaml_name_or_a_dangling_link_is_still_an_error(
        make_app: MakeApp, tmp_path: Path) -> None:
    dangling = tmp_path / "gone.scenario.yaml"
    dangling.symlink_to(tmp_path / "nowhere.scenario.yaml")
    for named in (tmp_path / "typo.scenario.yam", dangling):
        app = make_app(scenario=named)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            assert named.name in app.screen.message


async def test_export_markdown(make_app: MakeApp, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await type_number(pilot, app, "max_record_size_kb", "2048")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Advice: Untitled workload")
    assert "Amazon MSK" in text and "STREAM-001" in text


async def test_quit_with_unsaved_answers_keeps_a_draft_that_is_offered(make_app: MakeApp, state_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 2)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#btn-quit")
        await pilot.pause()
    assert app.return_code == 0
    assert DraftStore(state_dir, draft_key(None)).path.is_file()  # the draft of this folder's new scenario

    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ConfirmDialog) and "Unsaved answers" in again.screen.message
        await pilot.click("#btn-restore")
        await pilot.pause()
        await pilot.pause()
        assert again.main.session.raw == {"ingestion_mode": "hybrid"}
        assert again.main.session.dirty


async def test_clean_quit_needs_no_confirmation(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_help_palette_and_theme(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark != dark
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"region")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        focused = app.focused
        assert focused is not None and focused.parent is not None
        assert getattr(focused.parent, "question", None) is not None
        assert focused.parent.question.id == "aws_region"  # type: ignore[attr-defined]


async def test_bindings_have_stable_ids(make_app: MakeApp) -> None:
    from advisor.tui.bindings import ADVICE_BINDINGS, APP_BINDINGS, MAIN_BINDINGS, REASONING_BINDINGS

    ids = [b.id for b in APP_BINDINGS + MAIN_BINDINGS + ADVICE_BINDINGS + REASONING_BINDINGS]
    assert all(i and i.startswith("advisor.") for i in ids) and len(ids) == len(set(ids))


async def test_small_terminal_does_not_crash(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await type_number(pilot, app, "max_record_size_kb", "-5")
        app.main.show_reasoning("streaming_ingestion")
        await pilot.pause()
        await pilot.press("down", "down", "enter", "right_square_bracket", "escape")
        await pilot.pause()
    assert app.return_code in (None, 0)


async def test_an_answer_hidden_by_a_later_answer_is_shown_as_not_counted(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)  # streaming: the record size question appears
        await type_number(pilot, app, "max_record_size_kb", "2048")
        assert decision(app, "streaming_ingestion").status == "recommended"
        await pick(pilot, app, "ingestion_mode", 0)  # batch: the record size question is hidden again
        await pilot.pause()
        assert app.main.session.raw["max_record_size_kb"] == 2048  # kept, so switching back restores it
        advice = app.main.evaluation.advice
        assert [a.question for a in advice.ignored] == ["max_record_size_kb"]
        assert decision(app, "streaming_ingestion").status == "not_applicable"
        pane = app.main.query_one("#advice")
        assert "1 not counted" in str(pane.border_subtitle)
        detail = str(app.main.query_one("#decision-detail").render())
        assert "Not counted" in detail and "2,048 KB" in detail
