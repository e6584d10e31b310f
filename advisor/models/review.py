"""A review of the team's current choices: a risk per choice and an improvement plan (plain data)."""

from __future__ import annotations

from typing import Literal

from advisor.models.advice import QuestionRef, Verdict, WhatIf
from advisor.models.base import Output
from advisor.models.citation import Citation

Risk = Literal["high", "medium", "fine", "cannot_judge"]
RISK_ORDER: tuple[str, ...] = ("high", "medium", "cannot_judge", "fine")
"""Worst first: the order of verdicts in a review and of steps in a plan."""
RISK_LABELS: dict[str, str] = {
    "high": "high risk",
    "medium": "medium risk",
    "fine": "fine",
    "cannot_judge": "cannot judge yet",
}


class ChoiceVerdict(Output):
    """The verdict on one current choice (one option of one decision)."""

    decision: str
    decision_title: str
    stage: str = ""
    option: str
    label: str
    risk: Risk
    reason: str
    """One line: why this risk, in words."""
    recommended: str | None
    """The advice's recommendation for the decision, if any."""
    recommended_label: str = ""
    margin: float | None = None
    """How far the recommendation's score is ahead of this option's (None when there is no recommendation)."""
    rules: list[str]
    """The rules behind the verdict, strongest first."""
    verdicts: list[Verdict]
    """Those rules' verdicts (on this option, or for the option that beats it), with their reasoning."""
    citations: list[Citation]
    ask: list[QuestionRef] = []
    """For 'cannot_judge': the questions that would settle the decision."""
    what_if: WhatIf | None = None
    """The smallest answer change that makes this option the recommendation (verified by re-evaluating)."""


class PlanStep(Output):
    """One change of the improvement plan."""

    decision: str
    decision_title: str
    risk: Risk
    current: str
    """The current option's label."""
    change: str
    """What to do, in words."""
    reasons: list[str]
    rules: list[str]
    unblocks: list[str]
    """Other undecided decisions that ask the same questions this step names: settling it moves them too."""


class Review(Output):
    current: dict[str, list[str]]
    """Decision id -> the current option ids, as the scenario states them."""
    verdicts: list[ChoiceVerdict]
    """Worst risk first, then in decision order."""
    plan: list[PlanStep]
    """Changes ordered by risk, then by how many other decisions each unblocks."""
    highest: Risk
    """The worst risk found ('fine' when every choice is fine)."""
    clear_margin: float
    """A recommendation this many points ahead of a current choice makes that choice a medium risk."""
