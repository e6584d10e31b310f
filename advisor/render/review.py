"""The review of current choices, as Markdown lines and as rich text. It only lays out the Review the core
computed (advisor.analysis.review); texts go through advisor.shared.safe_text like every report."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from advisor.models.advice import Advice
from advisor.models.review import RISK_LABELS, ChoiceVerdict, Review
from advisor.render.common import console_title
from advisor.shared import safe_text

_cell, _code, _line, _block = safe_text.md_cell, safe_text.md_code, safe_text.md_line, safe_text.md_block
_RICH_STYLE = {"high": "bold red", "medium": "yellow", "fine": "green", "cannot_judge": "dim"}


def _badge(risk: str) -> str:
    return RISK_LABELS[risk].upper() if risk in ("high", "medium") else RISK_LABELS[risk]


def review_markdown(review: Review) -> list[str]:
    lines = [
        "## Review of current choices",
        "",
        f"Worst risk: **{_badge(review.highest)}**. A recommendation at least {review.clear_margin:g} points "
        "ahead of a current choice makes it a medium risk.",
        "",
        "| Decision | Current choice | Risk | Why |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {_cell(v.decision_title)} | {_cell(v.label)} | {_badge(v.risk)} | {_cell(v.reason)} |"
        for v in review.verdicts
    ]
    lines.append("")
    for v in review.verdicts:
        lines += _verdict_markdown(v)
    if review.plan:
        lines += [
            "## Improvement plan",
            "",
            "Ordered by risk, then by how many other decisions each step unblocks.",
            "",
        ]
        for number, step in enumerate(review.plan, 1):
            lines.append(f"{number}. **{_line(step.decision_title)}** ({_badge(step.risk)}): {_line(step.change)}")
            lines += [f"   - {_block(r)}" for r in step.reasons]
            if step.unblocks:
                lines.append(f"   - Also moves: {', '.join(_code(d) for d in step.unblocks)}")
        lines.append("")
    return lines


def _verdict_markdown(v: ChoiceVerdict) -> list[str]:
    lines = [f"### {_line(v.decision_title)}: {_line(v.label)} — {_badge(v.risk)}", "", _block(v.reason) + ".", ""]
    for verdict in v.verdicts:
        lines.append(
            f"- **{_line(verdict.rule_id)}** ({_line(verdict.strength)}, {_line(verdict.kind)}) — "
            f"{_block(verdict.reasoning.strip())}  \n  Cited: "
            + "; ".join(_code(c.render()) for c in verdict.citations)
        )
    if v.ask:
        lines += ["- Answer to settle it: " + "; ".join(f"{_code(q.id)} ({_line(q.prompt)})" for q in v.ask)]
    if v.what_if is not None:
        lines.append(f"- What would make {_line(v.label)} right: {_block(v.what_if.summary)}")
    return [*lines, ""] if len(lines) > 4 else lines


def print_review(review: Review, console: Console) -> None:
    console.print(
        Text.assemble(
            ("Review of current choices", "bold"),
            " — worst risk: ",
            (_badge(review.highest), _RICH_STYLE[review.highest]),
        )
    )
    for v in review.verdicts:
        text = Text.assemble(
            ("  " + _badge(v.risk).ljust(17), _RICH_STYLE[v.risk]),
            (safe_text.line(v.decision_title), "bold"),
            ": ",
            safe_text.line(v.label),
        )
        text.append("\n    " + safe_text.line(v.reason))
        if v.rules:
            text.append("\n    rules: " + safe_text.line(", ".join(v.rules)), style="dim")
        for c in v.citations:
            text.append("\n    cites: " + safe_text.line(c.render()), style="cyan")
        if v.ask:
            text.append("\n    answer: " + safe_text.line(", ".join(q.id for q in v.ask)), style="yellow")
        if v.what_if is not None:
            text.append("\n    right " + safe_text.line(v.what_if.summary), style="dim")
        console.print(text)
    if review.plan:
        console.print(Text("Improvement plan", style="bold"))
        for number, step in enumerate(review.plan, 1):
            text = Text.assemble(
                f"  {number}. ",
                (_badge(step.risk), _RICH_STYLE[step.risk]),
                " ",
                (safe_text.line(step.decision_title), "bold"),
                ": ",
                safe_text.line(step.change),
            )
            if step.unblocks:
                text.append("\n     also moves: " + safe_text.line(", ".join(step.unblocks)), style="dim")
            console.print(text)


def review_report_markdown(advice: Advice) -> str:
    """What `advisor review` writes as Markdown: the scenario, the picture, the review and the plan."""
    from advisor.render.markdown import architecture_section, provenance

    s = advice.scenario
    lines = [
        f"# Review: {_line(s.title)}",
        "",
        f"Scenario {_code(s.id)}"
        + (f" from {_code(s.source)}" if s.source else "")
        + f"; rules {_code(advice.ruleset)}.",
        "",
        f"Rule base: {provenance(advice)}.",
        "",
    ]
    lines += architecture_section(advice)
    if advice.review is not None:
        lines += review_markdown(advice.review)
    return "\n".join(lines).rstrip() + "\n"


def print_review_report(advice: Advice, console: Console) -> None:
    """What `advisor review` prints on the terminal."""
    s = advice.scenario
    console.rule(console_title(console, Text.assemble((safe_text.line(s.title), "bold"), f" ({safe_text.line(s.id)})")))
    base = "bundled" if advice.rules == "bundled" else advice.rules
    console.print(Text(safe_text.line(f"rules: {base} ({advice.ruleset}) · engine: {advice.engine}"), style="dim"))
    if advice.review is not None:
        print_review(advice.review, console)
