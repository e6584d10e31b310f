"""Calculators: derived numbers computed from answers by a declared formula."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from advisor.models.base import FactId, Strict
from advisor.models.citation import Citation


class Calculator(Strict):
    id: FactId
    """The derived fact this formula produces; conditions test it like an answer."""
    label: Annotated[str, Field(min_length=1)]
    """What the number means, e.g. 'Kinesis shards needed'."""
    unit: Annotated[str, Field(min_length=1)]
    """Unit of the result."""
    formula: Annotated[str, Field(min_length=1, max_length=500)]
    """Arithmetic over question and calculator ids: + - * / ( ), ceil, floor, round, min, max, abs,
    coalesce(x, default). The result is unknown when an input it needs is unknown."""
    reasoning: Annotated[str, Field(min_length=10)]
    """Why this formula, in our own words."""
    citations: Annotated[list[Citation], Field(min_length=1)]
    """Where the notes give the figures used."""


class CalculatorFile(Strict):
    """rules/calculators/<topic>.yaml"""

    calculators: Annotated[list[Calculator], Field(min_length=1)]
