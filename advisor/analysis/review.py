"""Review mode: judge the team's current choices against the advice, and plan the changes.

Computed from the same Advice (the same resolution) the reports show, never by a view. Per current
choice, in this order:

- high risk: a `must` rule excludes the option (a hard limit, or a requirement it cannot meet);
- medium risk: a weaker rule excludes it, another option is required, a rule avoids it, or the
  recommendation leads it by at least CLEAR_MARGIN points;
- fine: it is the recommendation, runs alongside it (a set of current options that includes the
  recommendation), ties with it, or trails it by less than CLEAR_MARGIN;
- cannot judge yet: the decision is undecided or not in play for the workload as described; the
  verdict names the questions that would settle it.

A set of current options (several run side by side) is judged option by option; an option the advice
recommends together with the recommendation (a declared combination) is fine. A decision whose workload
states a need no option meets (out of scope) makes any current option there a high risk.
Every verdict that is not 'fine' carries the smallest answer change that would make the current option
the recommendation (searched like what-if analysis and verified by re-evaluating).
"""

from __future__ import annotations

import itertools

from advisor.analysis.whatif import (
    MAX_PAIR_CANDIDATES,
    Change,
    WhatIfAnalysis,
    answers_of,
    describe_what_if,
    mattered_questions,
)
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice, DecisionAdvice, OptionAssessment, QuestionRef, Verdict, WhatIf
from advisor.models.citation import Citation
from advisor.models.conditions import iter_tests
from advisor.models.decision import DEFAULT_WEIGHT
from advisor.models.review import RISK_LABELS, RISK_ORDER, ChoiceVerdict, PlanStep, Review, Risk

CLEAR_MARGIN: float = float(DEFAULT_WEIGHT["should"])
"""A recommendation this many points ahead of a current choice wins by a clear margin (medium risk):
the weight of one `should` rule. A smaller lead (a `consider` hint or two) leaves the choice fine."""

MAX_QUESTIONS_IN_STEP = 3
"""A plan step names at most this many questions (the verdict lists them all)."""

RISKS_AT_OR_ABOVE: dict[str, tuple[str, ...]] = {"high": ("high",), "medium": ("high", "medium"), "none": ()}
"""`--fail-on` levels: the risks that make `advisor review` exit 1."""


def review_advice(advisor: Advisor, advice: Advice, current: dict[str, list[str]]) -> Advice:
    """The advice with its review of `current` attached (unchanged when there are no current choices)."""
    if not current:
        return advice
    return advice.model_copy(update={"review": review(advisor, advice, current)})


def review(advisor: Advisor, advice: Advice, current: dict[str, list[str]]) -> Review:
    judge = _Judge(advisor, advice)
    order = {d.id: i for i, d in enumerate(advice.decisions)}
    verdicts = [
        judge.verdict(judge.decisions[did], option, options)
        for did, options in sorted(current.items(), key=lambda kv: order[kv[0]])
        for option in options
    ]
    verdicts.sort(key=lambda v: (RISK_ORDER.index(v.risk), order[v.decision]))
    plan = [judge.step(v) for v in verdicts if v.risk != "fine"]
    plan.sort(key=lambda s: (RISK_ORDER.index(s.risk), -len(s.unblocks), order[s.decision]))
    highest: Risk = verdicts[0].risk if verdicts else "fine"
    return Review(
        current={k: list(v) for k, v in current.items()},
        verdicts=verdicts,
        plan=plan,
        highest=highest,
        clear_margin=CLEAR_MARGIN,
    )


def risks_found(advice: Advice, fail_on: str) -> list[ChoiceVerdict]:
    """The verdicts at or above the `--fail-on` level."""
    if advice.review is None:
        return []
    return [v for v in advice.review.verdicts if v.risk in RISKS_AT_OR_ABOVE[fail_on]]


class _Judge:
    def __init__(self, advisor: Advisor, advice: Advice) -> None:
        self.advisor = advisor
        self.advice = advice
        self.decisions = {d.id: d for d in advice.decisions}
        self._analysis: WhatIfAnalysis | None = None

    @property
    def analysis(self) -> WhatIfAnalysis:
        if self._analysis is None:
            self._analysis = WhatIfAnalysis(self.advisor, answers_of(self.advice))
        return self._analysis

    def verdict(self, d: DecisionAdvice, option: str, options: list[str]) -> ChoiceVerdict:
        decision = self.advisor.rulebase.decision(d.id)
        labels = {o.id: o.label for o in decision.options}
        assessed = {a.option: a for a in _assessments(d)}
        mine = assessed.get(option)
        rec = d.recommended
        risk, reason, behind, ask = self._classify(d, option, options, mine, labels)
        margin = rec.score - mine.score if rec is not None and mine is not None else None
        what_if = None if risk == "fine" else self.what_makes_right(d, option)
        return ChoiceVerdict(
            decision=d.id,
            decision_title=d.title,
            stage=d.stage,
            option=option,
            label=labels[option],
            risk=risk,
            reason=reason,
            recommended=rec.option if rec else None,
            recommended_label=rec.label if rec else "",
            margin=margin,
            rules=list(dict.fromkeys(v.rule_id for v in behind)),
            verdicts=behind,
            citations=_citations(behind),
            ask=ask,
            what_if=what_if,
        )

    def _classify(
        self, d: DecisionAdvice, option: str, options: list[str], mine: OptionAssessment | None, labels: dict[str, str]
    ) -> tuple[Risk, str, list[Verdict], list[QuestionRef]]:
        label = labels[option]
        if d.status == "out_of_scope":
            # The workload states a need that none of this decision's options meets, the current one included.
            return "high", f"{label} cannot meet this workload: {d.summary.rstrip('.')}", [], []
        if d.status == "not_applicable" or mine is None:
            applies = d.summary.removeprefix("Not in play: ").rstrip(".")
            return (
                "cannot_judge",
                f"{d.title} is not in play for the workload as described ({applies})",
                [],
                self._applicability_questions(d.id),
            )
        against = [v for v in mine.verdicts if not v.supports]
        hard = [v for v in mine.verdicts if v.kind == "exclude" and v.strength == "must"]
        if hard:
            return "high", f"{label} is ruled out by a must rule ({_ids(hard)})", hard, []
        excluded = [v for v in mine.verdicts if v.kind == "exclude"]
        if excluded:
            return "medium", f"{label} is ruled out by {_ids(excluded)}", excluded, []
        rec = d.recommended
        support = mine.support()
        if rec is not None and rec.option == option:
            return "fine", f"{label} is the recommendation ({d.strength})", support, []
        if rec is not None and option in {t.option for t in d.together}:
            return "fine", f"{label} is recommended together with {rec.label}", support, []
        required = [v for v in rec.verdicts if v.kind == "require"] if rec is not None else []
        if rec is not None and required:
            return "medium", f"{rec.label} is required ({_ids(required)})", required, []
        if against:
            return "medium", f"{label} is weighed down by {_ids(against)}", against, []
        if rec is not None and rec.option in options:
            return (
                "fine",
                f"{label} runs alongside the recommendation, {rec.label}, and no rule weighs against it",
                support,
                [],
            )
        if rec is None:
            return (
                "cannot_judge",
                f"{d.title} is undecided {d.summary.removeprefix('Undecided ').rstrip('.')}",
                support,
                list(d.ask),
            )
        lead = rec.score - mine.score
        rec_support = rec.support()
        if lead >= CLEAR_MARGIN:
            return (
                "medium",
                f"{rec.label} wins by {lead:g} points (a clear margin is {CLEAR_MARGIN:g})",
                rec_support,
                [],
            )
        if lead == 0:
            return "fine", f"{label} ties with the recommendation, {rec.label}", support, []
        if lead < 0:  # policy `first`: an earlier rule decides, whatever the weights
            return (
                "fine",
                f"{label} weighs more than {rec.label}, which an earlier rule picks (policy: first)",
                support,
                [],
            )
        return (
            "fine",
            (
                f"{label} is a close second: {rec.label} leads by {lead:g} points, less than a clear "
                f"margin ({CLEAR_MARGIN:g})"
            ),
            rec_support + support,
            [],
        )

    def _applicability_questions(self, decision_id: str) -> list[QuestionRef]:
        rb = self.advisor.rulebase
        condition = rb.decision(decision_id).applies_when
        facts = [t.fact for t in iter_tests(condition)] if condition is not None else []
        return [QuestionRef.of(id=q, prompt=rb.questions[q].prompt) for q in dict.fromkeys(facts) if q in rb.questions]

    def what_makes_right(self, d: DecisionAdvice, option: str) -> WhatIf | None:
        """The smallest answer change after which `option` is the recommendation; None if none is found."""
        for known in d.what_if:
            if known.recommended == option and known.status == "recommended":
                return known
        target = ("recommended", option)
        analysis = self.analysis
        questions = self.advisor._decision_questions[d.id]
        singles = [c for c in analysis.single_changes(questions) if c[1] is not None]  # "forget X" is no advice
        for change in singles:
            if analysis.outcomes((change,))[d.id] == target:
                return self._describe(d.id, (change,))
        mattered = mattered_questions(d, questions)
        pool = [c for c in singles if c[0] in mattered][:MAX_PAIR_CANDIDATES]
        for a, b in itertools.combinations(pool, 2):
            if a[0] != b[0] and analysis.outcomes((a, b))[d.id] == target:
                return self._describe(d.id, (a, b))
        return None

    def _describe(self, decision_id: str, changes: tuple[Change, ...]) -> WhatIf:
        option = self.analysis.outcomes(changes)[decision_id]
        return describe_what_if(self.advisor, decision_id, self.analysis.answers, changes, option)

    def step(self, verdict: ChoiceVerdict) -> PlanStep:
        if verdict.risk == "cannot_judge":
            change = (
                "answer: " + "; ".join(q.prompt for q in verdict.ask[:MAX_QUESTIONS_IN_STEP])
                if verdict.ask
                else "describe the workload further"
            )
        elif verdict.recommended is not None:
            change = f"replace {verdict.label} with {verdict.recommended_label}"
        else:
            open_options = [
                a.label
                for a in _assessments(self.decisions[verdict.decision])
                if a.option != verdict.option and a not in self.decisions[verdict.decision].excluded
            ]
            change = f"replace {verdict.label}" + (f" (still open: {', '.join(open_options)})" if open_options else "")
        reasons = [f"{RISK_LABELS[verdict.risk]}: {verdict.reason}"]
        reasons += [f"{v.rule_id}: {v.reasoning}" for v in verdict.verdicts]
        if verdict.what_if is not None:
            changes = " and ".join(c.display for c in verdict.what_if.changes)
            reasons.append(f"{verdict.label} would be the recommendation if {changes}")
        named = {q.id for q in verdict.ask}
        if verdict.what_if is not None:
            named |= {c.question for c in verdict.what_if.changes}
        unblocks = [
            d.id
            for d in self.advice.decisions
            if d.id != verdict.decision and d.status == "undecided" and named & {q.id for q in d.ask}
        ]
        return PlanStep(
            decision=verdict.decision,
            decision_title=verdict.decision_title,
            risk=verdict.risk,
            current=verdict.label,
            change=change,
            reasons=reasons,
            rules=verdict.rules,
            unblocks=unblocks,
        )


def _assessments(d: DecisionAdvice) -> list[OptionAssessment]:
    return [a for a in [d.recommended, *d.together, *d.alternatives, *d.excluded] if a is not None]


def _ids(verdicts: list[Verdict]) -> str:
    return ", ".join(dict.fromkeys(v.rule_id for v in verdicts))


def _citations(verdicts: list[Verdict]) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for v in verdicts:
        for c in v.citations:
            seen.setdefault(_key(c), c)
    return list(seen.values())


def _key(citation: Citation) -> str:
    return citation.model_dump_json()
