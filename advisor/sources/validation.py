"""Turn a parsed YAML document into a model, with every pydantic error located in the file."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from advisor.models.base import LocatedValueError
from advisor.shared.diagnostics import MAX_PROBLEMS_PER_FILE, Diagnostic, InvalidInput, more_problems
from advisor.sources.yaml_source import Position, SourceDocument

ModelT = TypeVar("ModelT", bound=BaseModel)

# Human wording for the id patterns in advisor.models (pydantic only prints the regex).
PATTERN_HINTS = {
    r"^[A-Z][A-Z0-9]{1,15}-[0-9]{3}$": "rule ids look like STREAM-001 (2-16 capitals or digits, a dash, 3 digits)",
    r"^[a-z][a-z0-9_]{0,63}$": "ids are lower_snake_case: a letter, then letters, digits or _, at most 64",
    r"^[a-z0-9][a-z0-9_-]{0,79}$": "scenario ids use lower-case letters, digits, - and _, at most 80",
    r"^[A-Za-z0-9_.-]+\.(txt|md)$": "a note file name such as 001_3a3c0835dfb19cbf.txt, without a folder",
    r"^[a-z0-9_]+\.[a-z0-9_]+$": "catalog item ids look like area.item_name",
    r"^https://(docs\.aws\.amazon\.com|aws\.amazon\.com)/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$":
        "an AWS page address: https://docs.aws.amazon.com/... or https://aws.amazon.com/..., without spaces",
    r"^20[2-9][0-9]-(0[1-9]|1[0-2])$": "the month the page was read, as YYYY-MM (such as 2026-12)",
}


def _dotted(loc: tuple[Any, ...], data: Any) -> str:
    """The loc as a readable path, without union tags that are not keys in the data."""
    parts: list[str] = []
    node = data
    for segment in loc:
        if isinstance(node, dict) and isinstance(segment, str) and segment in node:
            node = node[segment]
            parts.append(segment)
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            node = node[segment]
            parts.append(f"[{segment}]")
        elif isinstance(node, dict) and isinstance(segment, str) and segment not in ("all", "any", "not", "test"):
            parts.append(segment)  # a missing key
            node = None
    return ".".join(parts).replace(".[", "[")


def _expected_keys(model: type[BaseModel], loc: tuple[Any, ...], data: Any) -> list[str]:
    """Allowed keys at the mapping holding an unknown key: best effort, for 'did you mean'."""
    from advisor.sources.schema_hints import allowed_keys_at

    return allowed_keys_at(model, loc, data)


def describe_error(model: type[BaseModel], err: Any, data: Any) -> tuple[tuple[Any, ...], str, bool]:
    loc = tuple(err["loc"])
    where = _dotted(loc, data)
    kind = err["type"]
    prefix = f"{where}: " if where else ""
    if kind == "extra_forbidden":
        key = loc[-1]
        allowed = _expected_keys(model, loc[:-1], data)
        hint = ""
        close = get_close_matches(str(key), allowed, n=1)
        if close:
            hint = f"; did you mean '{close[0]}'?"
        elif allowed:
            hint = f"; expected one of: {', '.join(allowed)}"
        # repr, not the raw key: a key may hold control characters (terminal escapes) or newlines
        return loc, f"unknown key {str(key)!r}{hint}", True
    if kind == "missing":
        return loc[:-1], f"{prefix}missing required key" if not where else f"missing required key '{loc[-1]}'", True
    message = err["msg"]
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        message = f"{err.get('input')!r} is not valid here: {PATTERN_HINTS.get(pattern, message)}"
    if kind.endswith("_type") and "input" in err:  # value_type: a merged union error
        message = f"{message}, got {type(err['input']).__name__} {err['input']!r}"[:300]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if loc and loc[-1] == "[key]":  # a bad mapping key: point at the key, not at its value
        return loc[:-1], f"{prefix}{message}", True
    return loc, f"{prefix}{message}", False


_UNION_NAMES = {"bool": "true/false", "int": "a whole number", "float": "a number", "str": "text",
                "constrained-str": "text", "list[str]": "a list of texts",
                "list[constrained-str]": "a list of texts", "list[union[bool,int,float,str]]": "a list",
                "dict[str,any]": "a mapping"}


def _node_at(loc: tuple[Any, ...], data: Any) -> Any:
    """The value a loc points at, skipping the segments that are not in the data (union tags)."""
    node = data
    for segment in loc:
        in_mapping = isinstance(node, dict) and isinstance(segment, str) and segment in node
        in_list = isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node)
        if in_mapping or in_list:
            node = node[segment]
    return node


def _merge_union_type_errors(errors: list[Any], data: Any) -> list[Any]:
    """One error instead of one per member when a value fits none of a union's types.

    pydantic reports `answers.x: {'a': 1}` against bool, int, float, str and list separately, all
    at the same place; the person needs one line saying what is accepted there. When the value has one
    member's shape (a text that breaks the id pattern, an empty list), that member's own error says what
    is wrong and the other members' type errors are dropped. Two fields of one mapping that both have the
    wrong type are two errors, not a union: a segment that is a key in the data is a field, never a union
    member. Linear in the errors: a file may bring tens of thousands.
    """
    nodes: dict[tuple[Any, ...], Any] = {}

    def is_member(loc: tuple[Any, ...]) -> bool:
        parent = loc[:-1]
        if parent not in nodes:
            nodes[parent] = _node_at(parent, data)
        node = nodes[parent]
        return not (isinstance(node, dict) and loc[-1] in node)

    groups: dict[tuple[Any, ...], list[Any]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"].endswith("_type") and len(loc) > 1 and isinstance(loc[-1], str) and is_member(loc):
            groups.setdefault(loc[:-1], []).append(err)
    tags = {parent: {e["loc"][-1] for e in group} for parent, group in groups.items()}
    # parents whose value has one member's shape (a list, a text): its own errors say what is wrong
    shaped: set[tuple[Any, ...]] = set()
    for err in errors:
        loc = tuple(err["loc"])
        for k in range(len(loc)):
            if loc[:k] in tags and loc[k] not in tags[loc[:k]]:
                shaped.add(loc[:k])
    grouped = {id(err) for group in groups.values() for err in group}
    merged: list[Any] = []
    done: set[tuple[Any, ...]] = set()
    for err in errors:
        if id(err) not in grouped:
            merged.append(err)
            continue
        parent = tuple(err["loc"][:-1])
        if parent in shaped or parent in done:
            continue
        if len(groups[parent]) == 1:
            merged.append(err)
            continue
        done.add(parent)
        accepted = ", ".join(dict.fromkeys(_UNION_NAMES.get(e["loc"][-1], e["loc"][-1]) for e in groups[parent]))
        merged.append({**err, "loc": parent, "type": "value_type", "msg": f"expected one of: {accepted}"})
    return merged


def validate_document(doc: SourceDocument, model: type[ModelT]) -> ModelT:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = _merge_union_type_errors([_located(err) for err in exc.errors(include_url=False)], doc.data)
        # Only the first errors in the file are worded (the did-you-mean search is the costly part);
        # the rest are counted.
        errors.sort(key=lambda err: _line_column(doc, err))
        diagnostics: list[Diagnostic] = []
        for err in errors[:MAX_PROBLEMS_PER_FILE]:
            loc, message, at_key = describe_error(model, err, doc.data)
            diagnostics.append(doc.diagnostic(loc, err["type"], message, prefer_key=at_key))
        if len(errors) > MAX_PROBLEMS_PER_FILE:
            first = _position(doc, errors[MAX_PROBLEMS_PER_FILE])
            diagnostics.append(more_problems(doc.shown_path, first.line, first.column,
                                             len(errors) - MAX_PROBLEMS_PER_FILE))
        raise InvalidInput(sorted(set(diagnostics))) from None


def _located(err: Any) -> Any:
    """A check across fields that names the part of the mapping it found wrong points there."""
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, LocatedValueError):
        return {**err, "loc": (*err["loc"], *error.at)}
    return err


def _line_column(doc: SourceDocument, err: Any) -> tuple[int, int]:
    position = _position(doc, err)
    return position.line, position.column


def _position(doc: SourceDocument, err: Any) -> Position:
    loc = tuple(err["loc"])
    at_key = err["type"] in ("extra_forbidden", "missing") or (bool(loc) and loc[-1] == "[key]")
    if err["type"] == "missing" or (loc and loc[-1] == "[key]"):
        loc = loc[:-1]
    return doc.locate(loc, prefer_key=at_key)
