"""Shared model configuration and identifier types."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic.fields import FieldInfo


class LocatedValueError(ValueError):
    """A check across fields that knows which part of the mapping is wrong: `at` is the path below the
    model being validated (("combinations", 0, "options")), so the message points at that line, not at the
    mapping's first line."""

    def __init__(self, message: str, at: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.at = at


class Strict(BaseModel):
    """Input models: unknown keys are errors, values are not coerced, instances are immutable.

    Field docstrings describe the fields in the JSON Schemas editors use; advisor.sources.schema adds them
    there. Not pydantic's use_attribute_docstrings: it reads and parses each model's source when the class is
    made, which every command paid for at start-up (a tenth of a one-file evaluation)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
"""Output class -> its field names in order (Output.of)."""


class Output(BaseModel):
    """Result models: plain data for renderers; unknown keys are errors too."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @classmethod
    def of(cls, **values: Any) -> Self:
        """model_construct (no validation: for values that come from validated rules and answers) given
        every field, about twice as fast: an evaluation builds hundreds of these. The same object
        model_construct makes; with a field left out it is model_construct itself."""
        names = _FIELD_NAMES.get(cls)
        if names is None:
            # __pydantic_fields__ (pydantic 2.10+) is faster than model_fields, a slower accessor from 2.11 on
            names = _FIELD_NAMES[cls] = tuple(cls.__dict__.get("__pydantic_fields__") or cls.model_fields)
        if tuple(values) != names:  # given in field order: nothing to check or reorder
            if values.keys() != set(names):
                return cls.model_construct(**values)
            values = {name: values[name] for name in names}  # in field order, as model_construct: JSON follows it
        made = cls.__new__(cls)
        _set = object.__setattr__
        _set(made, "__dict__", values)
        _set(made, "__pydantic_fields_set__", set(values))
        _set(made, "__pydantic_extra__", None)
        _set(made, "__pydantic_private__", None)
        return made


def fields_of(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields with their forward references resolved (aliases included). Models that refer to
    themselves (the conditions) are completed on first use, not at import (see models.conditions), and
    until then pydantic's `model_fields` may show a field as it was before its annotation could be read."""
    model.model_rebuild()  # nothing to do once the model is complete
    return model.model_fields


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
