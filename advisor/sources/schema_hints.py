"""Which keys a model accepts at a given place in a document (for 'did you mean' hints)."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from advisor.models.base import fields_of


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):  # unions, Annotated[...] and list[...] alike
        found += _models_in(arg)
    return found


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in fields_of(model).items()]


def allowed_keys_at(model: type[BaseModel], loc: tuple[Any, ...], data: Any) -> list[str]:
    """Follow `loc` through the model's fields; return the keys accepted by the model(s) found there."""
    candidates: list[type[BaseModel]] = [model]
    node = data
    for segment in loc:
        if isinstance(segment, int):
            node = node[segment] if isinstance(node, list) and 0 <= segment < len(node) else None
            continue
        next_candidates: list[type[BaseModel]] = []
        for candidate in candidates:
            for name, field in fields_of(candidate).items():
                if segment in (name, field.alias):
                    next_candidates += _models_in(field.annotation)
        if next_candidates:
            candidates = next_candidates
            node = node.get(segment) if isinstance(node, dict) else None
    if isinstance(node, dict):
        # pick the union member that fits the keys present best (e.g. a fact test vs all/any/not)
        candidates.sort(key=lambda m: -len(set(node) & set(_keys(m))))
    return sorted(_keys(candidates[0])) if candidates else []
