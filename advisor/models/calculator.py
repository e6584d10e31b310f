"""Calculators: derived numbers computed from answers by a declared formula."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from advisor.models.aws_source import AwsSource, Freshness, check_sources
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
    citations: list[Citation] = []
    """Where the notes give the figures used (a calculator needs a citation, an AWS source, or both)."""
    sources: list[AwsSource] = []
    """AWS documentation pages that give the figures used."""
    freshness: list[Freshness] = []
    """Where the notes give a figure AWS has since changed."""

    @model_validator(mode="after")
    def _sourced(self) -> Calculator:
        check_sources(self.citations, self.sources, self.freshness)
        return self


class CalculatorFile(Strict):
    """rules/calculators/<topic>.yaml"""

    calculators: Annotated[list[Calculator], Field(min_length=1)]
