"""A compact, readable projection of an Advice for snapshot review: what each decision concluded and which
rules made it so. Computed from the plain data only (never through a renderer), so a rule change shows up
as a diff of a few lines a person can read."""

from __future__ import annotations

from advisor.models.advice import Advice, DecisionAdvice, OptionAssessment, Verdict
from advisor.models.review import Review


def advice_digest(advice: Advice) -> str:
    lines: list[str] = []
    if advice.ignored:
        lines.append("ignored answers: " + ", ".join(i.question for i in advice.ignored))
    lines += [f"warning: {w}" for w in advice.warnings]
    derivations = sorted({t.rule_id for t in advice.trace if t.decision is None})
    if derivations:
        lines.append("derivation rules fired: " + ", ".join(derivations))
    in_play = [d for d in advice.decisions if d.status != "not_applicable"]
    for decision in in_play:
        lines += _decision(decision, advice)
    # Decisions not in play are not listed: they are every decision missing above, and naming (or counting) them
    # would make each new decision in the rule base rewrite every scenario's snapshot.
    if advice.review is not None:
        lines += _review(advice.review)
    return "\n".join(lines) + "\n"


def _review(review: Review) -> list[str]:
    """Each current choice's risk with the rules behind it and the change that would make it right; the plan."""
    lines = [f"review (worst: {review.highest}):"]
    for v in review.verdicts:
        line = f"  {v.decision} = {v.option}: {v.risk}"
        if v.rules:
            line += " by " + ", ".join(v.rules)
        if v.ask:
            line += "; ask " + ", ".join(q.id for q in v.ask)
        if v.what_if is not None:
            line += "; right if " + " and ".join(f"{c.question} = {c.after}" for c in v.what_if.changes)
        lines.append(line)
    for number, step in enumerate(review.plan, 1):
        moves = f" (also moves {', '.join(step.unblocks)})" if step.unblocks else ""
        lines.append(f"  plan {number}: {step.decision}, {step.risk}: {step.change}{moves}")
    return lines


def _decision(decision: DecisionAdvice, advice: Advice) -> list[str]:
    winner = decision.recommended
    if winner is not None:
        head = f"{decision.id}: {winner.option} ({decision.strength}){_by(winner.verdicts)}"
    else:
        head = f"{decision.id}: {decision.status}"
    lines = [head]
    alternatives = [o.option for o in decision.alternatives if winner is None or o.option != winner.option]
    if alternatives:
        lines.append("  alternatives: " + ", ".join(alternatives))
    if decision.excluded:
        lines.append("  excluded: " + "; ".join(_excluded(o) for o in decision.excluded))
    if decision.conflicts:
        lines += [f"  conflict: {c}" for c in decision.conflicts]
    if winner is None and decision.ask:
        lines.append("  ask: " + ", ".join(q.id for q in decision.ask))
    # Rules already named above as verdicts are not repeated: the line shows what else fired.
    shown = {v.rule_id for o in [winner, *decision.excluded] if o is not None for v in o.verdicts}
    fired = [t.rule_id for t in advice.trace if t.decision == decision.id and t.rule_id not in shown]
    if fired:
        lines.append("  also fired: " + ", ".join(sorted(fired)))
    return lines


def _by(verdicts: list[Verdict]) -> str:
    """The verdicts on an option, as 'RULE kind' pairs in the Advice's order (strongest first)."""
    return " by " + ", ".join(f"{v.rule_id} {v.kind}" for v in verdicts) if verdicts else ""


def _excluded(option: OptionAssessment) -> str:
    rules = [v.rule_id for v in option.verdicts if v.kind == "exclude"]
    return f"{option.option} ({', '.join(rules)})" if rules else option.option
