"""Advice as a Markdown report a team can read or commit."""

from __future__ import annotations

from advisor.models.advice import Advice, Binding, DecisionAdvice, OptionAssessment, Verdict
from advisor.models.citation import Citation
from advisor.render.common import binding_value, verdict_sign

_STATUS = {"recommended": "Recommended", "undecided": "Undecided", "not_applicable": "Not in play"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _matched(bindings: list[Binding]) -> str:
    return ", ".join(f"`{b.fact}` = {binding_value(b)}" for b in bindings) or "always"


def _citations(citations: list[Citation]) -> str:
    return "; ".join(f"`{c.render()}`" for c in citations)


def _verdict_line(v: Verdict) -> str:
    sign = verdict_sign(v)
    return (f"- **{v.rule_id}** ({v.strength}, {sign}) — {v.reasoning.strip()}  \n"
            f"  Matched: {_matched(v.matched)}.  \n  Cited: {_citations(v.citations)}")


def _option_block(title: str, option: OptionAssessment) -> list[str]:
    lines = [f"**{title}: {option.label}** (score {option.score:g}) — {option.summary}", ""]
    lines += [_verdict_line(v) for v in option.verdicts] or ["- No rule spoke for or against it."]
    return [*lines, ""]


def _decision(d: DecisionAdvice) -> list[str]:
    lines = [f"## {d.title}", "", f"*{d.question}*", "", f"**{_STATUS[d.status]}** — {d.summary}", ""]
    if d.status == "not_applicable":
        return lines
    if d.recommended:
        if d.assumption:
            lines += [f"> Assumption: {d.assumption}", ""]
        lines += _option_block(f"Recommendation ({d.strength})", d.recommended)
    if d.conflicts:
        lines += ["Conflicts:", "", *[f"- {c}" for c in d.conflicts], ""]
    if d.ask:
        lines += ["Answer these to decide or firm it up:", ""]
        lines += [f"- `{q.id}`: {q.prompt}" for q in d.ask]
        lines.append("")
    reasons = {w.option: w.reason for w in d.why_not}
    if d.alternatives or d.excluded:
        lines += ["### Why not the others", ""]
        for alt in d.alternatives:
            lines += _option_block(f"Alternative, {reasons.get(alt.option, 'not chosen')}", alt)
        for ex in d.excluded:
            lines += _option_block(f"Excluded, {reasons.get(ex.option, 'ruled out')}", ex)
    if d.what_if_checked:
        lines += ["### What would change it", ""]
        lines += [f"- {w.summary}" for w in d.what_if] or [
            "- No single change of one answer (or pair of answers) in the questionnaire changes this outcome."]
        if d.fragile_on:
            lines.append(f"- Rests on a single answer: leaving {', '.join(f'`{q}`' for q in d.fragile_on)} "
                         "unknown changes the outcome.")
        lines.append("")
    return lines


def _provenance(advice: Advice) -> str:
    base = "bundled with advisor" if advice.rules == "bundled" else f"`{advice.rules}`"
    return f"{base}; engine: {advice.engine}"


def render_markdown(advice: Advice) -> str:
    s = advice.scenario
    lines = [f"# Advice: {s.title}", ""]
    if s.description:
        lines += [s.description.strip(), ""]
    lines += [f"Scenario `{s.id}`" + (f" from `{s.source}`" if s.source else "") + f"; rules `{advice.ruleset}`.",
              "", f"Rule base: {_provenance(advice)}.", ""]
    in_play = [d for d in advice.decisions if d.status != "not_applicable"]
    if in_play:
        lines += ["| Decision | Outcome | Strength | Summary |", "| --- | --- | --- | --- |"]
        for d in in_play:
            outcome = d.recommended.label if d.recommended else _STATUS[d.status]
            lines.append(f"| {_cell(d.title)} | {_cell(outcome)} | {d.strength or ''} | {_cell(d.summary)} |")
    else:
        lines.append("No decision is in play for these answers: answer more questions or pick topics.")
    lines.append("")
    for d in advice.decisions:
        if d.status != "not_applicable":
            lines += _decision(d)
    skipped = [d.title for d in advice.decisions if d.status == "not_applicable"]
    if skipped:
        lines += ["## Not in play", "", ", ".join(skipped) + ".", ""]
    lines += ["## Answers", "", "| Question | Answer |", "| --- | --- |"]
    lines += [f"| {_cell(a.prompt)} (`{a.question}`) | {_cell(a.display)} |" for a in advice.answers]
    lines += [f"| `{q}` | unknown |" for q in advice.unknown]
    lines.append("")
    if advice.ignored:
        lines += ["## Answers that did not count", "",
                  "These questions are not asked for this workload, so their answers were left out.", "",
                  "| Question | Answer | Asked only when |", "| --- | --- | --- |"]
        lines += [f"| {_cell(a.prompt)} (`{a.question}`) | {_cell(a.display)} | {_cell(a.asked_when)} |"
                  for a in advice.ignored]
        lines.append("")
    if advice.derived:
        lines += ["## Derived facts", ""]
        for f in advice.derived:
            if f.source == "calculated":
                inputs = ", ".join(f"{k} = {v}" for k, v in f.inputs.items())
                lines.append(f"- `{f.fact}` = {f.value} {f.unit} — {f.label}: `{f.formula}` with {inputs}")
            else:
                lines.append(f"- `{f.fact}` = {f.value} — derived by {', '.join(f.derived_by)}")
        lines.append("")
    if advice.trace:
        lines += ["## Trace", "", "| Rule | Depth | Matched | Effects |", "| --- | ---: | --- | --- |"]
        lines += [f"| {t.rule_id} | {t.depth} | {_cell(_matched(t.matched))} | {_cell('; '.join(t.effects))} |"
                  for t in advice.trace]
        lines.append("")
    if advice.warnings:
        lines += ["## Warnings", "", *[f"- {w}" for w in advice.warnings], ""]
    return "\n".join(lines).rstrip() + "\n"
