"""Advice as a Markdown report a team can read or commit.

Every text from the scenario or the rule base goes in through `advisor.shared.safe_text`'s Markdown variants:
control characters shown, and no HTML, link, image or (at a line start) heading can come from it."""

from __future__ import annotations

from advisor.models.advice import Advice, Binding, DecisionAdvice, OptionAssessment, Verdict
from advisor.models.aws_source import AwsSource
from advisor.models.citation import Citation
from advisor.render.architecture import architecture_mermaid
from advisor.render.common import verdict_sign
from advisor.render.review import review_markdown
from advisor.shared import safe_text
from advisor.shared.wording import STATUS_WORDS, status_word

_STATUS = {status: status_word(status, capital=True) for status in STATUS_WORDS}
_cell, _code, _line, _block = safe_text.md_cell, safe_text.md_code, safe_text.md_line, safe_text.md_block


def _pipes(markdown: str) -> str:
    """Markdown that is already safe, for a table cell: only its `|` escaped."""
    return markdown.replace("|", "\\|")


def _matched(bindings: list[Binding]) -> str:
    return ", ".join(f"{_code(b.fact)} = {_line(b.display)}" for b in bindings) or "always"


def _citations(citations: list[Citation]) -> str:
    return "; ".join(_code(c.render()) for c in citations)


def _sources(sources: list[AwsSource]) -> str:
    return "; ".join(f"{_line(s.title)} ({_code(s.url)}, read {_line(s.read)})" for s in sources)


def _verdict_line(v: Verdict) -> str:
    sign = verdict_sign(v)
    cited = "; ".join(part for part in (_citations(v.citations), _sources(v.sources)) if part)
    text = (f"- **{_line(v.rule_id)}** ({_line(v.strength)}, {sign}) — {_block(v.reasoning.strip())}  \n"
            f"  Matched: {_matched(v.matched)}.  \n  Cited: {cited}")
    for f in v.freshness:
        text += (f"  \n  Changed since the notes: the notes say {_line(f.notes_say)}; "
                 f"AWS documentation now says {_line(f.aws_says)}")
    return text


def _option_block(title: str, option: OptionAssessment) -> list[str]:
    lines = [f"**{title}: {_line(option.label)}** (score {option.score:g}) — {_block(option.summary)}", ""]
    lines += [_verdict_line(v) for v in option.verdicts] or ["- No rule spoke for or against it."]
    return [*lines, ""]


def _decision(d: DecisionAdvice) -> list[str]:
    lines = [f"## {_line(d.title)}", "", f"*{_line(d.question)}*", "",
             f"**{_STATUS[d.status]}** — {_block(d.summary)}", ""]
    if d.status == "not_applicable":
        return lines
    if d.recommended:
        if d.assumption:
            lines += [f"> Assumption: {_block(d.assumption)}", ""]
        lines += _option_block(f"Recommendation ({d.strength})", d.recommended)
        for companion in d.together:
            lines += _option_block("Recommended with it", companion)
    if d.conflicts:
        lines += ["Conflicts:", "", *[f"- {_block(c)}" for c in d.conflicts], ""]
    if d.ask:
        lines += ["Answer these to decide or firm it up:", ""]
        lines += [f"- {_code(q.id)}: {_line(q.prompt)}" for q in d.ask]
        lines.append("")
    reasons = {w.option: _line(w.reason) for w in d.why_not}
    if d.alternatives or d.excluded:
        lines += ["### Why not the others", ""]
        for alt in d.alternatives:
            lines += _option_block(f"Alternative, {reasons.get(alt.option, 'not chosen')}", alt)
        for ex in d.excluded:
            lines += _option_block(f"Excluded, {reasons.get(ex.option, 'ruled out')}", ex)
    if d.what_if_checked:
        lines += ["### What would change it", ""]
        lines += [f"- {_block(w.summary)}" for w in d.what_if] or [
            "- No single change of one answer (or pair of answers) in the questionnaire changes this outcome."]
        if d.fragile_on:
            lines.append(f"- Rests on a single answer: leaving {', '.join(_code(q) for q in d.fragile_on)} "
                         "unknown changes the outcome.")
        lines.append("")
    return lines


def provenance(advice: Advice) -> str:
    base = "bundled with advisor" if advice.rules == "bundled" else _code(advice.rules)
    return f"{base}; engine: {advice.engine}"  # the engine name is ours, never read from a file


def architecture_section(advice: Advice) -> list[str]:
    """The architecture picture with its heading; nothing when there is nothing to draw."""
    picture = architecture_mermaid(advice)
    if not picture:
        return []
    what = ("the current choices, by pipeline stage, risky ones marked" if advice.review is not None
            else "the recommended components, by pipeline stage")
    return ["## Architecture", "", f"A Mermaid flowchart of {what}.", "", *picture, ""]


def _section_table(title: str, intro: str, header: list[str], rows: list[str]) -> list[str]:
    """A report section: heading, one line of explanation, and a table of rows already made safe."""
    return [f"## {title}", "", intro, "", "| " + " | ".join(header) + " |",
            "| " + " | ".join("---" for _ in header) + " |", *rows, ""]


def render_markdown(advice: Advice) -> str:
    s = advice.scenario
    lines = [f"# Advice: {_line(s.title)}", ""]
    if s.description:
        lines += [_block(s.description.strip()), ""]
    lines += [f"Scenario {_code(s.id)}" + (f" from {_code(s.source)}" if s.source else "")
              + f"; rules {_code(advice.ruleset)}.",
              "", f"Rule base: {provenance(advice)}.", ""]
    in_play = [d for d in advice.decisions if d.status != "not_applicable"]
    if in_play:
        lines += ["| Decision | Outcome | Strength | Summary |", "| --- | --- | --- | --- |"]
        for d in in_play:
            outcome = " + ".join(o.label for o in [d.recommended, *d.together]) if d.recommended else \
                _STATUS[d.status]
            lines.append(f"| {_cell(d.title)} | {_cell(outcome)} | {d.strength or ''} | {_cell(d.summary)} |")
    else:
        lines.append("No decision is in play for these answers: answer more questions or pick topics.")
    lines.append("")
    lines += architecture_section(advice)
    if advice.review is not None:
        lines += review_markdown(advice.review)
    for d in advice.decisions:
        if d.status != "not_applicable":
            lines += _decision(d)
    skipped = [_line(d.title) for d in advice.decisions if d.status == "not_applicable"]
    if skipped:
        lines += [f"## {_STATUS['not_applicable']}", "", ", ".join(skipped) + ".", ""]
    lines += ["## Answers", "", "| Question | Answer |", "| --- | --- |"]
    lines += [f"| {_cell(a.prompt)} ({_code(a.question)}) | {_cell(a.display)} |" for a in advice.answers]
    lines += [f"| {_code(q)} | unknown |" for q in advice.unknown]
    lines.append("")
    if advice.ignored:
        lines += _section_table(
            "Answers that did not count",
            "These questions are not asked for this workload, so their answers were left out.",
            ["Question", "Answer", "Asked only when"],
            [f"| {_cell(a.prompt)} ({_code(a.question)}) | {_cell(a.display)} | {_cell(a.asked_when)} |"
             for a in advice.ignored])
    if advice.derived:
        lines += ["## Derived facts", ""]
        for f in advice.derived:
            if f.source == "calculated":
                inputs = _line(", ".join(f"{b.fact} = {b.display}" for b in f.based_on))
                lines.append(f"- {_code(f.fact)} = {_line(f.display)} — {_line(f.label)}: "
                             f"{_code(f.formula)} with {inputs}")
            else:
                lines.append(f"- {_code(f.fact)} = {_line(f.display)} — derived by {_line(', '.join(f.derived_by))}")
        lines.append("")
    if advice.outdated:
        lines += _section_table(
            "Where the notes are out of date",
            "This advice follows current AWS documentation where the study notes differ.",
            ["Rule", "The notes say", "AWS documentation now says", "Source"],
            [f"| {_cell(o.by)} | {_cell(o.notes_say)} | {_cell(o.aws_says)} | "
             f"{_cell(o.source.title)} ({_code(o.source.url)}, read {_cell(o.source.read)}) |"
             for o in advice.outdated])
    if advice.trace:
        lines += ["## Trace", "", "| Rule | Depth | Matched | Effects |", "| --- | ---: | --- | --- |"]
        lines += [f"| {_cell(t.rule_id)} | {t.depth} | {_pipes(_matched(t.matched))} | {_cell('; '.join(t.effects))} |"
                  for t in advice.trace]
        lines.append("")
    if advice.warnings:
        lines += ["## Warnings", "", *[f"- {_block(w)}" for w in advice.warnings], ""]
    return "\n".join(lines).rstrip() + "\n"
