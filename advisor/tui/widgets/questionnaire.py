"""The questionnaire pane: progress, one tab per area, and the relevant questions of the open area.

Only the open area's cards are mounted (rule bases have well over a hundred questions; mounting
them all would take seconds). The session holds the answers, so a card can be rebuilt at will.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, ProgressBar, Tab, Tabs

from advisor.models.questionnaire import QuestionnaireView
from advisor.shared import safe_text
from advisor.tui.widgets.question_card import QuestionCard


class Questionnaire(Vertical):
    def __init__(self, questionnaire: QuestionnaireView, answers: Callable[[], dict[str, Any]], *,
                 cursor_blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.questionnaire = questionnaire
        self.answers = answers
        """The session's answers, read when an area's cards are built."""
        self.cursor_blink = cursor_blink
        self.relevant: set[str] = set()
        self.area: str | None = None
        self._opening = asyncio.Lock()
        self.border_title = "Questions"
        self.by_area: dict[str, list[str]] = {a.id: [] for a in questionnaire.areas}
        for qid in questionnaire.questions:
            self.by_area[questionnaire.question_area[qid]].append(qid)

    def compose(self) -> ComposeResult:
        with Horizontal(id="progress-row"):
            yield Label("", id="progress-label")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="progress-bar")
        # Content, not a str: a str label is read as markup. Rule-base texts are shown as written.
        yield Tabs(*[Tab(Content(safe_text.line(a.title)), id=f"tab-{a.id}") for a in self.questionnaire.areas],
                   id="area-tabs")
        yield VerticalScroll(id="questions-scroll", can_focus=False)

    # ---- areas -------------------------------------------------------------------------------------
    @on(Tabs.TabActivated)
    async def _tab(self, event: Tabs.TabActivated) -> None:
        event.stop()
        area = (event.tab.id or "").removeprefix("tab-")
        if area and area != self.area:
            await self.open_area(area)

    async def open_area(self, area: str, focus: str | None = None) -> None:
        """Mount the area's cards (relevant ones shown), then focus `focus` or the first shown card."""
        # One at a time: a jump arriving while the first area is still mounting must wait for its cards.
        async with self._opening:
            await self._open_area(area, focus)

    async def _open_area(self, area: str, focus: str | None) -> None:
        if area != self.area:
            self.area = area
            tabs = self.query_one(Tabs)
            if tabs.active != f"tab-{area}":
                with tabs.prevent(Tabs.TabActivated):
                    tabs.active = f"tab-{area}"
            scroll = self.query_one("#questions-scroll", VerticalScroll)
            await scroll.remove_children()
            answers = self.answers()
            cards = [QuestionCard(self.questionnaire.questions[q], answers.get(q), cursor_blink=self.cursor_blink)
                     for q in self.by_area[area]]
            for card in cards:
                card.display = card.question.id in self.relevant
            await scroll.mount_all(cards)
            scroll.scroll_home(animate=False)
        target = self.card(focus) if focus else next((c for c in self.cards() if c.display), None)
        if target is not None and target.display:
            target.focus_answer()
            # After focus scrolled the answer widget into view, bring the card's prompt to the top.
            self.call_after_refresh(target.scroll_visible, top=True, animate=False)

    async def ensure_open(self, area: str) -> None:
        """Open `area` unless something (a jump, a click) already opened one that has questions to show."""
        if self.area is not None and any(q in self.relevant for q in self.by_area.get(self.area, [])):
            return
        async with self._opening:
            if self.area is None or not any(q in self.relevant for q in self.by_area.get(self.area, [])):
                await self._open_area(area, None)

    def area_of(self, qid: str) -> str:
        return self.questionnaire.question_area[qid]

    def cards(self) -> Iterable[QuestionCard]:
        return self.query(QuestionCard)

    def card(self, qid: str) -> QuestionCard | None:
        found = self.query(f"#q-{qid}")
        return found.first(QuestionCard) if found else None

    def ordered_relevant(self) -> list[str]:
        """Relevant question ids in questionnaire order (areas, then file order)."""
        return [q for a in self.questionnaire.areas for q in self.by_area[a.id] if q in self.relevant]

    # ---- after each evaluation ---------------------------------------------------------------------
    def show(self, relevant: set[str], answered: int) -> str | None:
        """Show what is relevant; returns an area to open when the open one has nothing left to show."""
        self.relevant = relevant
        answers = self.answers()
        for card in self.cards():
            shown = card.question.id in relevant
            if card.display != shown:
                card.display = shown
        tabs = self.query_one(Tabs)
        first_visible = None
        for area in self.questionnaire.areas:
            ids = [q for q in self.by_area[area.id] if q in relevant]
            tab = tabs.query_one(f"#tab-{area.id}", Tab)
            done = sum(1 for q in ids if q in answers)
            label = f"{safe_text.line(area.title)} {done}/{len(ids)}"
            if str(tab.label) != label:
                tab.label = Content(label)
            if ids:
                first_visible = first_visible or area.id
                tabs.show(f"tab-{area.id}")
            else:
                tabs.hide(f"tab-{area.id}")
        total = len(relevant)
        self.query_one("#progress-label", Label).update(f"Answered {answered} of {total}")
        self.query_one("#progress-bar", ProgressBar).update(total=max(total, 1), progress=answered)
        self.border_subtitle = f"{answered}/{total}"
        if self.area is None or not any(q in relevant for q in self.by_area.get(self.area, [])):
            return first_visible
        return None

    async def reload(self) -> None:
        """Answers were replaced: rebuild the open area's cards."""
        area, self.area = self.area, None
        if area is not None:
            await self.open_area(area)
