"""The questionnaire: areas and their questions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import Field, StrictFloat, StrictInt, model_validator

from advisor.models.base import FactId, OptionId, Strict
from advisor.models.conditions import Condition

QuestionType = Literal["single", "multi", "boolean", "number"]


class Choice(Strict):
    id: OptionId
    """The value stored in scenario files."""
    label: Annotated[str, Field(min_length=1)]
    """What the person reads."""
    help: str = ""
    """Optional one-line clarification."""


class Question(Strict):
    id: FactId
    """Stable id, used as the key in scenario files and in rule conditions."""
    prompt: Annotated[str, Field(min_length=1)]
    """The question as the person reads it."""
    help: str = ""
    """What the question means and how to answer it."""
    type: QuestionType
    """single (one choice), multi (several choices), boolean, or number."""
    choices: list[Choice] = []
    """Allowed values for single and multi questions."""
    unit: str = ""
    """Unit of a number answer, e.g. KB, MB/s, s."""
    min: StrictInt | StrictFloat | None = None
    """Smallest accepted number (inclusive)."""
    max: StrictInt | StrictFloat | None = None
    """Largest accepted number (inclusive)."""
    integer: bool = False
    """Whether a number answer must be whole."""
    core: bool = False
    """Core questions are asked of everyone; the rest only when their ask_when holds."""
    ask_when: Condition | None = None
    """Ask this question only when this condition holds over the answers so far."""

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type in ("single", "multi"):
            if len(self.choices) < 2:
                raise ValueError(f"a {self.type} question needs at least two choices")
            ids = [c.id for c in self.choices]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate choice ids: {', '.join(dupes)}")
            if "unknown" in ids:
                raise ValueError("'unknown' is reserved: every question already accepts it")
        elif self.choices:
            raise ValueError(f"a {self.type} question has no choices")
        if self.type == "number":
            if self.min is None or self.max is None:
                raise ValueError("a number question needs min and max")
            if self.min > self.max:
                raise ValueError(f"min {self.min} is above max {self.max}")
            if not self.unit:
                raise ValueError("a number question needs a unit (write 'count' for plain counts)")
        elif self.min is not None or self.max is not None or self.unit:
            raise ValueError(f"min, max and unit belong to number questions, not {self.type}")
        return self

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


class Area(Strict):
    id: FactId
    """Stable id of the group of questions."""
    title: Annotated[str, Field(min_length=1)]
    """Heading shown above the group."""
    order: int = 100
    """Groups are shown by this number, then by id."""


class QuestionFile(Strict):
    """rules/questions/<area>.yaml"""

    area: Area
    questions: Annotated[list[Question], Field(min_length=1)]


@dataclass(frozen=True)
class QuestionnaireView:
    """The questionnaire as a form draws it, as plain data: areas in order, questions in order, and the area
    of each. The core makes it from the rule base (`Advisor.questionnaire`), so views never read the rule base."""

    areas: tuple[Area, ...]
    questions: Mapping[str, Question]
    """By id, in questionnaire order."""
    question_area: Mapping[str, str]
    """Question id -> its area's id."""
    decision_options: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    """Decision id -> {option id: label}, decisions in display order and options in file order (for marking the
    team's current choices)."""
    scenario_schema: Path | None = None
    """Where the scenario schema generated from this questionnaire lives (schemas/ beside the rules folder; it
    may not have been written), for saved scenario files to name."""
