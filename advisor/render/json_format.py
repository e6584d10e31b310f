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

from pydantic_core import PydanticSerializationError

from advisor.models.advice import Advice
from advisor.shared.safe_text import json_text


def _dump(advice: Advice) -> str:
    try:
        return json_text(advice.model_dump_json(indent=2, exclude=_unset(advice)))
    except PydanticSerializationError:
        text = json.dumps(advice.model_dump(mode="json", exclude=_unset(advice)), indent=2, ensure_ascii=False)
        return json_text(text, surrogates=True)


def _unset(advice: Advice) -> set[str] | None:
    """A scenario without current choices has no review: its JSON stays as it was, without `"review": null`."""
    return {"review"} if advice.review is None else None


def render_json(advice: Advice) -> str:
    return _dump(advice) + "\n"


def render_json_batch(advices: list[Advice]) -> str:
    if not advices:
        return "[]\n"
    items = (textwrap.indent(_dump(a), "  ") for a in advices)
    return "[\n" + ",\n".join(items) + "\n]\n"
