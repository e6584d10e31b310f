"""Turn a parsed YAML document into a model, with every pydantic error located in the file."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from advisor.diagnostics import Diagnostic, InvalidInput
from advisor.yaml_source import SourceDocument

ModelT = TypeVar("ModelT", bound=BaseModel)

# Human wording for the id patterns in advisor.models (pydantic only prints the regex).
PATTERN_HINTS = {
    r"^[A-Z][A-Z0-9]{1,15}-[0-9]{3}$": "rule ids look like STREAM-001 (2-16 capitals or digits, a dash, 3 digits)",
    r"^[a-z][a-z0-9_]{0,63}$": "ids are lower_snake_case: a letter, then letters, digits or _, at most 64",
    r"^[a-z0-9][a-z0-9_-]{0,79}$": "scenario ids use lower-case letters, digits, - and _, at most 80",
    r"^[A-Za-z0-9_.-]+\.(txt|md)$": "a note file name such as 001_3a3c0835dfb19cbf.txt, without a folder",
    r"^[a-z0-9_]+\.[a-z0-9_]+$": "catalog item ids look like area.item_name",
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
    from advisor.schema_hints import allowed_keys_at

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
        return loc, f"unknown key '{key}'{hint}", True
    if kind == "missing":
        return loc[:-1], f"{prefix}missing required key" if not where else f"missing required key '{loc[-1]}'", True
    message = err["msg"]
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        message = f"{err.get('input')!r} is not valid here: {PATTERN_HINTS.get(pattern, message)}"
    if kind.endswith("_type") and "input" in err:
        message = f"{message}, got {type(err['input']).__name__} {err['input']!r}"[:300]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return loc, f"{prefix}{message}", False


def validate_document(doc: SourceDocument, model: type[ModelT]) -> ModelT:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        diagnostics: list[Diagnostic] = []
        for err in exc.errors(include_url=False):
            loc, message, at_key = describe_error(model, err, doc.data)
            diagnostics.append(doc.diagnostic(loc, err["type"], message, prefer_key=at_key))
        raise InvalidInput(sorted(set(diagnostics))) from None
