"""The side panel of the reasoning view: the selected step in full, or the cited passage."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from advisor.models.citation import Citation
from advisor.shared import safe_text
from advisor.sources.notes import Notes
from advisor.tui.reasoning_model import Step


def citation_text(citation: Citation, notes_dir: Path | None) -> Text:
    """The passage with its line numbers when the notes are at hand, else the reference and how to see it."""
    text = Text()
    text.append(safe_text.line(citation.render()) + "\n\n", style="bold")
    if notes_dir is None:
        text.append("Set a notes folder (--notes DIR or $ADVISOR_NOTES) to read the cited passage here.",
                    style="italic dim")
        return text
    note = Notes(notes_dir).note(citation.note)
    if note is None:
        text.append(safe_text.line(f"{citation.note} is not in {notes_dir}."), style="red")
        return text
    if citation.end > len(note.lines):
        text.append(safe_text.line(f"Lines {citation.start}-{citation.end} run past the end of {citation.note}."),
                    style="red")
        return text
    heading = note.heading_above(citation.start)
    if heading is not None:
        text.append(f"under “{safe_text.line(heading.text)}” (line {heading.line})\n\n", style="italic dim")
    width = len(str(citation.end))
    for number in range(citation.start, citation.end + 1):
        text.append(f"{number:>{width}} │ ", style="dim")
        text.append(safe_text.line(note.lines[number - 1]) + "\n")
    return text


def step_text(step: Step, notes_dir: Path | None) -> Text:
    if step.citation is not None:
        return citation_text(step.citation, notes_dir)
    text = Text()
    text.append(safe_text.line(step.label) + "\n\n", style="bold")
    if step.detail and step.detail != step.label:
        text.append(safe_text.block(step.detail) + "\n")
    if step.kind in ("question", "answer", "unknown") and step.ref:
        text.append("\nEnter: go to this question and change the answer.", style="dim")
    return text


class CitationPanel(VerticalScroll, can_focus=True):
    def __init__(self, notes_dir: Path | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.notes_dir = notes_dir
        self.border_title = "Detail"

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="step-detail")

    def show(self, step: Step | None) -> None:
        body = self.query_one("#step-detail", Static)
        body.update(step_text(step, self.notes_dir) if step else "")
        self.border_title = "Cited passage" if step and step.citation else "Detail"
        self.scroll_home(animate=False)
