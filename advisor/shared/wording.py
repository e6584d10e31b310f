"""The one place that words things for people: conditions, values with their units, decision statuses,
verdict signs and file-name slugs. The advice builder, every renderer and the TUI use it, so a value or a
status reads the same in the terminal, Markdown, an ADR and the TUI."""

from __future__ import annotations

import re
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


def show_value(value: Any, question: Question | None = None, unit: str = "") -> str:
    """A value for people: numbers grouped with their unit (the question's, else `unit`; never 'count'),
    yes/no, a choice's label, 'unknown' for None."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
        unit = question.unit if question is not None else unit
        return f"{text} {unit}" if unit and unit != "count" else text
    if isinstance(value, list):
        return ", ".join(show_value(v, question) for v in value) if value else "none"
    if question is not None:
        choice = question.choice(str(value))
        if choice is not None:
            return choice.label
    return str(value)


STATUS_WORDS = {"recommended": "recommended", "undecided": "undecided", "not_applicable": "not in play",
                "out_of_scope": "outside what this advisor covers"}
"""A decision's status in words."""


def status_word(status: str, *, capital: bool = False) -> str:
    word = STATUS_WORDS[status]
    return word[:1].upper() + word[1:] if capital else word


def verdict_sign(kind: str, weight: float) -> str:
    """'requires', 'excludes', or the signed weight the verdict adds ('+3', '-2')."""
    if kind == "require":
        return "requires"
    if kind == "exclude":
        return "excludes"
    return f"+{weight:g}" if kind == "recommend" else f"{weight:g}"


def slug(title: str, fallback: str) -> str:
    """A file-name part made of [a-z0-9-] from a title, at most 60 characters; `fallback` when none is left."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or fallback
