"""A scenario document that is plainly valid, made into a `Scenario` without pydantic's validator.

Validating a scenario through pydantic means building the model's validator on first use (with pydantic's
plugin lookup, which imports importlib.metadata): a few hundredths of a second, which is a large part of a
one-file `advisor evaluate` once the compiled rule base is cached. Nearly every scenario file is valid, and
validity of this small model is a few type and pattern checks, so they are made here first. Any doubt
(an unknown key, a value of another type, a pattern that does not match, a model that gained a field
since this was written) returns None and the caller validates with pydantic as before, which words every
problem with its line and column. So this never accepts a document pydantic would refuse, and what it
builds equals what pydantic builds (tests/test_plain_scenario.py checks both on generated documents).
"""

from __future__ import annotations

import re
from typing import Any

from advisor.models.scenario import Scenario

# The patterns of advisor.models (pydantic runs them with Rust's regex, where `$` is the end of the text:
# fullmatch without the anchors is the same test; [a-z] is ASCII in both).
_SCENARIO_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FIELDS: tuple[str, ...] = ("id", "title", "description", "answers", "current")
_REQUIRED = ("title", "answers")
_LARGEST_INT = 2**63
"""Integers beyond 64 bits take another path in pydantic-core: left to it."""


def plain_scenario(data: Any) -> Scenario | None:
    """The Scenario pydantic would make of `data`, or None when `data` is not plainly valid."""
    if type(data) is not dict or tuple(Scenario.model_fields) != _FIELDS:
        return None
    if any(key not in _FIELDS for key in data) or any(key not in data for key in _REQUIRED):
        return None
    sid = data.get("id")
    if sid is not None and not (type(sid) is str and _SCENARIO_ID.fullmatch(sid)):
        return None
    title = data["title"]
    if type(title) is not str or not 1 <= len(title) <= 200:
        return None
    if "description" in data and type(data["description"]) is not str:
        return None
    answers = _answers(data["answers"])
    current = _current(data["current"]) if "current" in data else {}
    if answers is None or current is None:
        return None
    values = {key: data[key] for key in data}  # the document's key order, as pydantic keeps it
    values["answers"] = answers
    if "current" in values:
        values["current"] = current
    return Scenario.model_construct(**values)


def _id_keyed(raw: Any) -> bool:
    """A mapping whose every key is an identifier (what both answers and current choices are keyed by)."""
    return type(raw) is dict and all(type(key) is str and _ID.fullmatch(key) for key in raw)


def _answers(raw: Any) -> dict[str, Any] | None:
    if not _id_keyed(raw):
        return None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        kind = type(value)
        if kind is list:
            if any(type(item) is not str for item in value):
                return None
            value = list(value)
        elif kind is int:
            if abs(value) >= _LARGEST_INT:
                return None
        elif value is not None and kind not in (bool, float, str):
            return None
        out[key] = value
    return out


def _current(raw: Any) -> dict[str, Any] | None:
    if not _id_keyed(raw):
        return None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if type(value) is str:
            if not _ID.fullmatch(value):
                return None
        elif type(value) is list and value:
            if any(type(item) is not str or not _ID.fullmatch(item) for item in value):
                return None
            value = list(value)
        else:
            return None
        out[key] = value
    return out
