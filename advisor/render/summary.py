"""The summary: one line per decision in play (decision, recommendation or status, strength), for people
who skim many scenarios. Plain text, no colour; lines never wrap, so `grep` and `sort` work on them."""

from __future__ import annotations

from rich.cells import cell_len

from advisor.models.advice import Advice, DecisionAdvice
from advisor.models.review import RISK_LABELS
from advisor.shared import safe_text
from advisor.shared.wording import status_word

SUMMARY_START = "Summary: "
"""How every summary starts: `--output` recognises its own reports by it (a review's summary too)."""
NO_STRENGTH = "-"


def _outcome(d: DecisionAdvice) -> str:
    return safe_text.line(d.recommended.label) if d.recommended else status_word(d.status)


def _strength(d: DecisionAdvice) -> str:
    if d.recommended and d.strength:
        return d.strength
    if d.ask:
        return f"({len(d.ask)} question{'s' if len(d.ask) != 1 else ''} would decide it)"
    return NO_STRENGTH


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    """Rows of three columns, the first two padded to their widest cell."""
    first = max((cell_len(r[0]) for r in rows), default=0)
    second = max((cell_len(r[1]) for r in rows), default=0)
    return [f"  {_pad(a, first)}  {_pad(b, second)}  {c}" for a, b, c in rows]


def render_summary(advice: Advice) -> str:
    s = advice.scenario
    lines = [f"{SUMMARY_START}{safe_text.line(s.title)} ({safe_text.line(s.id)})"]
    rows = [
        (safe_text.line(d.title), _outcome(d), _strength(d)) for d in advice.decisions if d.status != "not_applicable"
    ]
    lines += _table(rows)
    if not rows:
        lines.append("  no decision is in play for these answers")
    skipped = len(advice.decisions) - len(rows)
    if skipped:
        lines.append(f"  ({skipped} other decision{'s are' if skipped != 1 else ' is'} not in play)")
    return "\n".join(lines) + "\n"


def render_review_summary(advice: Advice) -> str:
    """`advisor review --format summary`: one line per current choice (decision, choice, risk), then the
    advice summary; without current choices, the advice summary alone."""
    if advice.review is None:
        return render_summary(advice)
    s = advice.scenario
    lines = [f"{SUMMARY_START}review of {safe_text.line(s.title)} ({safe_text.line(s.id)})"]
    line = safe_text.line
    rows = [(line(v.decision_title), line(v.label), RISK_LABELS[v.risk]) for v in advice.review.verdicts]
    lines += _table(rows)
    return "\n".join(lines) + "\n" + render_summary(advice)
