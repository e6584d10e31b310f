"""Compare fresh advice with saved JSON advice (a baseline) and describe what changed, per decision.

The lines quote both sides (labels, ids, the saved file's contents, which anyone could have edited), so
each comes out through `advisor.shared.safe_text.line`."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from advisor.models.advice import Advice
from advisor.shared import safe_text
from advisor.shared.diagnostics import Diagnostic, InvalidInput, display_path
from advisor.shared.wording import STATUS_WORDS

MAX_DETAIL_LINES = 40
MAX_BASELINE_BYTES = 16 * 1024 * 1024
"""A saved report is tens of kilobytes; a file far larger is not one, and is not read whole."""


@dataclass(frozen=True)
class ScenarioDiff:
    scenario: str
    lines: list[str]


@dataclass(frozen=True)
class Baseline:
    """A folder of saved advice, `<scenario id>.json` each, as `evaluate --format json --output` writes it.

    Files are read one at a time, when their scenario is compared (in the batch workers), so a baseline
    of thousands of reports is never held in memory at once."""

    folder: Path
    files: dict[str, Path]
    """Scenario id (the file name without .json) -> file."""

    @classmethod
    def open(cls, folder: Path) -> Baseline:
        if not folder.is_dir():
            raise InvalidInput([Diagnostic.at_file(display_path(folder), "baseline", "baseline folder not found")])
        try:
            files = {path.name[: -len(".json")]: path for path in sorted(folder.glob("*.json")) if path.is_file()}
        except OSError as exc:
            message = f"cannot read the baseline folder: {exc.strerror or exc}"
            raise InvalidInput([Diagnostic.at_file(display_path(folder), "baseline", message)]) from None
        return cls(folder, files)

    def text(self, scenario_id: str) -> str | None:
        """The saved report of this scenario as written; None when the baseline has none."""
        path = self.files.get(scenario_id)
        if path is None:
            return None
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BASELINE_BYTES + 1)
            if len(raw) > MAX_BASELINE_BYTES:
                message = f"the file is larger than {MAX_BASELINE_BYTES // 1024 // 1024} MiB; not a saved advice"
                raise InvalidInput([Diagnostic.at_file(display_path(path), "baseline", message)])
            return raw.decode("utf-8")
        except (OSError, ValueError) as exc:  # ValueError: not UTF-8
            message = f"cannot read the saved advice ({type(exc).__name__}: {exc})"
            raise InvalidInput([Diagnostic.at_file(display_path(path), "baseline", message)]) from None

    def parse(self, scenario_id: str, text: str) -> dict[str, Any]:
        """The saved advice in `text` (this scenario's file), checked to be that scenario's and to have
        the shape compare() reads, so a hand-edited or foreign JSON file is a located error, not a crash."""
        path = self.files[scenario_id]
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the parser goes
            message = f"not a saved advice JSON file ({type(exc).__name__}: {_short(str(exc))})"
            raise InvalidInput([Diagnostic.at_file(display_path(path), "baseline", message)]) from None
        try:
            saved_id = _SavedAdvice.model_validate(data).scenario.id
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "the top level"
            problem = _SHAPE_PROBLEMS.get(first["type"], _short(first["msg"]))
            message = f"not a saved advice JSON file: {where}: {problem}"
            raise InvalidInput([Diagnostic.at_file(display_path(path), "baseline", message)]) from None
        if saved_id != scenario_id:
            raise InvalidInput([Diagnostic.at_file(display_path(path), "baseline",
                                                   f"holds the advice of scenario {saved_id!r}, not {scenario_id!r} "
                                                   "as its name says")])
        return data  # type: ignore[no-any-return]


_SHAPE_PROBLEMS = {"model_type": "expected a JSON object", "dict_type": "expected a JSON object",
                   "list_type": "expected a JSON array", "string_type": "expected a JSON string",
                   "missing": "missing"}
"""pydantic's wording names the internal models; say what the JSON should hold instead."""


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")  # json.loads would read NaN and Infinity


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."


class _Saved(BaseModel):
    """Only the parts of a saved report that compare() reads; other keys may come and go between versions."""

    model_config = ConfigDict(extra="allow", strict=True)


class _SavedScenario(_Saved):
    id: str


class _SavedLabel(_Saved):
    label: str


class _SavedOption(_Saved):
    option: str


class _SavedDecision(_Saved):
    id: str
    status: str | None = None
    strength: str | None = None
    recommended: _SavedLabel | None = None
    excluded: list[_SavedOption] = []
    alternatives: list[_SavedOption] = []


class _SavedFiring(_Saved):
    rule_id: str


class _SavedAdvice(_Saved):
    scenario: _SavedScenario
    decisions: list[_SavedDecision] = []
    trace: list[_SavedFiring] = []


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _option(d: dict[str, Any]) -> str:
    rec = d.get("recommended")
    status = str(d.get("status") or "?")
    return rec["label"] if rec else STATUS_WORDS.get(status, status.replace("_", " "))


def _decision_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changes: list[str] = []
    if (old.get("status"), _option(old)) != (new.get("status"), _option(new)):
        changes.append(f"outcome: {_option(old)} -> {_option(new)}")
    if old.get("strength") != new.get("strength"):
        changes.append(f"strength: {old.get('strength')} -> {new.get('strength')}")
    old_ex = {o["option"] for o in old.get("excluded", [])}
    new_ex = {o["option"] for o in new.get("excluded", [])}
    if old_ex != new_ex:
        added, removed = sorted(new_ex - old_ex), sorted(old_ex - new_ex)
        changes.append("excluded: " + ", ".join([f"+{o}" for o in added] + [f"-{o}" for o in removed]))
    old_alt = [o["option"] for o in old.get("alternatives", [])]
    new_alt = [o["option"] for o in new.get("alternatives", [])]
    if old_alt != new_alt:
        changes.append(f"alternatives: {', '.join(old_alt) or 'none'} -> {', '.join(new_alt) or 'none'}")
    if old != new and not changes:
        before = json.dumps(old, indent=2, sort_keys=True).splitlines()
        after = json.dumps(new, indent=2, sort_keys=True).splitlines()
        detail = list(difflib.unified_diff(before, after, "baseline", "now", n=1, lineterm=""))[2:]
        changes.append("details changed (reasoning, scores or citations):")
        changes += [f"    {line}" for line in detail[:MAX_DETAIL_LINES]]
        if len(detail) > MAX_DETAIL_LINES:
            changes.append(f"    ... {len(detail) - MAX_DETAIL_LINES} more lines")
    return changes


def compare(advice: Advice, saved: dict[str, Any] | None) -> ScenarioDiff | None:
    """None when the advice equals its baseline."""
    sid = advice.scenario.id
    new = advice.model_dump(mode="json", exclude={"review"} if advice.review is None else None)  # as JSON has it
    if saved is None:
        return ScenarioDiff(sid, [safe_text.line(f"{sid}: new scenario, no baseline")])
    if saved == new:
        return None
    lines: list[str] = []
    old_decisions, new_decisions = _by_id(saved.get("decisions", [])), _by_id(new["decisions"])
    for did in list(dict.fromkeys([*old_decisions, *new_decisions])):
        old, cur = old_decisions.get(did), new_decisions.get(did)
        if old is None:
            lines.append(f"{sid} / {did}: new decision, {_option(cur or {})}")
        elif cur is None:
            lines.append(f"{sid} / {did}: decision removed (was {_option(old)})")
        elif old != cur:
            lines.append(f"{sid} / {did}:")
            lines += [f"  {c}" for c in _decision_changes(old, cur)]
    old_fired = {t["rule_id"] for t in saved.get("trace", [])}
    new_fired = {t["rule_id"] for t in new["trace"]}
    if old_fired != new_fired:
        lines.append(f"{sid}: rules fired " + ", ".join(
            [f"+{r}" for r in sorted(new_fired - old_fired)] + [f"-{r}" for r in sorted(old_fired - new_fired)]))
    if saved.get("review") != new.get("review"):
        lines.append(f"{sid}: the review of the current choices changed")
    if not lines:
        lines.append(f"{sid}: answers, derived facts or warnings changed")
    return ScenarioDiff(sid, [safe_text.line(text) for text in lines])
