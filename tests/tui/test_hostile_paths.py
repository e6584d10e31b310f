"""Paths a careless user types into the Save, Export and Open dialogs: an unknown ~user, a name longer than
the file system allows, a folder of that name. Each is an inline error in the dialog, never a crash that
ends the app (and its unsaved answers)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.tui.app import AdvisorApp
from advisor.tui.screens.dialogs import ExportDialog, OpenDialog, SaveDialog
from tests.tui.test_app import SIZE, pick

MakeApp = Callable[..., AdvisorApp]
LONG = "n" * 300  # longer than any file system's 255-byte name limit

HOSTILE_PATHS = ["~no_such_user_here/x.scenario.yaml", LONG, f"{LONG}/x.yaml"]


@pytest.mark.parametrize("typed", HOSTILE_PATHS, ids=["unknown-user", "long-name", "long-folder"])
@pytest.mark.parametrize(("key", "dialog"), [("ctrl+s", SaveDialog), ("ctrl+r", ExportDialog), ("ctrl+o", OpenDialog)])
async def test_a_hostile_path_is_an_inline_error(make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 typed: str, key: str, dialog: type) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "ingestion_mode", 1)
        await pilot.press(key)
        await pilot.pause()
        if isinstance(app.screen, dialog) is False:  # Open asks first about the unsaved answers
            await pilot.press("enter")
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, dialog)
        if isinstance(screen, SaveDialog):
            screen.query_one("#scenario-title").value = "Stream"  # type: ignore[attr-defined]
        screen.query_one("#path").value = typed  # type: ignore[attr-defined]
        screen.query_one("#path").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and app.return_code is None  # before: an uncaught RuntimeError/OSError ended the app
        assert app.screen is screen
        error = str(screen.query_one("#dialog-error").render())
        assert error.strip(), "the dialog says what is wrong"
        assert "Traceback" not in error
        assert app.main.session.raw.get("ingestion_mode") is not None  # the answers are still there


async def test_saving_over_a_scenario_changed_on_disk_asks_first(make_app: MakeApp, tmp_path: Path) -> None:
    from advisor.tui.screens.dialogs import ConfirmDialog
    from tests.tui.test_app import _save

    scenario = tmp_path / "pipeline.scenario.yaml"
    scenario.write_text("title: Pipeline\nanswers:\n  ingestion_mode: batch\n", encoding="utf-8")
    app = make_app(scenario=scenario)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick(pilot, app, "ingestion_mode", 1)
        # meanwhile a teammate's edit lands in the file (another editor, a git pull)
        theirs = "title: Pipeline\ndescription: their change\nanswers:\n  ingestion_mode: batch\n"
        scenario.write_text(theirs, encoding="utf-8")
        await _save(pilot, app, scenario, "Pipeline")
        assert isinstance(app.screen, ConfirmDialog)  # before: replaced without a word
        assert "changed on disk" in app.screen.message
        assert scenario.read_text(encoding="utf-8") == theirs
        await pilot.press("escape")  # Cancel: their change stays, our answers too
        await pilot.pause()
        assert scenario.read_text(encoding="utf-8") == theirs
        assert app.main.session.dirty
        await pilot.press("escape")  # close the save dialog
        await pilot.pause()
        await _save(pilot, app, scenario, "Pipeline")  # asked again; this time replace
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#btn-overwrite")
        await pilot.pause()
        assert "their change" not in scenario.read_text(encoding="utf-8")
        assert not app.main.session.dirty
        # saved here, unchanged since: the next save replaces it without asking
        await pick(pilot, app, "ingestion_mode", 0)
        await _save(pilot, app, scenario, "Pipeline")
        assert not isinstance(app.screen, ConfirmDialog) and not app.main.session.dirty


async def test_saving_an_unchanged_scenario_replaces_it_without_asking(make_app: MakeApp, tmp_path: Path) -> None:
    from tests.tui.test_app import _save

    scenario = tmp_path / "pipeline.scenario.yaml"
    scenario.write_text("title: Pipeline\nanswers:\n  ingestion_mode: batch\n", encoding="utf-8")
    app = make_app(scenario=scenario)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick(pilot, app, "ingestion_mode", 1)
        await _save(pilot, app, scenario, "Pipeline")
        assert not app.main.session.dirty
    assert "streaming" in scenario.read_text(encoding="utf-8")


async def test_ctrl_c_says_how_to_quit_in_plain_words(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("to quit the app" in m for m in shown), shown
        assert not any("[b]" in m for m in shown), shown  # before: "Press [b]ctrl+q[/b] to quit the app"
        assert app.is_running
