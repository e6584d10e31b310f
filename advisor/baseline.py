"""Compare fresh advice with saved JSON advice (a baseline) and describe what changed, per decision."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.diagnostics import Diagnostic, InvalidInput, display_path
from advisor.models.advice import Advice

MAX_DETAIL_LINES = 40


@dataclass(frozen=True)
class ScenarioDiff:
    scenario: str
    lines: list[str]


def load_baseline(folder: Path) -> dict[str, dict[str, Any]]:
    """Saved advice by scenario id, from the <id>.json files `evaluate --format json --output` writes."""
    if not folder.is_dir():
        raise InvalidInput([Diagnostic.at_file(display_path(folder), "baseline", "baseline folder not found")])
    saved: dict[str, dict[str, Any]] = {}
    problems: list[Diagnostic] = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            saved[data["scenario"]["id"]] = data
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(Diagnostic.at_file(display_path(path), "baseline",
                                               f"not a saved advice JSON file ({type(exc).__name__}: {exc})"))
    if problems:
        raise InvalidInput(problems)
    return saved


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _option(d: dict[str, Any]) -> str:
    rec = d.get("recommended")
    return rec["label"] if rec else d.get("status", "?").replace("_", " ")


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
    new = advice.model_dump(mode="json")
    if saved is None:
        return ScenarioDiff(sid, [f"{sid}: new scenario, no baseline"])
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
    if not lines:
        lines.append(f"{sid}: answers, derived facts or warnings changed")
    return ScenarioDiff(sid, lines)
