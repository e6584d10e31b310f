"""Advice as canonical JSON (stable key order, no timestamps).

pydantic-core writes it (about four times faster than json.dumps over model_dump, in the same layout:
two-space indent, UTF-8 kept as is; floats in their shortest round-trip form, e.g. 0.00001).

JSON keeps the exact data: escaping is JSON's job. pydantic-core escapes U+0000-U+001F (ESC comes out
as \\u001b) but, like every JSON writer, leaves DEL, the C1 controls (the 8-bit CSI U+009B), bidi
overrides and U+2028/U+2029 raw; `advisor.shared.safe_text.json_text` writes those as \\uNNNN too, so JSON
printed to a terminal cannot act on it, and it still parses to the same data.

A file name that is not UTF-8 reaches the advice (scenario id and source) as lone surrogates, which
pydantic-core refuses to write; such advice is written by json.dumps instead, each surrogate as its
\\uDCxx escape (json.loads gives the same string back).

Batches write thousands of reports, most of whose text is the same from one report to the next: an advisor
gives every scenario the same `DecisionAdvice` object for a decision not in play (about 85 of 90 decisions
of a typical scenario). `render_json_bytes` writes the UTF-8 bytes directly (no text to decode and encode
again), and keeps the JSON of a decision's advice seen in two reports in a row, by identity (advice is
immutable), so only the rest is written each time. The bytes are those of `render_json`, byte for byte
(tests/test_json_bytes.py); anything unusual (a character json_text escapes, a surrogate, a layout it does
not expect) takes the plain path above."""

from __future__ import annotations

import json
import os
import textwrap
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_json

from advisor.models.advice import Advice, DecisionAdvice
from advisor.shared.safe_text import json_text, json_utf8_is_safe

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


def _first_report() -> bool:
    """Whether this is the first report of the process: it is written from plain data (_plain), later ones
    by pydantic's serializers (and the kept decision JSON, _pieces). Building those serializers (and
    pydantic's plugin lookup) costs about twenty times writing one report from plain data, a tenth of a
    one-file `advisor evaluate`, while for a batch they are three times faster per report. Every path
    writes the same bytes (tests/test_render.py and tests/test_json_bytes.py compare them)."""
    _WRITTEN["reports"] += 1
    return _WRITTEN["reports"] == 1


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
    if _first_report():
        return dump_plain(advice) + "\n"
    fast = _pieces(advice)
    if fast is None:
        return dump_models(advice) + "\n"
    return b"".join(fast).decode("utf-8")


def render_json_bytes(advice: Advice) -> bytes:
    """`render_json(advice)` as a report file holds it: UTF-8, each newline as this system writes text files."""
    if _first_report():
        data = (dump_plain(advice) + "\n").encode("utf-8")
    else:
        fast = _pieces(advice)
        data = b"".join(fast) if fast is not None else (dump_models(advice) + "\n").encode("utf-8")
    return data if os.linesep == "\n" else data.replace(b"\n", os.linesep.encode())


def render_json_batch(advices: list[Advice]) -> str:
    if not advices:
        return "[]\n"
    items = (textwrap.indent(render_json(a)[:-1], "  ") for a in advices)
    return "[\n" + ",\n".join(items) + "\n]\n"


# ---- the fast path ------------------------------------------------------------------------------------------
_DECISIONS = "decisions"
_DECISION_INDENT = b"    "
"""Each element of the top-level "decisions" array is indented this far (two levels of two spaces)."""
_NEWLINE_INDENTED = b"\n" + _DECISION_INDENT
_KEPT_AT_MOST = 4096
"""Decision JSON kept at most (then forgotten all at once): an advisor shares one object per decision."""


class _DecisionJson:
    """The JSON of each `DecisionAdvice` that recurs, as it appears in a report, by the object's identity.

    An object is kept once it is met in two reports in a row: a decision's advice made for one scenario only
    is never kept (nor kept alive). Each entry holds its object, so its id cannot be reused meanwhile."""

    def __init__(self) -> None:
        self.kept: dict[int, tuple[DecisionAdvice, bytes, bool]] = {}
        self.last: dict[int, DecisionAdvice] = {}
        self.last_advice: int | None = None

    def pieces(self, advice: Advice, serializer: Any) -> tuple[list[bytes], bool] | None:
        """The decisions' JSON, each indented as an element of the array, and whether all of it is safe
        (see json_utf8_is_safe); None when pydantic-core cannot write one (a surrogate)."""
        out: list[bytes] = []
        safe = True
        seen: dict[int, DecisionAdvice] = {}
        kept, last = self.kept, self.last
        again = self.last_advice != id(advice)  # the same advice twice is no sign that its objects recur
        for decision in advice.decisions:
            key = id(decision)
            seen[key] = decision
            hit = kept.get(key)
            if hit is not None and hit[0] is decision:
                out.append(hit[1])
                safe = safe and hit[2]
                continue
            try:
                text = _DECISION_INDENT + serializer.to_json(decision, indent=2).replace(b"\n", _NEWLINE_INDENTED)
            except PydanticSerializationError:
                return None
            is_safe = json_utf8_is_safe(text)
            if again and last.get(key) is decision:
                if len(kept) >= _KEPT_AT_MOST:
                    kept.clear()
                kept[key] = (decision, text, is_safe)
            out.append(text)
            safe = safe and is_safe
        self.last, self.last_advice = seen, id(advice)
        return out, safe


_DECISION_JSON = _DecisionJson()
_SERIALIZERS: tuple[Any, Any, tuple[str, ...]] | None = None


def _serializers() -> tuple[Any, Any, tuple[str, ...]]:
    """pydantic-core's writers of Advice and DecisionAdvice (built on first use: see advisor.models.base), and
    the fields of Advice after its decisions."""
    global _SERIALIZERS
    if _SERIALIZERS is None:
        Advice.model_rebuild()
        DecisionAdvice.model_rebuild()
        names = list(Advice.model_fields)
        _SERIALIZERS = (Advice.__pydantic_serializer__, DecisionAdvice.__pydantic_serializer__,
                        tuple(names[names.index(_DECISIONS) + 1:]))
    return _SERIALIZERS


def _pieces(advice: Advice) -> list[bytes] | None:
    """`render_json(advice)` as UTF-8, in pieces: the advice but its decisions in one call, the decisions
    spliced in before the key that follows them (a top-level key is the only one indented by exactly two
    spaces after a newline: JSON strings hold no raw newline). None: take the plain path."""
    if type(advice) is not Advice or type(advice.decisions) is not list:
        return None
    whole, decision, following = _serializers()
    left_out = {_DECISIONS} if advice.review is not None else {_DECISIONS, "review"}
    after = [name for name in following if name not in left_out]
    try:
        head = whole.to_json(advice, indent=2, exclude=left_out)
    except PydanticSerializationError:
        return None
    made = _DECISION_JSON.pieces(advice, decision)
    if made is None or not after:
        return None
    decisions, safe = made
    if not (safe and json_utf8_is_safe(head)):
        return None
    marker = f',\n  "{after[0]}": '.encode()
    cut = head.find(marker)
    if cut < 0 or head.find(marker, cut + 1) >= 0:
        return None
    opening = b',\n  "' + _DECISIONS.encode() + b'": '
    if not decisions:
        return [head[:cut], opening, b"[]", head[cut:], b"\n"]
    return [head[:cut], opening, b"[\n", b",\n".join(decisions), b"\n  ]", head[cut:], b"\n"]
