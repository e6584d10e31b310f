"""Why a decision came out as it did: the reasoning tree and, beside it, the selected step or passage."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Tree

from advisor.models.advice import Advice
from advisor.models.questionnaire import QuestionnaireView
from advisor.shared import safe_text
from advisor.tui.bindings import REASONING_BINDINGS
from advisor.tui.reasoning_model import Step, build_reasoning
from advisor.tui.widgets.citation_panel import CitationPanel
from advisor.tui.widgets.reasoning_tree import ReasoningTree


class ReasoningScreen(Screen[str | None]):
    """Dismisses with a question id when the person asks to change an answer, else None."""

    BINDINGS = REASONING_BINDINGS  # type: ignore[assignment]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(self, questionnaire: QuestionnaireView, advice: Advice, decision_id: str,
                 notes_dir: Path | None) -> None:
        super().__init__()
        self.questionnaire, self.advice, self.notes_dir = questionnaire, advice, notes_dir
        self.decision_id = decision_id
        self.in_play = [d.id for d in advice.decisions if d.status != "not_applicable"] or \
            [d.id for d in advice.decisions]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="reasoning-body"):
            yield ReasoningTree(id="reasoning-tree")
            yield CitationPanel(self.notes_dir, id="citation-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.show_decision(self.decision_id)
        self.query_one(ReasoningTree).focus()

    def show_decision(self, decision_id: str) -> None:
        self.decision_id = decision_id
        root = build_reasoning(self.advice, decision_id)
        tree = self.query_one(ReasoningTree)
        if root is not None:
            tree.show_step(root)
            title = next(d.title for d in self.advice.decisions if d.id == decision_id)
            self.sub_title = f"Why: {safe_text.line(title)}"
        self.query_one(CitationPanel).show(root)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Step]) -> None:
        # Events from a tree that was since rebuilt carry nodes without data: keep what is shown.
        if event.node.data is not None:
            self.query_one(CitationPanel).show(event.node.data)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Step]) -> None:
        step = event.node.data
        if step is not None and step.kind in ("question", "answer", "unknown") and \
                step.ref in self.questionnaire.questions:
            self.dismiss(step.ref)

    def action_back(self) -> None:
        self.dismiss(None)

    def _step(self, delta: int) -> None:
        if self.decision_id in self.in_play:
            index = (self.in_play.index(self.decision_id) + delta) % len(self.in_play)
        else:
            index = 0
        self.show_decision(self.in_play[index])

    def action_previous_decision(self) -> None:
        self._step(-1)

    def action_next_decision(self) -> None:
        self._step(1)
