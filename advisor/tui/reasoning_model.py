"""The reasoning behind one decision as a tree of steps (no textual here).

Verdict -> the facts its rule matched -> for a derived fact, the rule that derived it and the
facts that rule matched -> ... down to answers; a calculated fact shows its formula and inputs.
Every rule and calculator step carries its citations as child steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from advisor.models.advice import Advice, Binding, DecisionAdvice, FiredRule, OptionAssessment, Verdict
from advisor.models.citation import Citation
from advisor.shared.wording import status_word, verdict_sign

StepKind = Literal["decision", "group", "option", "verdict", "rule", "answer", "unknown", "calculated",
                   "derived", "citation", "question", "note"]
_MAX_DEPTH = 12


@dataclass
class Step:
    kind: StepKind
    label: str
    detail: str = ""
    """Longer text for the side panel."""
    ref: str = ""
    """Rule id, question id, fact id or option id, by kind."""
    citation: Citation | None = None
    expanded: bool = True
    """Shown open at first; runner-up and excluded verdicts start closed, as they repeat the chain."""
    children: list[Step] = field(default_factory=list)


class ReasoningBuilder:
    """Reads only the Advice: rule titles come from its trace, labels and values in words from its bindings."""

    def __init__(self, advice: Advice) -> None:
        self.advice = advice
        self.trace: dict[str, FiredRule] = {t.rule_id: t for t in advice.trace}
        self.derived = {d.fact: d for d in advice.derived}
        self.answers = {a.question: a for a in advice.answers}

    def build(self, decision: DecisionAdvice) -> Step:
        root = Step("decision", f"{decision.title} ({status_word(decision.status)})",
                    detail=f"{decision.question}\n\n{decision.summary}", ref=decision.id)
        if decision.status == "not_applicable":
            return root
        if decision.recommended is not None:
            strength = f"{decision.strength}" if decision.strength else ""
            root.children.append(self.option(decision.recommended, f"Recommended ({strength})"))
        if decision.assumption:
            root.children.append(Step("note", f"Assumption: {decision.assumption}", detail=decision.assumption))
        for conflict in decision.conflicts:
            root.children.append(Step("note", f"Conflict: {conflict}", detail=conflict))
        if decision.ask:
            group = Step("group", "Would decide it (Enter jumps to the question)")
            group.children = [Step("question", q.prompt, detail=f"Would decide it: {q.prompt}", ref=q.id)
                              for q in decision.ask]
            root.children.append(group)
        if decision.alternatives:
            group = Step("group", "Alternatives")
            group.children = [self.option(o, "Alternative", open_verdicts=False) for o in decision.alternatives]
            root.children.append(group)
        if decision.excluded:
            group = Step("group", "Excluded")
            group.children = [self.option(o, "Excluded", open_verdicts=False) for o in decision.excluded]
            root.children.append(group)
        return root

    def option(self, option: OptionAssessment, role: str, *, open_verdicts: bool = True) -> Step:
        step = Step("option", f"{role}: {option.label} (score {option.score:g})",
                    detail=f"{option.label}: {option.summary}", ref=option.option)
        step.children = [self.verdict(v) for v in option.verdicts]
        for child in step.children:
            child.expanded = open_verdicts
        if not step.children:
            step.children.append(Step("note", "No rule spoke for or against it."))
        return step

    def verdict(self, v: Verdict) -> Step:
        fired = self.trace.get(v.rule_id)
        title = fired.title if fired else ""
        sign = verdict_sign(v.kind, v.weight)
        detail = self.rule_detail(fired) if fired else v.reasoning.strip()
        step = Step("verdict", f"{v.rule_id} {sign} ({v.strength}): {title}", detail=detail, ref=v.rule_id)
        step.children = [self.binding(b, 1, {v.rule_id}) for b in v.matched]
        step.children += [self.citation(c) for c in v.citations]
        return step

    def binding(self, b: Binding, depth: int, seen: set[str]) -> Step:
        label = b.label or b.fact
        if b.value is None or b.source == "unknown":
            return Step("unknown", f"{b.fact} is unknown", detail=f"{label}: not answered or answered unknown",
                        ref=b.fact)
        if b.source == "answer":
            return Step("answer", f"Answer: {label} = {b.display}", detail=f"{label}\n\nYour answer: {b.display}",
                        ref=b.fact)
        if b.source == "calculated":
            return self.calculated(b, depth, seen)
        return self.derived_step(b, depth, seen)

    def calculated(self, b: Binding, depth: int, seen: set[str]) -> Step:
        fact = self.derived.get(b.fact)
        formula = fact.formula if fact else ""
        step = Step("calculated", f"Calculated: {b.label or b.fact} = {b.display}"
                    + (f"  ← {formula}" if formula else ""), ref=b.fact)
        inputs = ", ".join(f"{i.fact} = {i.display}" for i in (fact.based_on if fact else []))
        step.detail = (f"{b.fact} = {formula}\nwith {inputs or 'no inputs'}\n"
                       f"= {b.display}\n\n{fact.reasoning if fact else ''}")
        if fact and depth < _MAX_DEPTH:
            step.children += [self.binding(i, depth + 1, seen) for i in fact.based_on]
        if fact:
            step.children += [self.citation(c) for c in fact.citations]
        return step

    def derived_step(self, b: Binding, depth: int, seen: set[str]) -> Step:
        fact = self.derived.get(b.fact)
        by = [r for r in (fact.derived_by if fact else []) if r in self.trace]
        step = Step("derived", f"Derived: {b.fact} = {b.display}" + (f"  ← {', '.join(by)}" if by else ""),
                    detail=f"{b.fact} = {b.display}, derived by {', '.join(by) or 'no fired rule'}",
                    ref=b.fact)
        for rule_id in by:
            if rule_id in seen or depth >= _MAX_DEPTH:
                continue
            step.children.append(self.fired(self.trace[rule_id], depth + 1, seen | {rule_id}))
        return step

    def fired(self, fired: FiredRule, depth: int, seen: set[str]) -> Step:
        step = Step("rule", f"{fired.rule_id} ({fired.strength}): {fired.title}", detail=self.rule_detail(fired),
                    ref=fired.rule_id)
        step.children = [self.binding(b, depth + 1, seen) for b in fired.matched]
        step.children += [self.citation(c) for c in fired.citations]
        return step

    @staticmethod
    def rule_detail(fired: FiredRule) -> str:
        detail = (f"{fired.rule_id}: {fired.title}\nWhen {fired.condition}\nEffects: {'; '.join(fired.effects)}"
                  f"\n\n{fired.reasoning.strip()}")
        if fired.note_conflict:
            detail += f"\n\nWhere the notes disagree: {fired.note_conflict.strip()}"
        return detail

    def citation(self, c: Citation) -> Step:
        return Step("citation", f"Cites {c.render()}", detail=c.render(), citation=c)


def build_reasoning(advice: Advice, decision_id: str) -> Step | None:
    decision = next((d for d in advice.decisions if d.id == decision_id), None)
    return ReasoningBuilder(advice).build(decision) if decision else None
