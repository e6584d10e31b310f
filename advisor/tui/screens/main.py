"""The main screen: questionnaire on the left, live advice on the right."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header

from advisor.tui.bindings import MAIN_BINDINGS
from advisor.tui.messages import AnswerChanged, JumpToQuestion, ShowReasoning
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

    @property
    def advisor_app(self) -> AdvisorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Questionnaire(self.session.advisor.rulebase, cursor_blink=self.cursor_blink, id="questionnaire")
            yield AdvicePane(id="advice")
        yield Footer()

    def on_mount(self) -> None:
        self.questionnaire.load(self.session.raw)
        self.refresh_advice()
        first = next((c for c in self.questionnaire.cards() if c.display), None)
        if first is not None:
            first.focus_answer()

    @property
    def questionnaire(self) -> Questionnaire:
        return self.query_one(Questionnaire)

    @property
    def advice_pane(self) -> AdvicePane:
        return self.query_one(AdvicePane)

    # ---- answers -> advice ------------------------------------------------------------------------
    @on(AnswerChanged)
    def _answer_changed(self, event: AnswerChanged) -> None:
        if self.session.set_answer(event.question_id, event.value):
            self.schedule_refresh()
            self.advisor_app.answers_changed()

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
        self.questionnaire.show(relevant, evaluation.answered)
        self.advice_pane.show(evaluation.advice, relevant)
        self.update_titles()
        self.refresh_count += 1
        self.refreshed_at = time.perf_counter()

    def update_titles(self) -> None:
        mark = " ●" if self.session.dirty else ""
        where = self.session.source.name if self.session.source else "not saved"
        self.sub_title = f"{self.session.title}{mark}  ({where})"

    def reload(self) -> None:
        """The session was replaced (load, draft restore): put its answers in the widgets."""
        self.questionnaire.load(self.session.raw)
        self.refresh_advice()

    # ---- navigation -------------------------------------------------------------------------------
    @on(JumpToQuestion)
    def _jump(self, event: JumpToQuestion) -> None:
        self.jump_to(event.question_id)

    def jump_to(self, qid: str) -> None:
        card = self.questionnaire.card(qid)
        if card is None:
            return
        if not card.display:
            self.notify(f"'{card.question.prompt}' is not asked with the current answers.", severity="warning")
            return
        card.focus_answer()
        card.scroll_visible(top=True, animate=False)
        card.add_class("-jumped")
        self.set_timer(1.5, lambda: card.remove_class("-jumped"))

    @on(ShowReasoning)
    def _reasoning(self, event: ShowReasoning) -> None:
        self.show_reasoning(event.decision_id)

    def show_reasoning(self, decision_id: str) -> None:
        from advisor.tui.screens.reasoning import ReasoningScreen

        if self.evaluation is None:
            return
        screen = ReasoningScreen(self.session.advisor.rulebase, self.evaluation.advice, decision_id,
                                 self.advisor_app.notes_dir)

        def back(question_id: str | None) -> None:
            if question_id:
                self.jump_to(question_id)

        self.app.push_screen(screen, back)

    def focused_card(self) -> QuestionCard | None:
        node = self.focused
        while node is not None and not isinstance(node, QuestionCard):
            node = node.parent  # type: ignore[assignment]
        return node

    def action_next_unanswered(self) -> None:
        cards = [c for c in self.questionnaire.cards() if c.display]
        current = self.focused_card()
        start = cards.index(current) + 1 if current in cards else 0
        for card in cards[start:] + cards[:start]:
            if card.question.id not in self.session.raw:
                self.jump_to(card.question.id)
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
        card = self.focused_card()
        if card is None:
            card = next((c for c in self.questionnaire.cards() if c.display), None)
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
