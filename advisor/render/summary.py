"""The summary: one line per decision in play (decision, recommendation or status, strength), for people
who skim many scenarios. Plain text, no colour; lines never wrap, so `grep` and `sort` work on them."""

from __future__ import annotations

from rich.cells import cell_len

from advisor.models.advice import Advice, DecisionAdvice
from advisor.shared import safe_text

SUMMARY_START = "Summary: "
"""How every summary starts: `evaluate --output` recognises its own reports by it."""
NO_STRENGTH = "-"


def _outcome(d: DecisionAdvice) -> str:
    return safe_text.line(d.recommended.label) if d.recommended else d.status.replace("_", " ")


def _strength(d: DecisionAdvice) -> str:
    if d.recommended and d.strength:
        return d.strength
    if d.ask:
        return f"({len(d.ask)} question{'s' if len(d.ask) != 1 else ''} would decide it)"
    return NO_STRENGTH


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def render_summary(advice: Advice) -> str:
    s = advice.scenario
    lines = [f"{SUMMARY_START}{safe_text.line(s.title)} ({safe_text.line(s.id)})"]
    rows = [
        (safe_text.line(d.title), _outcome(d), _strength(d)) for d in advice.decisions if d.status != "not_applicable"
    ]
    title_width = max((cell_len(r[0]) for r in rows), default=0)
    outcome_width = max((cell_len(r[1]) for r in rows), default=0)
    lines += [
        f"  {_pad(title, title_width)}  {_pad(outcome, outcome_width)}  {strength}" for title, outcome, strength in rows
    ]
    if not rows:
        lines.append("  no decision is in play for these answers")
    skipped = len(advice.decisions) - len(rows)
    if skipped:
        lines.append(f"  ({skipped} other decision{'s are' if skipped != 1 else ' is'} not in play)")
    return "\n".join(lines) + "\n"
