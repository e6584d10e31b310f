"""`advisor explain`: the full chain for each decision, as terminal text (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from advisor.models.advice import Advice, DecisionAdvice
from advisor.render.common import binding_value, verdict_sign


def _chain(advice: Advice, console: Console) -> None:
    console.print(Text("Answers", style="bold"))
    for a in advice.answers:
        console.print(f"  {a.question} = {a.display}", markup=False, highlight=False)
    for q in advice.unknown:
        console.print(f"  {q} = unknown", markup=False, highlight=False)
    if advice.derived:
        console.print(Text("Derived facts", style="bold"))
        for f in advice.derived:
            if f.source == "calculated":
                inputs = ", ".join(f"{k}={v}" for k, v in f.inputs.items())
                line = f"  {f.fact} = {f.value} {f.unit}  <- {f.formula}  with {inputs}"
            else:
                line = f"  {f.fact} = {f.value}  <- derived by {', '.join(f.derived_by)}"
            console.print(line, markup=False, highlight=False)
    console.print(Text("Rules fired (by depth)", style="bold"))
    for t in advice.trace:
        matched = ", ".join(f"{b.fact}={binding_value(b)}" for b in t.matched) or "always"
        console.print(Text.assemble(f"  [{t.depth}] ", (t.rule_id, "bold"), f" {t.title}"))
        console.print(f"      when {t.condition}  (matched {matched})", markup=False, highlight=False, style="dim")
        console.print(f"      then {'; '.join(t.effects)}", markup=False, highlight=False)
        for c in t.citations:
            console.print(f"      cites {c.render()}", markup=False, highlight=False, style="cyan")
        if t.note_conflict:
            console.print(f"      note: {t.note_conflict.strip()}", markup=False, highlight=False, style="yellow")


def _decision(d: DecisionAdvice, console: Console) -> None:
    console.rule(f"{d.title} ({d.id})", align="left")
    console.print(d.summary, markup=False, highlight=False)
    if d.status == "not_applicable":
        return
    if d.assumption:
        console.print(f"Assumption: {d.assumption}", markup=False, highlight=False, style="italic")
    if d.recommended:
        console.print(Text(f"Why {d.recommended.label} ({d.strength})", style="bold green"))
        for v in d.recommended.verdicts:
            matched = ", ".join(f"{b.fact}={binding_value(b)}" for b in v.matched) or "always"
            console.print(f"  {v.rule_id} {verdict_sign(v)}: {v.reasoning.strip()} [{matched}]",
                          markup=False, highlight=False)
            for c in v.citations:
                console.print(f"    cites {c.render()}", markup=False, highlight=False, style="cyan")
    if d.why_not:
        console.print(Text("Why not", style="bold"))
        for w in d.why_not:
            console.print(f"  {w.label}: {w.reason}", markup=False, highlight=False)
            for v in w.verdicts:
                matched = ", ".join(f"{b.fact}={binding_value(b)}" for b in v.matched) or "always"
                console.print(f"    {v.rule_id} {verdict_sign(v)}: {v.reasoning.strip()} [{matched}]",
                              markup=False, highlight=False, style="dim")
                for c in v.citations:
                    console.print(f"      cites {c.render()}", markup=False, highlight=False, style="cyan")
    if d.ask:
        console.print("Answer to decide or firm it up: " + ", ".join(q.id for q in d.ask), markup=False,
                      highlight=False, style="yellow")
    if d.what_if_checked:
        console.print(Text("What if", style="bold"))
        for w in d.what_if:
            console.print(f"  {w.summary}", markup=False, highlight=False)
        if not d.what_if:
            console.print("  no change of one answer (or a pair) in the questionnaire changes this outcome",
                          markup=False, highlight=False)
        if d.fragile_on:
            console.print(f"  fragile: rests on {', '.join(d.fragile_on)} alone", markup=False, highlight=False,
                          style="yellow")


def print_explanation(advice: Advice, console: Console, decision: str | None = None) -> None:
    console.rule(f"[bold]{advice.scenario.title}[/] ({advice.scenario.id})")
    if decision is None:
        _chain(advice, console)
    for d in advice.decisions:
        if decision is None or d.id == decision:
            _decision(d, console)
