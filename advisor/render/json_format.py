"""Advice as canonical JSON (stable key order, no timestamps).

pydantic-core writes it (about four times faster than json.dumps over model_dump, in the same layout:
two-space indent, UTF-8 kept as is; floats in their shortest round-trip form, e.g. 0.00001).

JSON keeps the exact data: escaping is JSON's job. pydantic-core escapes U+0000-U+001F (ESC comes out
as \\u001b) but, like every JSON writer, leaves DEL, the C1 controls (the 8-bit CSI U+009B), bidi
overrides and U+2028/U+2029 raw; `advisor.shared.safe_text.json_text` writes those as \\uNNNN too, so JSON
printed to a terminal cannot act on it, and it still parses to the same data.

A file name that is not UTF-8 reaches the advice (scenario id and source) as lone surrogates, which
pydantic-core refuses to write; such advice is written by json.dumps instead, each surrogate as its
\\uDCxx escape (json.loads gives the same string back)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_json

from advisor.models.advice import Advice
from advisor.shared.safe_text import json_text

_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}
"""Model class -> its fields in order, each with whether it is declared a float (see _plain)."""
_WRITTEN = {"reports": 0}


def _fields(cls: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        fields = cls.__dict__.get("__pydantic_fields__") or cls.model_fields
        found = _FIELDS[cls] = tuple((name, info.annotation in (float, float | None)) for name, info in fields.items())
    return found


def _plain(value: Any) -> Any:
    """The models as plain lists and dicts, exactly as pydantic writes them: every field in declaration
    order, by its name, and a whole number in a float field as a float (3 -> 3.0)."""
    if isinstance(value, BaseModel):
        data = value.__dict__
        out = {}
        for name, is_float in _fields(type(value)):
            item = data[name]
            out[name] = float(item) if is_float and type(item) is int else _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _dump(advice: Advice) -> str:
    """The advice as JSON text. The first report of a process is written from plain data (_plain), later
    ones by pydantic's serializer for the models: building that serializer (and pydantic's plugin lookup)
    costs about twenty times writing one report from plain data, a tenth of a one-file `advisor evaluate`,
    while for a batch the built serializer is three times faster per report. Both write the same bytes
    (tests/test_render.py compares them over every shipped scenario and generated ones)."""
    _WRITTEN["reports"] += 1
    return dump_plain(advice) if _WRITTEN["reports"] == 1 else dump_models(advice)


def dump_models(advice: Advice) -> str:
    try:
        return json_text(advice.model_dump_json(indent=2, exclude={"review"} if advice.review is None else None))
    except PydanticSerializationError:
        return _dump_with_surrogates(advice)


def dump_plain(advice: Advice) -> str:
    try:
        return json_text(to_json(_advice_data(advice), indent=2, inf_nan_mode="null").decode("utf-8"))
    except PydanticSerializationError:
        return _dump_with_surrogates(advice)


def _advice_data(advice: Advice) -> dict[str, Any]:
    data: dict[str, Any] = _plain(advice)
    if advice.review is None:  # a scenario without current choices has no review: no `"review": null` either
        del data["review"]
    return data


def _dump_with_surrogates(advice: Advice) -> str:
    return json_text(json.dumps(_advice_data(advice), indent=2, ensure_ascii=False), surrogates=True)


def render_json(advice: Advice) -> str:
    return _dump(advice) + "\n"


def render_json_batch(advices: list[Advice]) -> str:
    if not advices:
        return "[]\n"
    items = (textwrap.indent(_dump(a), "  ") for a in advices)
    return "[\n" + ",\n".join(items) + "\n]\n"
