"""Messages the widgets send up to the screens."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class AnswerChanged(Message):
    """A question card's answer changed: a typed value, 'unknown', or None for unanswered."""

    def __init__(self, question_id: str, value: Any) -> None:
        super().__init__()
        self.question_id = question_id
        self.value = value


class JumpToQuestion(Message):
    def __init__(self, question_id: str) -> None:
        super().__init__()
        self.question_id = question_id


class ShowReasoning(Message):
    def __init__(self, decision_id: str) -> None:
        super().__init__()
        self.decision_id = decision_id


class CycleCurrent(Message):
    """Mark the next option of a decision as the team's current choice (review mode)."""

    def __init__(self, decision_id: str) -> None:
        super().__init__()
        self.decision_id = decision_id
