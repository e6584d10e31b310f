"""The help screen: what the app does and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown

from advisor.tui.bindings import DIALOG_BINDINGS

HELP = """\
Answer the questions on the left; the advice on the right follows every answer.

**Questions.** Only the questions that matter for your answers so far are shown. Every question
accepts *Unknown*: the advice then says what it assumes or which questions would decide it.
Numbers are checked as you type; a value that does not count is flagged under the field. In a number
field `?` ticks or unticks *Unknown*; the number you typed comes back when you untick it.

**Advice.** One line per decision: ● recommended, ? undecided, · not in play.
Enter on a decision opens *why* (or, when undecided, jumps to the question that would decide it).

**Why?** The reasoning view walks from your answers through calculated and derived facts to each
verdict, with the rule id and the notes it cites. Select a citation to read the passage
(with `--notes DIR` or `$ADVISOR_NOTES`).

**Files.** Save writes a scenario file the batch CLI reads (`advisor evaluate FILE`), so a session
can become a test. A draft is autosaved, one per scenario file (or per folder for a new scenario); it is
offered back the next time you open that file or start in that folder. The report is written next to the
scenario file.

| Key | Does |
| --- | --- |
| Tab / Shift+Tab | next / previous field |
| ↑ ↓, Space, Enter | move and pick inside a field |
| Ctrl+N | next unanswered question |
| Ctrl+L | clear the focused question's answer |
| ? (number field) | tick / untick Unknown |
| F2 / F3 | focus questions / advice |
| Enter, r (advice) | why? |
| j (advice) | jump to a question that would decide it |
| [ ] (why?) | previous / next decision |
| Ctrl+O / Ctrl+S / Ctrl+R | open / save scenario / export Markdown report |
| Ctrl+P | command palette (jump to any question or decision) |
| Ctrl+T | light / dark theme |
| F1 | this help |
| Ctrl+Q | quit (asks when answers are unsaved) |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [*DIALOG_BINDINGS, ("f1,q", "cancel", "Close")]  # type: ignore[list-item]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label("Advisor help  (Esc closes)", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Markdown(HELP)

    def action_cancel(self) -> None:
        self.dismiss(None)
