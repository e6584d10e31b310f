"""rules/coverage/field/<area>.yaml: the choices a data engineer makes on AWS, and which decisions cover them.

The guidance catalog measures how much of the study notes the rules encode; the field map measures how much
of the field the advisor covers, so a question outside it gets an honest answer instead of a neighbour's."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from advisor.models.aws_source import AwsSource
from advisor.models.base import DecisionId, OptionId, Strict

FieldArea = Literal[
    "analytics", "streaming_messaging", "integration_transfer", "processing", "orchestration", "storage",
    "databases", "governance", "protection", "security", "cost",
]


class Coverer(Strict):
    """A decision (or some of its options) that answers the choice."""

    decision: DecisionId
    options: list[OptionId] = []
    """The options that stand for the choice; empty when the whole decision does."""


class FieldChoice(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    """Stable id of the choice, lower_snake_case."""
    choice: Annotated[str, Field(min_length=10, max_length=200)]
    """The choice in a data engineer's words, e.g. 'Which file system for a Windows application'."""
    sources: Annotated[list[AwsSource], Field(min_length=1)]
    """AWS pages that frame the choice (a 'choosing a service' guide, a decision guide or an FAQ)."""
    covered_by: list[Coverer] = []
    """Decisions and options that answer it; empty when it is out of scope."""
    out_of_scope: str = ""
    """Why the advisor does not cover it (one line), when nothing covers it."""

    @model_validator(mode="after")
    def _covered_or_not(self) -> FieldChoice:
        if bool(self.covered_by) == bool(self.out_of_scope):
            raise ValueError(f"{self.id}: give either covered_by (decisions that answer it) or out_of_scope "
                             "(one line on why not), not both")
        if self.out_of_scope and len(self.out_of_scope) < 10:
            raise ValueError(f"{self.id}: out_of_scope needs a reason of at least a few words")
        return self


class FieldMapFile(Strict):
    """rules/coverage/field/<area>.yaml"""

    area: FieldArea
    title: Annotated[str, Field(min_length=3)]
    choices: Annotated[list[FieldChoice], Field(min_length=1)]
