"""Plain-words rendering of conditions and values, shared by the advice builder and renderers."""

from __future__ import annotations

from typing import Any

from advisor.models.conditions import AllOf, AnyOf, Condition, FactTest, NotOf
from advisor.models.questionnaire import Question


def describe_condition(condition: Condition) -> str:
    if isinstance(condition, FactTest):
        return condition.describe()
    if isinstance(condition, NotOf):
        return f"not ({describe_condition(condition.not_)})"
    if isinstance(condition, AllOf):
        parts = [describe_condition(c) for c in condition.all]
        joiner = " and "
    else:
        assert isinstance(condition, AnyOf)
        parts = [describe_condition(c) for c in condition.any]
        joiner = " or "
    if len(parts) == 1:
        return parts[0]
    return joiner.join(f"({p})" if (" and " in p or " or " in p) else p for p in parts)


def show_value(value: Any, question: Question | None = None) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
        return f"{text} {question.unit}" if question and question.unit and question.unit != "count" else text
    if isinstance(value, list):
        return ", ".join(show_value(v, question) for v in value) if value else "none"
    if question is not None:
        choice = question.choice(str(value))
        if choice is not None:
            return choice.label
    return str(value)
