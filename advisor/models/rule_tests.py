"""Sibling test files: rules/decisions/<id>.test.yaml."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from advisor.models.base import DecisionId, OptionId, RuleId, Strict
from advisor.models.scenario import AnswerValue


class Expectation(Strict):
    status: Literal["recommended", "undecided", "not_applicable", "out_of_scope"] | None = None
    recommended: OptionId | None = None
    """The recommended option."""
    together: list[OptionId] = []
    """Options that must be recommended alongside the recommendation (a declared combination), in option order."""
    excluded: list[OptionId] = []
    """Options that must be excluded."""
    not_excluded: list[OptionId] = []
    """Options that must not be excluded."""
    fired: list[RuleId] = []
    """Rules that must fire."""
    not_fired: list[RuleId] = []
    """Rules that must not fire."""
    ask_includes: list[str] = []
    """Questions an undecided result must point at."""
    ignored: list[str] = []
    """Answers of the case that must not count, their questions not being asked (any other answer that does
    not count fails the case: it would test a situation nobody can describe)."""

    @model_validator(mode="after")
    def _something(self) -> Expectation:
        if not (self.status or self.recommended or self.together or self.excluded or self.not_excluded or self.fired
                or self.not_fired or self.ask_includes):
            raise ValueError("an expectation needs at least one check")
        return self


class RuleTestCase(Strict):
    name: Annotated[str, Field(min_length=3)]
    answers: dict[str, AnswerValue | None]
    expect: Expectation


class RuleTestFile(Strict):
    decision: DecisionId
    cases: Annotated[list[RuleTestCase], Field(min_length=1)]
