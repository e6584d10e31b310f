"""Architecture decision records in MADR 4.0 form, one per decided decision.

Texts from the scenario and the rule base go in through `advisor.shared.safe_text` (its Markdown variants, and a
quoted scalar in the front matter when an id is not plain), and file names are slugs of [a-z0-9-]."""

from __future__ import annotations

from advisor.models.advice import Advice, DecisionAdvice
from advisor.models.review import RISK_LABELS
from advisor.render.architecture import architecture_mermaid
from advisor.shared import safe_text
from advisor.shared.wording import slug

_code, _line, _block, _front = safe_text.md_code, safe_text.md_line, safe_text.md_block, safe_text.front_matter_value


def adr_slug(title: str) -> str:
    """The part of a record's file name after its number: the same decision always gets the same slug."""
    return slug(title, "decision")


def adr_filename(number: int, title: str) -> str:
    return f"{number:04d}-{adr_slug(title)}.md"


def _drivers(d: DecisionAdvice) -> list[str]:
    """The facts behind the verdicts on this decision, as the Advice traced them back (to answers, where
    it can)."""
    return [f"{_code(b.fact)} = {_line(b.display)}" + ("" if b.source == "answer" else f" ({b.source})")
            for b in d.drivers]


def _because(text: str) -> str:
    # Kept as written: reasoning often starts with a product name (Kinesis, Express) that must stay capitalised.
    return _block(text.strip())


def render_adr(advice: Advice, d: DecisionAdvice) -> str:
    assert d.recommended is not None, "ADRs are written for decided decisions only"
    chosen = d.recommended
    lines = [
        "---",
        "status: proposed",
        f"decision: {_front(d.id)}",
        f"scenario: {_front(advice.scenario.id)}",
        f"ruleset: {_front(advice.ruleset)}",
        f"rules: {_front(advice.rules)}",
        f"engine: {_front(advice.engine)}",
        "---",
        "",
        f"# {_line(d.title)}: {_line(chosen.label)}",
        "",
        "## Context and Problem Statement",
        "",
        f"{_line(d.question)} For the workload \"{_line(advice.scenario.title)}\".",
    ]
    if advice.scenario.description:
        lines += ["", _block(advice.scenario.description.strip())]
    drivers = _drivers(d)
    lines += ["", "## Decision Drivers", ""]
    lines += [f"* {x}" for x in drivers] or ["* No answer decided it; the default applies (see the assumption)."]
    if d.assumption:
        lines.append(f"* Assumption: {_block(d.assumption)}")
    lines += ["", "## Considered Options", ""]
    lines += [f"* {_line(o.label)}" for o in [chosen, *d.alternatives, *d.excluded]]
    deciding = next((v for v in chosen.verdicts if d.deciding and v.rule_id == d.deciding[0]), None)
    if deciding is not None:
        because = f"because {_because(deciding.reasoning)} ({_line(deciding.rule_id)})"
    elif d.assumption:
        because = f"by default: {_because(d.assumption)}"
    else:
        because = "because the other options are ruled out"
    lines += ["", "## Decision Outcome", "", f"Chosen option: \"{_line(chosen.label)}\", {because}", ""]
    lines += ["### Consequences", ""]
    for v in chosen.verdicts:
        if v.supports:
            lines.append(f"* Good, because {_because(v.reasoning)} ({_line(v.rule_id)})")
        else:
            lines.append(f"* Bad, because {_because(v.reasoning)} ({_line(v.rule_id)})")
    if not chosen.verdicts:
        lines.append("* Neutral: chosen by default, so confirm the assumption above.")
    lines += ["", "### Confirmation", "",
              "Re-run `advisor evaluate --baseline` on this scenario in CI; a change in this outcome fails the check.",
              ""]
    lines += ["## Pros and Cons of the Options", ""]
    reasons = {w.option: w for w in d.why_not}
    for option in [*d.alternatives, *d.excluded]:
        lines += [f"### {_line(option.label)}", "", _block(option.summary), ""]
        why = reasons.get(option.option)
        if why and option.option not in {e.option for e in d.excluded}:
            lines.append(f"* Bad, because it {_block(why.reason)}")
        for v in option.verdicts:
            lines.append(f"* {'Good' if v.supports else 'Bad'}, because {_because(v.reasoning)} ({_line(v.rule_id)})")
        lines.append("")
    lines += ["## More Information", ""]
    if d.what_if:
        lines += ["Revisit this decision if the workload changes:", ""]
        lines += [f"* {_block(w.summary)}" for w in d.what_if]
        lines.append("")
    if d.fragile_on:
        lines += [f"This outcome rests on a single answer ({_line(', '.join(d.fragile_on))}): confirm it.", ""]
    citations = sorted({c.render() for o in [chosen, *d.alternatives, *d.excluded] for v in o.verdicts
                        for c in v.citations})
    rules = sorted({v.rule_id for o in [chosen, *d.alternatives, *d.excluded] for v in o.verdicts})
    if rules:
        lines += [f"Rules: {_line(', '.join(rules))}.", ""]
    if citations:
        lines += ["Sources:", "", *[f"* {_line(c)}" for c in citations], ""]
    lines += _current_choice(advice, d)
    picture = architecture_mermaid(advice)
    if picture:
        lines += ["### Architecture", "", "The components of the whole design, by pipeline stage "
                  + ("(the current choices, risky ones marked):" if advice.review is not None else
                     "(the recommended ones):"), "", *picture, ""]
    return "\n".join(lines).rstrip() + "\n"


def _current_choice(advice: Advice, d: DecisionAdvice) -> list[str]:
    """In review mode: what the team runs today for this decision, and its risk."""
    verdicts = [v for v in advice.review.verdicts if v.decision == d.id] if advice.review is not None else []
    if not verdicts:
        return []
    lines = ["### Current choice", ""]
    lines += [f"* {_line(v.label)}: {RISK_LABELS[v.risk]} — {_block(v.reason)}" for v in verdicts]
    return [*lines, ""]


def decision_records(advice: Advice) -> list[tuple[str, str]]:
    """(slug, content) for each decided decision, in decision order; numbering is the caller's (it
    continues the records already in the target folder)."""
    decided = [d for d in advice.decisions if d.status == "recommended" and d.recommended]
    return [(adr_slug(d.title), render_adr(advice, d)) for d in decided]


def render_adrs(advice: Advice) -> dict[str, str]:
    """File name -> content for each decided decision, numbered from 0001 in decision order."""
    return {f"{number:04d}-{slug}.md": text for number, (slug, text) in enumerate(decision_records(advice), start=1)}
