"""Shared model configuration and identifier types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr


class Strict(BaseModel):
    """Input models: unknown keys are errors, values are not coerced, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True, defer_build=True)


class Output(BaseModel):
    """Result models: plain data for renderers; unknown keys are errors too."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


FactId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="A question, calculator or derived fact id: lower_snake_case, at most 64 characters.",
    ),
]
OptionId = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="An option or choice id: lower_snake_case."),
]
DecisionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="A decision id: lower_snake_case.")]
RuleId = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9]{1,15}-[0-9]{3}$",
        description="A stable rule id such as STREAM-001; never reused once retired.",
    ),
]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
