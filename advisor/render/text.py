"""Advice for the terminal, with rich.

Every text from the scenario or the rule base goes into rich as a `Text` made by `advisor.shared.safe_text`:
never parsed as markup (a title like `Kinesis [/] MSK` is just text) and with control characters shown,
not sent to the terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.models.advice import Advice, DecisionAdvice, DerivedFact, OptionAssessment, Verdict
from advisor.render.common import console_title, matched_text, verdict_sign
from advisor.render.review import print_review
from advisor.shared import safe_text
from advisor.shared.wording import status_word

_STYLE = {"recommended": "green", "undecided": "yellow", "not_applicable": "dim", "out_of_scope": "magenta"}
line, block = safe_text.line, safe_text.block


Calculated = dict[str, DerivedFact]
"""The calculated facts of an Advice by id, to show a figure next to each rule that uses it."""


def _calculation(f: DerivedFact) -> str:
    """`required_wcu = 800 WCU = writes_per_s * ... (writes_per_s=400 writes/s, item_size_kb=1.5 KB)`."""
    text = f"{f.fact} = {f.display}"
    if f.formula:
        text += f" = {f.formula}"
    if f.based_on:
        text += f" ({matched_text(f.based_on)})"
    return text


def _verdict(v: Verdict, calculated: Calculated) -> Text:
    sign = verdict_sign(v)
    matched = matched_text(v.matched)
    text = Text.assemble((f"  {line(v.rule_id)}", "bold"), f" ({line(v.strength)}, {sign}) ",
                         block(v.reasoning.strip()))
    text.append(f"\n    matched: {line(matched)}", style="dim")
    for b in v.matched:
        if b.source == "calculated" and b.fact in calculated:
            text.append(f"\n    calculated: {line(_calculation(calculated[b.fact]))}", style="magenta")
    for c in v.citations:
        text.append(f"\n    cites: {line(c.render())}", style="cyan")
    for src in v.sources:
        text.append(f"\n    cites: {line(src.render())}", style="cyan")
    for f in v.freshness:
        text.append(f"\n    changed since the notes: the notes say {block(f.notes_say)}; "
                    f"AWS documentation now says {block(f.aws_says)}", style="magenta")
    return text


def _option(prefix: str, option: OptionAssessment, calculated: Calculated) -> list[Text]:
    head = Text.assemble((prefix, "bold"), f" {line(option.label)} ", (f"(score {option.score:g})", "dim"))
    return [head, *[_verdict(v, calculated) for v in option.verdicts]]


PANEL_FRAME = 6
"""Columns a panel title needs besides its text: the corners, the dashes before it and its spaces."""


def _decision(d: DecisionAdvice, calculated: Calculated, width: int) -> Panel:
    status = status_word(d.status)
    title = Text(f"{line(d.title)} — {status}")
    parts: list[Text] = []
    if title.cell_len + PANEL_FRAME > width:  # too long for the border, which would cut it: wrapped inside
        parts.append(Text(line(d.title), style="bold"))
        title = Text(status)
    parts.append(Text(block(d.summary)))
    if d.assumption:
        parts.append(Text(f"Assumption: {block(d.assumption)}", style="italic"))
    if d.recommended:
        parts += _option(f"Recommended ({d.strength}):", d.recommended, calculated)
    for companion in d.together:
        parts += _option("Recommended with it:", companion, calculated)
    for c in d.conflicts:
        parts.append(Text(f"Conflict: {block(c)}", style="red"))
    if d.ask:
        parts.append(Text("Answer to decide:", style="yellow"))
        parts += [Text(f"  - {line(q.prompt)} ({line(q.id)})", style="yellow") for q in d.ask]
    for alt in d.alternatives:
        parts += _option("Alternative:", alt, calculated)
    for ex in d.excluded:
        parts += _option("Excluded:", ex, calculated)
    return Panel(Group(*parts), title=title, title_align="left", border_style=_STYLE[d.status])


def print_advice(advice: Advice, console: Console) -> None:
    s = advice.scenario
    heading = Text.assemble((line(s.title), "bold"), f" ({line(s.id)})")
    if heading.cell_len + PANEL_FRAME > console.width:  # a rule would cut it: the rule, then the title wrapped
        console.rule()
        console.print(heading)
    else:
        console.rule(console_title(console, heading))
    base = "bundled" if advice.rules == "bundled" else advice.rules
    console.print(Text(line(f"rules: {base} ({advice.ruleset}) · engine: {advice.engine}"), style="dim"))
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Decision")
    table.add_column("Outcome")
    in_play = [d for d in advice.decisions if d.status != "not_applicable"]
    for d in in_play:
        outcome = " + ".join(o.label for o in [d.recommended, *d.together]) if d.recommended else \
            status_word(d.status)
        table.add_row(Text(line(d.title)), Text(line(outcome), style=_STYLE[d.status]))
    if in_play:
        console.print(table)
    else:
        console.print("No decision is in play for these answers: answer more questions or pick topics.")
    skipped = len(advice.decisions) - len(in_play)
    if skipped:
        console.print(Text(f"{skipped} other decisions are not in play for this workload.", style="dim"))
    if advice.review is not None:
        print_review(advice.review, console)
    calculated = {f.fact: f for f in advice.derived if f.source == "calculated"}
    for d in advice.decisions:
        if d.status != "not_applicable":
            console.print(_decision(d, calculated, console.width))
    if advice.derived:
        console.print(Text("Derived facts", style="bold"))
        for f in advice.derived:
            extra = f" = {f.formula}" if f.formula else f" (by {', '.join(f.derived_by)})"
            console.print(line(f"  {f.fact} = {f.display}{extra}"), markup=False, highlight=False)
    if advice.outdated:
        console.print(Text("Where the notes are out of date (this advice follows AWS documentation)", style="bold"))
        for o in advice.outdated:
            console.print(Text(f"  {line(o.by)}: the notes say {block(o.notes_say)}; AWS documentation now says "
                               f"{block(o.aws_says)} ({line(o.source.url)})"))
    for a in advice.ignored:
        console.print(Text(line(f"not counted: {a.question} = {a.display} (asked only when {a.asked_when})"),
                           style="yellow"))
    for w in advice.warnings:
        console.print(Text(f"warning: {block(w)}", style="yellow"))
