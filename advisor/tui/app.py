"""AdvisorApp: wires the session, the screens, files and the autosaved draft together.

Scenario texts, file names and rule-base texts reach the screen through `advisor.shared.safe_text`: widgets get
`Text`/`Content` objects or markup=False (a `[` is literal), and control characters are shown escaped.
Notifications go through `notify`, which does both for every message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from advisor.inference.evaluation import Advisor
from advisor.shared import safe_text, wording
from advisor.shared.atomic_write import write_atomic
from advisor.shared.diagnostics import InvalidInput, display_path
from advisor.sources.answers import LoadedScenario
from advisor.sources.notes import Notes
from advisor.tui.bindings import APP_BINDINGS
from advisor.tui.commands import QuestionsAndDecisions
from advisor.tui.draft import DraftStore, draft_key
from advisor.tui.scenario_io import names_a_new_file, raw_answers, read_scenario, scenario_text
from advisor.tui.screens.dialogs import problem_text
from advisor.tui.screens.main import MainScreen
from advisor.tui.session import DEFAULT_TITLE, Session

AUTOSAVE_DELAY = 1.0
"""Seconds of quiet before the draft is written: often enough to lose little, rarely enough to be free."""
DARK, LIGHT = "textual-dark", "textual-light"


def slug(title: str) -> str:
    return wording.slug(title, "scenario")


class AdvisorApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "Advisor"
    BINDINGS = APP_BINDINGS  # type: ignore[assignment]
    COMMANDS = App.COMMANDS | {QuestionsAndDecisions}
    jump_highlight_s = 1.5
    """How long a question reached by a jump stays highlighted (tests hold it, so screenshots do not
    depend on how fast the machine is)."""

    def __init__(self, advisor: Advisor, scenario: Path | None = None, notes_dir: Path | None = None, *,
                 state_dir: Path | None = None, cursor_blink: bool = True, offer_draft: bool = True) -> None:
        super().__init__()
        self.advisor = advisor
        self.session = Session(advisor)
        self.scenario_path = scenario
        self.notes_dir = Notes.locate(notes_dir)
        self.state_dir = state_dir
        self.drafts = DraftStore(state_dir, draft_key(scenario))
        self.cursor_blink = cursor_blink
        self.offer_draft = offer_draft
        self._autosave_timer: Any = None
        self.draft_problem: str | None = None
        """Why the last autosave failed; None when the draft holds the answers."""
        self._start_problem: InvalidInput | None = None
        self.source_digest: str | None = None
        """The digest of the scenario file as it was opened or last saved here (None: unknown)."""
        self.theme = DARK
        self.new_file: Path | None = scenario if scenario is not None and names_a_new_file(scenario) else None
        """The scenario file named at start that does not exist yet: the first save suggests it."""
        if scenario is not None and self.new_file is None:
            # Before the first paint, so the questionnaire appears already filled in.
            try:
                self._adopt(read_scenario(advisor, scenario), scenario)
            except InvalidInput as exc:
                self._start_problem = exc

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification names files or quotes answers: plain text (markup off), control characters
        shown. Widgets' `notify` comes here too."""
        super().notify(safe_text.block(message), title=safe_text.line(title), severity=severity, timeout=timeout,
                       markup=False)

    # ---- start -----------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        # The main screen is the default one, so the first paint already shows the questionnaire.
        return MainScreen(self.session, cursor_blink=self.cursor_blink)

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    def on_mount(self) -> None:
        if self._start_problem is not None and self.scenario_path is not None:
            self.show_problems(f"Could not open {display_path(self.scenario_path)}", self._start_problem)
        elif self.new_file is not None:
            self.notify(f"{display_path(self.new_file)} does not exist yet: saving (Ctrl+S) creates it.")
        elif self.scenario_path is not None:
            self.notify(f"Opened {display_path(self.scenario_path)}.")
        if self.offer_draft:
            self.call_after_refresh(self._offer_draft)
        self._end_on_signals()

    def _end_on_signals(self) -> None:
        """SIGTERM or SIGHUP (the terminal closed) quits like Ctrl+Q would, keeping the answers as a draft,
        instead of killing the process with the answers typed since the last autosave."""
        import asyncio

        from advisor.shared.termination import SIGNALS

        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            try:
                loop.add_signal_handler(signum, self._terminated, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                return  # not the main thread or no Unix signals: the default behaviour stays

    def _terminated(self, signum: int) -> None:
        if self.session.dirty:
            self.write_draft()
        self.exit(128 + signum, return_code=128 + signum)

    def _offer_draft(self) -> None:
        info = self.drafts.info()
        if info is None:
            return
        from advisor.tui.screens.dialogs import ConfirmDialog

        when = info.saved_label()
        key = self.drafts.key
        what = (f"{display_path(info.source)}" if info.source else
                f"a new scenario started in {key or 'this folder'}")
        message = (f"Unsaved answers for {what}, from {when}.\n"
                   "Restore them, or discard the draft?")

        async def decided(answer: str | None) -> None:
            if answer == "restore":
                await self.restore_draft(info.source)
            elif answer == "discard":
                self.clear_draft()

        self.push_screen(ConfirmDialog("Unsaved draft", message,
                                       [("Restore", "restore", "primary"), ("Discard", "discard", "error"),
                                        ("Not now", "cancel", "default")]), decided)

    async def restore_draft(self, source: Path | None) -> None:
        try:
            loaded = read_scenario(self.advisor, self.drafts.path)
        except InvalidInput as exc:
            self.show_problems("The draft no longer fits the rules", exc)
            return
        self.session.replace(title=loaded.scenario.title, description=loaded.scenario.description,
                             raw=raw_answers(loaded), source=source, dirty=True, current=loaded.current)
        await self.main.reload()
        self.notify("Draft restored.")

    # ---- files -----------------------------------------------------------------------------------
    def _use_draft_of(self, scenario: Path | None) -> None:
        """Autosave to the draft of this scenario file from now on (each file has its own)."""
        key = draft_key(scenario)
        if key != self.drafts.key:
            self.drafts = DraftStore(self.state_dir, key)

    def _adopt(self, loaded: LoadedScenario, path: Path) -> None:
        self.source_digest = _file_digest(path)
        self.session.replace(title=loaded.scenario.title, description=loaded.scenario.description,
                             raw=raw_answers(loaded), source=path, dirty=False, current=loaded.current)

    def load_path(self, path: Path) -> None:
        """Replace the answers with a scenario file's; raises InvalidInput with located messages."""
        self._adopt(read_scenario(self.advisor, path), path)
        self._cancel_autosave()
        self._use_draft_of(path)
        self.call_later(self.main.reload)
        self.notify(f"Opened {display_path(path)}.")

    def show_problems(self, title: str, exc: InvalidInput) -> None:
        from advisor.tui.screens.dialogs import ConfirmDialog, problem_text

        self.push_screen(ConfirmDialog(title, problem_text(exc), [("OK", "ok", "primary")]))

    def save_to(self, path: Path, title: str, description: str) -> None:
        text = scenario_text(self.advisor.questionnaire, title, description, self.session.effective(),
                             self.session.current, saved_at=path)
        write_atomic(path, text)
        self.source_digest = _file_digest(path)
        self.session.title, self.session.description = title, description
        self.session.source, self.session.dirty = path, False
        self._cancel_autosave()
        self.main.update_titles()
        self.notify(f"Saved {display_path(path)}. Run it with: advisor evaluate {display_path(path)}")
        self.clear_draft()
        self._use_draft_of(path)

    def export_to(self, path: Path) -> None:
        from advisor.render.markdown import render_markdown

        main = self.main
        main.refresh_advice()
        assert main.evaluation is not None
        write_atomic(path, render_markdown(main.evaluation.advice))
        self.notify(f"Report written to {path.resolve()}", timeout=8)

    def _default_scenario_path(self) -> str:
        if self.session.source:
            return display_path(self.session.source)
        if self.new_file is not None:
            return display_path(self.new_file)
        folder = Path("scenarios")
        name = f"{slug(self.session.title)}.scenario.yaml"
        return str(folder / name) if folder.is_dir() else name

    def action_save(self) -> None:
        from advisor.tui.screens.dialogs import SaveDialog

        title = "" if self.session.title == DEFAULT_TITLE else self.session.title
        self.push_screen(SaveDialog(self._default_scenario_path(), title, self.session.description, self.save_to,
                                    own=self.session.source, own_changed=self.source_changed_on_disk,
                                    named=self.session.source is None and self.new_file is not None,
                                    blink=self.cursor_blink))

    def source_changed_on_disk(self) -> bool:
        """Whether the scenario file now holds something else than what was opened or saved here (another
        editor or a `git checkout` changed it): saving over it would lose that change."""
        if self.session.source is None or self.source_digest is None:
            return False
        now = _file_digest(self.session.source)
        return now is not None and now != self.source_digest

    def action_open(self) -> None:
        from advisor.tui.screens.dialogs import ConfirmDialog, OpenDialog

        def open_dialog(answer: str | None = "open") -> None:
            if answer == "open":
                root = Path("scenarios") if Path("scenarios").is_dir() else Path(".")
                self.push_screen(OpenDialog("", self.load_path, root, blink=self.cursor_blink))

        if self.session.dirty:
            self.push_screen(ConfirmDialog("Replace unsaved answers?",
                                           "Opening a file replaces the answers you have not saved.\n"
                                           "(They stay in the draft until your next change.)",
                                           [("Open anyway", "open", "warning"), ("Cancel", "cancel", "default")]),
                             open_dialog)
        else:
            open_dialog()

    def action_export(self) -> None:
        from advisor.tui.screens.dialogs import ExportDialog

        base = self.session.source.name if self.session.source else f"{slug(self.session.title)}.yaml"
        name = re.sub(r"(\.scenario)?\.ya?ml$", "", base) + ".advice.md"
        # Next to the scenario it reports on; a new scenario's report goes where it would be saved.
        folder = self.session.source.parent if self.session.source else Path(self._default_scenario_path()).parent
        self.push_screen(ExportDialog(display_path(folder / name), self.export_to, blink=self.cursor_blink))

    # ---- draft -----------------------------------------------------------------------------------
    def answers_changed(self) -> None:
        """Debounced autosave: one write after a burst of answers."""
        self._cancel_autosave()
        self._autosave_timer = self.set_timer(AUTOSAVE_DELAY, self.write_draft)
        self.main.update_titles()

    def _cancel_autosave(self) -> None:
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None

    def write_draft(self) -> bool:
        """Autosave the answers; False (and a warning) when the draft could not be written."""
        self._autosave_timer = None
        if not self.session.dirty:
            return True
        text = scenario_text(self.advisor.questionnaire, self.session.title, self.session.description,
                             self.session.raw, self.session.current, saved_at=self.drafts.path)
        try:
            self.drafts.save(text, self.session.source)
        except OSError as exc:
            self.draft_problem = problem_text(exc)
            self.notify(f"Could not autosave the draft: {self.draft_problem}", severity="warning")
            return False
        self.draft_problem = None
        return True

    def clear_draft(self) -> None:
        """Remove the draft; a state folder that refuses is said, not a crash (the answers are safe either way)."""
        problem = self.drafts.clear()
        if problem is not None:
            self.notify(f"{problem[0].upper()}{problem[1:]}.", severity="warning")

    # ---- quit, help, theme -----------------------------------------------------------------------
    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (in a field it copies): say which key does. Textual's own message is rich
        markup, and every notification here is plain text, so it read "Press [b]ctrl+q[/b] ..."."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {self.get_key_display(active.binding) or key} to quit the app",
                            title="Do you want to quit?")
                return

    async def action_quit(self) -> None:
        """Ctrl+Q is a priority key, handled before keys typed just ahead of it reach the focused field: the
        decision waits for them (a callback queued behind them), then counts what the fields show."""
        focused = self.focused
        if focused is not None:
            focused.call_later(self._quit_after_typing)
        else:
            await self._quit_after_typing()

    async def _quit_after_typing(self) -> None:
        if any(isinstance(screen, MainScreen) for screen in self.screen_stack):
            self.main.commit_pending()
        if not self.session.dirty:
            self.exit(0)
            return
        from advisor.tui.screens.dialogs import ConfirmDialog

        kept = self.write_draft()

        def decided(answer: str | None) -> None:
            if answer == "save":
                self.action_save()
            elif answer == "quit":
                self.exit(0)

        if kept:
            where = (f"open {display_path(self.session.source)}" if self.session.source
                     else "start the advisor in this folder")
            message = f"Your answers are kept as a draft and offered the next time you {where}."
            quit_label = "Quit"
        else:  # the dialog must not promise a draft that is not there
            message = (f"Your answers could not be kept as a draft ({self.draft_problem}).\n"
                       "Save them to a file, or quit and lose them.")
            quit_label = "Quit and lose them"
        self.push_screen(ConfirmDialog("Quit with unsaved answers?", message,
                                       [("Save…", "save", "primary"), (quit_label, "quit", "warning"),
                                        ("Cancel", "cancel", "default")]), decided)

    def action_help(self) -> None:
        from advisor.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.current_theme.dark else DARK

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Open scenario…", "Load answers from a scenario file (Ctrl+O)", self.action_open)
        yield SystemCommand("Save scenario…", "Save the answers as a scenario file (Ctrl+S)", self.action_save)
        yield SystemCommand("Export Markdown report…", "Write the advice as Markdown (Ctrl+R)", self.action_export)
        yield SystemCommand("Next unanswered question", "Focus the next relevant question without an answer",
                            lambda: self.main.action_next_unanswered())
        yield SystemCommand("Why? (reasoning)", "Show the reasoning of the highlighted decision",
                            lambda: self.main.action_reasoning())
        yield SystemCommand("Toggle light/dark", "Switch between the light and dark theme (Ctrl+T)",
                            self.action_toggle_theme)
        yield SystemCommand("Help", "Keys and how the advisor works (F1)", self.action_help)
        yield from super().get_system_commands(screen)

    def on_unmount(self) -> None:
        # Last chance on a normal exit or a crash inside the app: keep what was typed.
        if self.session.dirty:
            self.write_draft()


def run_app(advisor: Advisor, scenario: Path | None = None, notes_dir: Path | None = None) -> int:
    app = AdvisorApp(advisor, scenario=scenario, notes_dir=notes_dir)
    result = app.run()
    if app.session.dirty and app.draft_problem is not None:  # said in the app too; repeated once it is gone
        import sys

        print(f"advisor: unsaved answers could not be kept as a draft: {app.draft_problem}", file=sys.stderr)
    return result if isinstance(result, int) else (app.return_code or 0)


def _file_digest(path: Path) -> str | None:
    """The SHA-256 of a file's bytes; None when it cannot be read."""
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None
