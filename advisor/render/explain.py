"""`advisor explain`: the full chain for each decision, as terminal text (rich).

Texts from the scenario and the rule base are printed through `advisor.shared.safe_text` (markup off, control
characters shown, not sent)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from advisor.models.advice import Advice, DecisionAdvice
from advisor.render.common import console_title, matched_text, verdict_sign
from advisor.shared import safe_text

line, block = safe_text.line, safe_text.block


def _print(console: Console, text: str, style: str | None = None) -> None:
    """One line (or paragraph) of untrusted text: never markup, never highlighted, control characters shown."""
    console.print(block(text), markup=False, highlight=False, style=style)


def _chain(advice: Advice, console: Console) -> None:
    console.print(Text("Answers", style="bold"))
    for a in advice.answers:
        _print(console, f"  {line(a.question)} = {line(a.display)}")
    for q in advice.unknown:
        _print(console, f"  {line(q)} = unknown")
    if advice.derived:
        console.print(Text("Derived facts", style="bold"))
        for f in advice.derived:
            if f.source == "calculated":
                text = f"  {f.fact} = {f.display}  <- {f.formula}  with {matched_text(f.based_on)}"
            else:
                text = f"  {f.fact} = {f.display}  <- derived by {', '.join(f.derived_by)}"
            _print(console, line(text))
    console.print(Text("Rules fired (by depth)", style="bold"))
    for t in advice.trace:
        matched = matched_text(t.matched)
        console.print(Text.assemble(f"  [{t.depth}] ", (line(t.rule_id), "bold"), f" {line(t.title)}"))
        _print(console, f"      when {line(t.condition)}  (matched {line(matched)})", style="dim")
        _print(console, f"      then {line('; '.join(t.effects))}")
        for c in t.citations:
            _print(console, f"      cites {line(c.render())}", style="cyan")
        if t.note_conflict:
            _print(console, f"      note: {t.note_conflict.strip()}", style="yellow")


def _decision(d: DecisionAdvice, console: Console) -> None:
    console.rule(console_title(console, Text(f"{line(d.title)} ({line(d.id)})")), align="left")
    _print(console, d.summary)
    if d.status == "not_applicable":
        return
    if d.assumption:
        _print(console, f"Assumption: {d.assumption}", style="italic")
    if d.recommended:
        console.print(Text(f"Why {line(d.recommended.label)} ({d.strength})", style="bold green"))
        for v in d.recommended.verdicts:
            matched = matched_text(v.matched)
            _print(console, f"  {line(v.rule_id)} {verdict_sign(v)}: {v.reasoning.strip()} [{line(matched)}]")
            for c in v.citations:
                _print(console, f"    cites {line(c.render())}", style="cyan")
    if d.why_not:
        console.print(Text("Why not", style="bold"))
        for w in d.why_not:
            _print(console, f"  {line(w.label)}: {w.reason}")
            for v in w.verdicts:
                matched = matched_text(v.matched)
                _print(console, f"    {line(v.rule_id)} {verdict_sign(v)}: {v.reasoning.strip()} [{line(matched)}]",
                       style="dim")
                for c in v.citations:
                    _print(console, f"      cites {line(c.render())}", style="cyan")
    if d.ask:
        _print(console, "Answer to decide or firm it up: " + ", ".join(line(q.id) for q in d.ask), style="yellow")
    if d.what_if_checked:
        console.print(Text("What if", style="bold"))
        for w in d.what_if:
            _print(console, f"  {w.summary}")
        if not d.what_if:
            _print(console, "  no change of one answer (or a pair) in the questionnaire changes this outcome")
        if d.fragile_on:
            _print(console, f"  fragile: rests on {line(', '.join(d.fragile_on))} alone", style="yellow")


def print_explanation(advice: Advice, console: Console, decision: str | None = None) -> None:
    s = advice.scenario
    console.rule(console_title(console, Text.assemble((line(s.title), "bold"), f" ({line(s.id)})")))
    if decision is None:
        _chain(advice, console)
    for d in advice.decisions:
        if decision is None or d.id == decision:
            _decision(d, console)
