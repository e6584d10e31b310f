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

Batches write thousands of reports, most of whose text is the same from one report to the next: an advisor's
memos give many scenarios the very same objects (the `DecisionAdvice` of a decision not in play, about 85 of 90
decisions of a typical scenario; trace entries and answer records of recurring rules and answers).
`render_json_bytes` writes the UTF-8 bytes directly (no text to decode and encode again), and keeps the JSON of
each element of a top-level array (decisions, trace, answers, ...) met in two reports, by identity (advice is
immutable), so only the rest is written each time. The bytes are those of `render_json`, byte for byte
(tests/test_json_bytes.py); anything unusual (a character json_text escapes, a surrogate, a layout it does
not expect) takes the plain path above."""

from __future__ import annotations

import json
import os
import textwrap
import typing
import weakref
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_json

from advisor.models.advice import Advice
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
_ELEMENT_INDENT = b"    "
"""Each element of a top-level array is indented this far (two levels of two spaces)."""
_NEWLINE_INDENTED = b"\n" + _ELEMENT_INDENT
_KEPT_AT_MOST = 1024
"""Element JSON kept at most per array (then forgotten all at once): each entry keeps its object alive, and a batch
of varied shipped scenarios keeps about 500 per array."""
_SEEN_AT_MOST = 4096
"""Objects seen once remembered at most per array (weak references: they keep nothing alive)."""


class _ElementJson:
    """The JSON of each element of one top-level array that recurs (an advisor's memos give many scenarios the
    very same `DecisionAdvice`, `FiredRule` or `AnswerRecord`), as it appears in a report, by the object's
    identity (advice is immutable).

    An object is kept once it is met in a second report: an element made for one scenario only is never kept,
    nor kept alive (the objects seen once are remembered by weak reference). Each kept object is held (`alive`),
    so no other object can have its id meanwhile: a kept id is that object, no identity check needed."""

    def __init__(self, serializer: Any, cls: type) -> None:
        self.serializer, self.cls = serializer, cls
        self.kept: dict[int, bytes] = {}
        self.alive: dict[int, Any] = {}
        self.seen: dict[int, weakref.ref[Any]] = {}

    def pieces(self, elements: list[Any], again: bool) -> list[bytes] | None:
        """The elements' JSON, each indented as an element of the array; None when one is not safe as it is
        (see json_utf8_is_safe), pydantic-core cannot write one (a surrogate) or one is not of the declared
        class. `again`: the same advice as the last report, whose objects are no sign of recurrence."""
        out: list[Any] = list(map(self.kept.get, map(id, elements)))  # in C: most elements recur
        if None in out:
            for at, text in enumerate(out):
                if text is None:
                    made = self._missed(elements[at], again)
                    if made is None:
                        return None
                    out[at] = made
        return out

    def _missed(self, element: Any, again: bool) -> bytes | None:
        if type(element) is not self.cls:
            return None
        try:
            text = _ELEMENT_INDENT + self.serializer.to_json(element, indent=2).replace(b"\n", _NEWLINE_INDENTED)
        except PydanticSerializationError:
            return None
        if not json_utf8_is_safe(text):
            return None
        if again:
            return text
        key, kept, seen = id(element), self.kept, self.seen
        before = seen.get(key)
        if before is not None and before() is element:
            if len(kept) >= _KEPT_AT_MOST:
                kept.clear()
                self.alive.clear()
            kept[key] = text
            self.alive[key] = element
            del seen[key]
        else:
            if len(seen) >= _SEEN_AT_MOST:
                seen.clear()
            seen[key] = weakref.ref(element)
        return text


def _is_model_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


class _Layout:
    """How the fast path writes Advice: its arrays of models element by element (from _ElementJson), the other
    fields in one call of pydantic-core's writer (the head), spliced together in the fields' order."""

    def __init__(self) -> None:
        Advice.model_rebuild()
        self.whole = Advice.__pydantic_serializer__
        self.fields = tuple(Advice.model_fields)
        self.arrays: dict[str, _ElementJson] = {}
        for name, info in Advice.model_fields.items():
            args = typing.get_args(info.annotation)
            element: Any = args[0] if len(args) == 1 else None
            if typing.get_origin(info.annotation) is list and _is_model_class(element):
                element.model_rebuild()
                self.arrays[name] = _ElementJson(element.__pydantic_serializer__, element)
        self.keys = {name: f'"{name}": '.encode() for name in self.fields}
        self.last_advice: weakref.ref[Advice] | None = None

    def pieces(self, advice: Advice) -> list[bytes] | None:
        """`render_json(advice)` as UTF-8, in pieces; None: take the plain path. In the head each top-level
        entry starts after a newline and exactly two spaces (JSON strings hold no raw newline, deeper lines
        are indented further), so it splits there into the fields it holds."""
        data = advice.__dict__
        left_out = set(self.arrays) if advice.review is not None else {*self.arrays, "review"}
        try:
            head = self.whole.to_json(advice, indent=2, exclude=left_out)
        except PydanticSerializationError:
            return None
        if not json_utf8_is_safe(head) or not head.startswith(b'{\n  "') or not head.endswith(b"\n}"):
            return None
        entries = head[5:-2].split(b',\n  "')  # each without its opening quote
        in_head = [name for name in self.fields if name not in left_out]
        if len(entries) != len(in_head):
            return None
        last = self.last_advice
        again = last is not None and last() is advice
        self.last_advice = weakref.ref(advice)
        out = [b"{\n  "]
        at = 0
        for name in self.fields:
            if name in left_out:
                if name not in self.arrays:
                    continue
                elements = data[name]
                if type(elements) is not list:
                    return None
                made = self.arrays[name].pieces(elements, again)
                if made is None:
                    return None
                out.append(self.keys[name])
                out += (b"[\n", b",\n".join(made), b"\n  ]") if elements else (b"[]",)
            else:
                entry = entries[at]
                if not entry.startswith(self.keys[name][1:]):
                    return None
                out += (b'"', entry)
                at += 1
            out.append(b",\n  ")
        out[-1] = b"\n}\n"
        return out


_LAYOUT: _Layout | None = None


def _pieces(advice: Advice) -> list[bytes] | None:
    """`render_json(advice)` as UTF-8, in pieces (see _Layout); None: take the plain path."""
    global _LAYOUT
    if type(advice) is not Advice:
        return None
    if _LAYOUT is None:
        _LAYOUT = _Layout()  # pydantic-core's writers, built on first use: see advisor.models.base
    return _LAYOUT.pieces(advice)
