"""Scenario files: a workload described by its answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr, WithJsonSchema

from advisor.models.base import DecisionId, FactId, OptionId, Strict

AnswerValue = (StrictBool | StrictInt | StrictFloat | StrictStr
               | Annotated[list[StrictBool | StrictInt | StrictFloat | StrictStr],
                           WithJsonSchema({"type": "array", "items": {"type": "string"}})])
"""The shapes an answer may take here; whether it fits its question (a number, a choice, a list of choices) is
checked against the question, which says what it expects (a list of numbers for a number question reads
'expected a number in KB, got [1, 2]', not 'Input should be a valid string' for each item). Editors are
told what a valid answer holds: a list of choice ids."""


class Scenario(Strict):
    """scenarios/<slug>.scenario.yaml"""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")] | None = None
    """Defaults to the file name without .scenario.yaml."""
    title: Annotated[str, Field(min_length=1, max_length=200)]
    """One line naming the workload."""
    description: str = ""
    """The workload as the team would describe it."""
    answers: dict[FactId, AnswerValue | None]
    """Question id -> answer; 'unknown' (or leaving the question out) means not known."""
    current: dict[DecisionId, OptionId | Annotated[list[OptionId], Field(min_length=1)]] = {}
    """What the team runs or plans, per decision: decision id -> option id, or a list of option ids when
    several run side by side. With current choices, reports add a review (risk per choice, improvement plan)."""
