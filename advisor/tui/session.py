"""The answers being edited in the TUI, and the advice they produce (no textual here).

The session keeps every answer the person gave, including answers to questions that later
became irrelevant (so switching back restores them), but only the answers to relevant
questions are evaluated and saved: what the advice pane shows is what a saved file gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.analysis.review import review_advice
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice, ScenarioRef
from advisor.models.questionnaire import Question
from advisor.shared.diagnostics import InvalidInput
from advisor.sources.answers import UNKNOWN, Answers, check_answer, scenario_id_for

DEFAULT_TITLE = "Untitled workload"


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of the session: what the panes show."""

    advice: Advice
    relevant: list[Question]
    answered: int
    """Relevant questions with an answer (a value or 'unknown')."""


@dataclass
class Session:
    advisor: Advisor
    title: str = DEFAULT_TITLE
    description: str = ""
    source: Path | None = None
    """The scenario file the answers were loaded from or last saved to."""
    raw: dict[str, Any] = field(default_factory=dict)
    """Question id -> typed value or 'unknown'; unanswered questions are absent."""
    current: dict[str, list[str]] = field(default_factory=dict)
    """What the team runs or plans: decision id -> option ids (reviewed with the advice, saved with the file)."""
    dirty: bool = False

    def set_answer(self, qid: str, value: Any) -> bool:
        """Record an answer (None clears it). Returns whether anything changed."""
        if value is None:
            if qid not in self.raw:
                return False
            del self.raw[qid]
        else:
            if self.raw.get(qid, None) == value and qid in self.raw:
                return False
            self.raw[qid] = value
        self.dirty = True
        return True

    def replace(self, *, title: str, description: str, raw: dict[str, Any], source: Path | None,
                dirty: bool, current: dict[str, list[str]] | None = None) -> None:
        self.title, self.description, self.source = title or DEFAULT_TITLE, description, source
        self.raw = dict(raw)
        self.current = {d: list(options) for d, options in (current or {}).items()}
        self.dirty = dirty

    def cycle_current(self, decision_id: str) -> str | None:
        """Mark the next option of a decision as the current choice (after the last: none). A set of several
        current options is replaced by the first. Returns the option now current, None for none."""
        options = list(self.advisor.questionnaire.decision_options[decision_id])
        now = self.current.get(decision_id, [])
        following = options.index(now[0]) + 1 if len(now) == 1 else 0
        if now and len(now) == 1 and following >= len(options):
            del self.current[decision_id]
            chosen = None
        else:
            chosen = options[following]
            self.current[decision_id] = [chosen]
        order = {d: i for i, d in enumerate(self.advisor.questionnaire.decision_options)}
        self.current = dict(sorted(self.current.items(), key=lambda kv: order[kv[0]]))
        self.dirty = True
        return chosen

    # ---- evaluation ------------------------------------------------------------------------------
    def effective(self) -> dict[str, Any]:
        """The answers that count: those to questions still relevant given the answers that count."""
        return self._counted()[0]

    def _counted(self) -> tuple[dict[str, Any], Answers, list[Question]]:
        """The answers that count (as the advisor counts them for a scenario file: answers to questions
        that are not asked do not), every answer typed, and the questions relevant to those that count."""
        typed = self._typed(self.raw)
        counted, _ = self.advisor.counted(typed)
        current = {q: v for q, v in self.raw.items() if q in counted.known or q in counted.unknown}
        return current, typed, self.advisor.relevant_questions(counted)

    def _typed(self, raw: dict[str, Any]) -> Answers:
        try:
            return self.advisor.check(raw)
        except InvalidInput:
            # Values come from the widgets and load_scenario, so this only happens if the rule base
            # changed under a draft; drop what no longer checks instead of failing.
            questions = self.advisor.questionnaire.questions
            ok = {q: v for q, v in raw.items()
                  if q in questions and check_answer(questions[q], v)[1] is None}
            return self.advisor.check(ok)

    def scenario_ref(self) -> ScenarioRef:
        scenario_id = scenario_id_for(self.source) if self.source else "tui-session"
        return ScenarioRef(id=scenario_id, title=self.title, description=self.description,
                           source=str(self.source) if self.source else "")

    def evaluate(self) -> Evaluation:
        counted, typed, relevant = self._counted()
        # The advice is built from every answer, so it lists the hidden ones it did not count.
        advice = review_advice(self.advisor, self.advisor.advise(typed, self.scenario_ref()), self.current)
        return Evaluation(advice, relevant, sum(1 for q in relevant if q.id in counted))

    def is_unknown(self, qid: str) -> bool:
        return self.raw.get(qid) == UNKNOWN
