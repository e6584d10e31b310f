"""Conditions over answers and derived facts: `all` / `any` / `not` trees of fact tests.

A test on a fact that is not known (unanswered, answered "unknown", or never
derived) is false; `not` is true when its inner condition is false, so
`not: {fact: x, equals: a}` also holds when x is unknown. Use `not_equals`
or `not_in` for "known, and different".
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any

from pydantic import Discriminator, Field, StrictFloat, StrictInt, Tag, model_validator

from advisor.models.base import FactId, OptionId, Scalar, Strict

Number = StrictInt | StrictFloat

OPERATORS = (
    "equals", "not_equals", "in", "not_in", "lt", "lte", "gt", "gte", "between",
    "contains", "contains_any", "contains_all", "known",
)
NUMERIC_OPERATORS = frozenset({"lt", "lte", "gt", "gte", "between"})
MULTI_OPERATORS = frozenset({"contains", "contains_any", "contains_all"})


class FactTest(Strict):
    """One test on one fact: exactly one operator key besides `fact`."""

    fact: FactId
    """The question, calculator or derived fact tested."""
    equals: Scalar | None = None
    """The fact is known and equal to this value."""
    not_equals: Scalar | None = None
    """The fact is known and different from this value."""
    in_: Annotated[list[Scalar] | None, Field(alias="in", min_length=1)] = None
    """The fact is known and one of these values."""
    not_in: Annotated[list[Scalar] | None, Field(min_length=1)] = None
    """The fact is known and none of these values."""
    lt: Number | None = None
    """The fact is known and less than this number."""
    lte: Number | None = None
    """The fact is known and at most this number."""
    gt: Number | None = None
    """The fact is known and greater than this number."""
    gte: Number | None = None
    """The fact is known and at least this number."""
    between: Annotated[list[Number] | None, Field(min_length=2, max_length=2)] = None
    """The fact is known and within [low, high], both ends included."""
    contains: OptionId | None = None
    """A multi-choice answer that includes this choice."""
    contains_any: Annotated[list[OptionId] | None, Field(min_length=1)] = None
    """A multi-choice answer that includes at least one of these choices."""
    contains_all: Annotated[list[OptionId] | None, Field(min_length=1)] = None
    """A multi-choice answer that includes every one of these choices."""
    known: bool | None = None
    """true: the fact has a value; false: it is unanswered or unknown."""

    model_config = Strict.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> FactTest:
        given = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        if len(given) != 1:
            listed = ", ".join(OPERATORS)
            if not given:
                raise ValueError(f"a test on '{self.fact}' needs one operator: {listed}")
            raise ValueError(f"a test on '{self.fact}' has several operators ({', '.join(given)}); use all: [...]")
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError(f"between [{self.between[0]}, {self.between[1]}] is empty")
        return self

    @cached_property
    def operator(self) -> str:
        return next(op for op in OPERATORS if getattr(self, _attr(op)) is not None)

    @cached_property
    def operand(self) -> Any:
        return getattr(self, _attr(self.operator))

    def describe(self) -> str:
        op, value = self.operator, self.operand
        symbols = {"equals": "=", "not_equals": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}
        if op in symbols:
            return f"{self.fact} {symbols[op]} {_show(value)}"
        if op == "known":
            return f"{self.fact} is {'known' if value else 'unknown'}"
        if op == "between":
            return f"{_show(value[0])} ≤ {self.fact} ≤ {_show(value[1])}"
        if op in ("in", "not_in"):
            return f"{self.fact} {'in' if op == 'in' else 'not in'} {{{', '.join(_show(v) for v in value)}}}"
        if op == "contains":
            return f"{self.fact} includes {value}"
        joined = ", ".join(value)
        return f"{self.fact} includes {'any' if op == 'contains_any' else 'all'} of {{{joined}}}"


def _attr(op: str) -> str:
    return "in_" if op == "in" else op


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class AllOf(Strict):
    all: Annotated[list[Condition], Field(min_length=1)]
    """Every condition holds."""


class AnyOf(Strict):
    any: Annotated[list[Condition], Field(min_length=1)]
    """At least one condition holds."""


class NotOf(Strict):
    not_: Annotated[Condition, Field(alias="not")]
    """The condition does not hold (also true when its facts are unknown)."""

    model_config = Strict.model_config | {"populate_by_name": True}


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "test"
    if isinstance(value, AllOf):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    if isinstance(value, NotOf):
        return "not"
    if isinstance(value, FactTest):
        return "test"
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[FactTest, Tag("test")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message=(
            "expected a condition: {all: [...]}, {any: [...]}, {not: ...} or {fact: ..., <operator>: ...}"),
    ),
]

# No model_rebuild() here: it would build the validators of the condition models at import, which every
# command paid for; with defer_build they are built on first validation instead, and the forward references
# to Condition resolve then from this module's names. Until then `model_fields` of these models is
# incomplete (NotOf's alias): read fields through base.fields_of.


def iter_tests(condition: Condition) -> list[FactTest]:
    """Every fact test inside a condition, in document order."""
    if isinstance(condition, FactTest):
        return [condition]
    if isinstance(condition, NotOf):
        return iter_tests(condition.not_)
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return [t for child in children for t in iter_tests(child)]
