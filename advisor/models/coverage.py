"""rules/coverage/<area>.yaml: which rules encode each guidance-catalog item."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from advisor.models.base import RuleId, Strict


class CoverageItem(Strict):
    item: Annotated[str, Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")]
    """The catalog item id, e.g. streaming_ingestion.kds_record_max_1mb."""
    rules: list[RuleId] = []
    """Rules (or calculators' citing rules) that encode it."""
    calculators: list[str] = []
    """Calculators that encode it."""
    left_out: str = ""
    """Why the item is not encoded (one line)."""

    @model_validator(mode="after")
    def _one(self) -> CoverageItem:
        if not (self.rules or self.calculators) and len(self.left_out) < 10:
            raise ValueError(f"{self.item}: list the rules that encode it, or say why it is left out")
        return self


class CoverageFile(Strict):
    area: str
    items: Annotated[list[CoverageItem], Field(min_length=1)]
