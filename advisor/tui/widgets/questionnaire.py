"""The questionnaire pane: progress, then the relevant questions grouped by area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, ProgressBar, Static

from advisor.rulebase import RuleBase
from advisor.tui.widgets.question_card import QuestionCard


class Questionnaire(Vertical):
    """All cards are composed once; relevance only toggles their display, so answers stay put."""

    def __init__(self, rulebase: RuleBase, *, cursor_blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rulebase = rulebase
        self.cursor_blink = cursor_blink
        self.border_title = "Questions"

    def compose(self) -> ComposeResult:
        with Horizontal(id="progress-row"):
            yield Label("", id="progress-label")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="progress-bar")
        with VerticalScroll(id="questions-scroll", can_focus=False):
            for area in self.rulebase.areas:
                yield Static(area.title, classes="area-title", id=f"area-{area.id}", markup=False)
                for qid, question in self.rulebase.questions.items():
                    if self.rulebase.question_area[qid] == area.id:
                        yield QuestionCard(question, cursor_blink=self.cursor_blink)

    def cards(self) -> Iterable[QuestionCard]:
        return self.query(QuestionCard)

    def card(self, qid: str) -> QuestionCard | None:
        found = self.query(f"#q-{qid}")
        return found.first(QuestionCard) if found else None

    def show(self, relevant: set[str], answered: int) -> None:
        """Show the relevant cards and the areas that still have one; update the progress."""
        visible_areas: set[str] = set()
        for card in self.cards():
            shown = card.question.id in relevant
            if card.display != shown:
                card.display = shown
            if shown:
                visible_areas.add(self.rulebase.question_area[card.question.id])
        for area in self.rulebase.areas:
            heading = self.query_one(f"#area-{area.id}", Static)
            heading.display = area.id in visible_areas
        total = len(relevant)
        self.query_one("#progress-label", Label).update(f"Answered {answered} of {total}")
        self.query_one("#progress-bar", ProgressBar).update(total=max(total, 1), progress=answered)
        self.border_subtitle = f"{answered}/{total}"

    def load(self, raw: dict[str, Any]) -> None:
        for card in self.cards():
            card.set_value(raw.get(card.question.id))
