"""The main screen: questionnaire on the left, live advice on the right."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header

from advisor.shared import safe_text
from advisor.tui.bindings import MAIN_BINDINGS
from advisor.tui.messages import AnswerChanged, CycleCurrent, JumpToQuestion, ShowReasoning
from advisor.tui.session import Evaluation, Session
from advisor.tui.widgets.advice_list import AdvicePane
from advisor.tui.widgets.question_card import QuestionCard
from advisor.tui.widgets.questionnaire import Questionnaire

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp


class MainScreen(Screen[None]):
    BINDINGS = MAIN_BINDINGS  # type: ignore[assignment]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(self, session: Session, *, cursor_blink: bool = True) -> None:
        super().__init__(id="main")
        self.session = session
        self.cursor_blink = cursor_blink
        self.evaluation: Evaluation | None = None
        self._refresh_pending = False
        self.refreshed_at = 0.0
        """perf_counter() of the last advice refresh (the benchmark reads it)."""
        self.refresh_count = 0
        self.answered_at = 0.0
        """perf_counter() of the last answer change (the benchmark reads it)."""

    @property
    def advisor_app(self) -> AdvisorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Questionnaire(self.session.advisor.questionnaire, lambda: self.session.raw,
                                cursor_blink=self.cursor_blink, id="questionnaire")
            yield AdvicePane(id="advice")
        yield Footer()

    async def on_mount(self) -> None:
        self.refresh_advice()

    @property
    def questionnaire(self) -> Questionnaire:
        return self.query_one(Questionnaire)

    @property
    def advice_pane(self) -> AdvicePane:
        return self.query_one(AdvicePane)

    # ---- answers -> advice ------------------------------------------------------------------------
    @on(CycleCurrent)
    def _cycle_current(self, event: CycleCurrent) -> None:
        chosen = self.session.cycle_current(event.decision_id)
        labels = self.session.advisor.questionnaire.decision_options[event.decision_id]
        self.notify(f"Current choice: {safe_text.line(labels[chosen])}" if chosen else "No current choice")
        self.schedule_refresh()
        self.advisor_app.answers_changed()

    @on(AnswerChanged)
    def _answer_changed(self, event: AnswerChanged) -> None:
        if self.session.set_answer(event.question_id, event.value):
            self.answered_at = time.perf_counter()
            self.schedule_refresh()
            self.advisor_app.answers_changed()

    def commit_pending(self) -> None:
        """Count what the fields show but have not reported yet (keys typed just before Ctrl+Q), so the quit
        check sees every change."""
        for card in self.questionnaire.query(QuestionCard):
            pending, value = card.pending_value()
            if pending:
                card.value = value
                if self.session.set_answer(card.question.id, value):
                    self.schedule_refresh()

    def schedule_refresh(self) -> None:
        """Coalesce: keys already queued are handled first, then one evaluation covers them all."""
        if not self._refresh_pending:
            self._refresh_pending = True
            self.call_later(self.refresh_advice)

    def refresh_advice(self) -> None:
        self._refresh_pending = False
        evaluation = self.session.evaluate()
        self.evaluation = evaluation
        relevant = {q.id for q in evaluation.relevant}
        area = self.questionnaire.show(relevant, evaluation.answered)
        if area is not None:
            # The open area lost all its questions (or none is open yet): open the first with some.
            self.call_later(self.questionnaire.ensure_open, area)
        self.advice_pane.show(evaluation.advice, relevant)
        self.update_titles()
        self.refresh_count += 1
        self.refreshed_at = time.perf_counter()

    def update_titles(self) -> None:
        mark = " ●" if self.session.dirty else ""
        where = self.session.source.name if self.session.source else "not saved"
        # The header shows the title as plain text (Content, not markup); control characters made visible.
        self.sub_title = f"{safe_text.line(self.session.title)}{mark}  ({safe_text.line(where)})"

    async def reload(self) -> None:
        """The session was replaced (load, draft restore): put its answers in the widgets."""
        self.refresh_advice()
        await self.questionnaire.reload()

    # ---- navigation -------------------------------------------------------------------------------
    @on(JumpToQuestion)
    async def _jump(self, event: JumpToQuestion) -> None:
        await self.jump_to(event.question_id)

    async def jump_to(self, qid: str) -> None:
        questions = self.session.advisor.questionnaire.questions
        if qid not in questions:
            return
        if qid not in self.questionnaire.relevant:
            prompt = questions[qid].prompt
            self.notify(f"'{prompt}' is not asked with the current answers.", severity="warning")
            return
        await self.questionnaire.open_area(self.questionnaire.area_of(qid), focus=qid)
        card = self.questionnaire.card(qid)
        if card is not None:
            card.add_class("-jumped")
            self.set_timer(self.app.jump_highlight_s, lambda: card.remove_class("-jumped"))

    @on(ShowReasoning)
    def _reasoning(self, event: ShowReasoning) -> None:
        self.show_reasoning(event.decision_id)

    def show_reasoning(self, decision_id: str) -> None:
        from advisor.tui.screens.reasoning import ReasoningScreen

        if self.evaluation is None:
            return
        screen = ReasoningScreen(self.session.advisor.questionnaire, self.evaluation.advice, decision_id,
                                 self.advisor_app.notes_dir)

        async def back(question_id: str | None) -> None:
            if question_id:
                await self.jump_to(question_id)

        self.app.push_screen(screen, back)

    def focused_card(self) -> QuestionCard | None:
        node = self.focused
        while node is not None and not isinstance(node, QuestionCard):
            node = node.parent  # type: ignore[assignment]
        return node

    async def action_next_unanswered(self) -> None:
        ordered = self.questionnaire.ordered_relevant()
        current = self.focused_card()
        start = ordered.index(current.question.id) + 1 if current and current.question.id in ordered else 0
        for qid in ordered[start:] + ordered[:start]:
            if qid not in self.session.raw:
                await self.jump_to(qid)
                return
        self.notify("Every relevant question has an answer.")

    def action_clear_answer(self) -> None:
        card = self.focused_card()
        if card is None:
            self.notify("Focus a question first.")
            return
        card.clear()
        card.focus_answer()

    def action_focus_questions(self) -> None:
        card = self.focused_card() or next((c for c in self.questionnaire.cards() if c.display), None)
        if card is not None:
            card.focus_answer()

    def action_focus_advice(self) -> None:
        self.advice_pane.decisions.focus()

    def action_save(self) -> None:
        self.advisor_app.action_save()

    def action_open(self) -> None:
        self.advisor_app.action_open()

    def action_export(self) -> None:
        self.advisor_app.action_export()

    def action_reasoning(self) -> None:
        option = self.advice_pane.decisions.highlighted_option
        if option is not None and option.id:
            self.show_reasoning(option.id)
