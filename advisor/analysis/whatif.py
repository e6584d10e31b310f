"""What would change the advice: re-evaluate with perturbed answers and keep the smallest changes.

Candidate values per question: for yes/no and choice questions every other value; for multi-choice
questions each choice toggled; for numbers the thresholds the rules actually compare that question
with (just below, at, just above) and, when the number feeds a calculator, the answer scaled by
0.1, 0.5, 2 and 10. Single changes are tried first; pairs only for decisions no single change moves,
and only among the answers that mattered to it. Every reported change was re-evaluated.

Re-evaluating is made cheap four ways, none of which changes a result (tests/test_whatif_shortcuts.py):
answer changes on which every fact test of the rule base gives the same results share one run
(advisor.inference.outcome_keys; those that match the scenario's own results need none), calculators whose
inputs did not change keep their values, a decision is resolved only when its outcome is asked for, and then
from its own rules and those deriving what they read (advisor.inference.slices), not the whole rule base.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.inference.collector_pause import collector_paused
from advisor.inference.evaluation import Advisor, Calculated, Resolver
from advisor.inference.outcome_keys import Key, OutcomeKeys
from advisor.inference.slices import Slices
from advisor.models.advice import Advice, AnswerChange, DecisionAdvice, WhatIf
from advisor.models.conditions import iter_tests
from advisor.models.questionnaire import Question
from advisor.shared.wording import show_value, status_word
from advisor.sources.answers import Answers

MAX_PER_DECISION = 8
MAX_PAIR_CANDIDATES = 16

Outcome = tuple[str, str | None]
Change = tuple[str, Any]  # (question id, new value or None for unknown)


@dataclass(frozen=True)
class _Domain:
    thresholds: dict[str, list[float]]
    feeds_calculator: frozenset[str]


def _domain(advisor: Advisor) -> _Domain:
    cached = advisor.derived_once.get("whatif.domain")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rb = advisor.rulebase
    cuts: dict[str, set[float]] = {}
    conditions = [e.rule.when for e in rb.rules] + [d.applies_when for d in rb.decisions if d.applies_when]
    for condition in conditions:
        for test in iter_tests(condition):
            values = test.operand if isinstance(test.operand, list) else [test.operand]
            for v in values:
                if isinstance(v, int | float) and not isinstance(v, bool):
                    cuts.setdefault(test.fact, set()).add(float(v))
    feeds = frozenset(name for c in rb.calculators.values() for name in c.formula.names)
    domain = _Domain({k: sorted(v) for k, v in cuts.items()}, feeds)
    advisor.derived_once["whatif.domain"] = domain
    return domain


def _number(q: Question, value: float) -> int | float | None:
    low, high = float(q.min or 0), float(q.max or 0)
    if not low <= value <= high:
        return None
    if q.integer or float(value).is_integer():
        return round(value)
    return round(value, 6)


def candidates(q: Question, current: Any, domain: _Domain) -> list[Any]:
    """Values worth trying for one question (None = unknown), nearest first for numbers."""
    if q.type == "boolean":
        values: list[Any] = [v for v in (True, False) if v != current]
    elif q.type == "single":
        values = [c.id for c in q.choices if c.id != current]
    elif q.type == "multi":
        chosen = set(current or [])
        ids = [c.id for c in q.choices]
        values = [sorted(chosen ^ {c}, key=ids.index) for c in ids]
    else:
        raw: list[float] = []
        for t in domain.thresholds.get(q.id, []):
            step = 1.0 if (q.integer or t.is_integer()) else max(abs(t) * 0.001, 0.001)
            raw += [t - step, t, t + step]
        if q.id in domain.feeds_calculator and isinstance(current, int | float):
            raw += [current * f for f in (0.1, 0.5, 2, 10)]
        numbers = {n for n in (_number(q, r) for r in raw) if n is not None and n != current}
        base = current if isinstance(current, int | float) else 0
        values = sorted(numbers, key=lambda n: (abs(n - base), n))
    if current is not None:
        values.append(None)
    return values


def _apply(answers: Answers, changes: tuple[Change, ...]) -> Answers:
    known = dict(answers.known)
    unknown = set(answers.unknown)
    for qid, value in changes:
        if value is None:
            known.pop(qid, None)
            unknown.add(qid)
        else:
            known[qid] = value
            unknown.discard(qid)
    return Answers(dict(sorted(known.items())), frozenset(unknown))


def _keys(advisor: Advisor) -> tuple[OutcomeKeys, Slices]:
    cached = advisor.derived_once.get("whatif.keys")
    if cached is None:
        cached = (OutcomeKeys(advisor.compiled.variants, [*advisor._applies.values(), *advisor._ask_when.values()]),
                  Slices(advisor.rulebase, advisor.compiled, advisor._applies))
        advisor.derived_once["whatif.keys"] = cached
    return cached  # type: ignore[no-any-return]


class Outcomes(Mapping[str, Outcome]):
    """(status, recommended option) per decision for one set of answers, each resolved when first read."""

    def __init__(self, advisor: Advisor, resolver: Resolver) -> None:
        self._advisor, self._resolver = advisor, resolver
        self._known: dict[str, Outcome] = {}

    def __getitem__(self, decision_id: str) -> Outcome:
        if decision_id not in self._known:
            res = self._resolver.resolve(self._advisor.decisions[decision_id])
            self._known[decision_id] = ("not_applicable", None) if res is None else (res.status, res.recommended)
        return self._known[decision_id]

    def __iter__(self) -> Iterator[str]:
        return iter(d.id for d in self._advisor.rulebase.decisions)

    def __len__(self) -> int:
        return len(self._advisor.rulebase.decisions)


class SlicedOutcomes(Outcomes):
    """The same outcomes, each decision's from its slice of the rule base (advisor.inference.slices)."""

    def __init__(self, advisor: Advisor, slices: Slices, answers: Answers, calculated: dict[str, Calculated]) -> None:
        self._advisor, self._slices = advisor, slices
        self._facts = advisor.engine_facts(answers, calculated)
        self._base = {**answers.known, **{c: v.value for c, v in calculated.items()}}
        self._known = {}

    def __getitem__(self, decision_id: str) -> Outcome:
        if decision_id not in self._known:
            firings = self._slices.firings(decision_id, self._facts)
            res = self._advisor.resolver(firings, self._base).resolve(self._advisor.decisions[decision_id])
            self._known[decision_id] = ("not_applicable", None) if res is None else (res.status, res.recommended)
        return self._known[decision_id]


class WhatIfAnalysis:
    def __init__(self, advisor: Advisor, answers: Answers) -> None:
        self.advisor = advisor
        self.answers = answers
        self.domain = _domain(advisor)
        self._keys, self._slices = _keys(advisor)
        self._cache: dict[tuple[tuple[str, Any], ...], Mapping[str, Outcome]] = {}
        self._by_key: dict[Key, Mapping[str, Outcome]] = {}
        counted, _ = advisor.counted(answers)
        calculated, _ = advisor.calculate(counted)
        self._start = (counted, calculated)
        self._facts = self._base_facts(counted, calculated)
        self.base = self._run(counted, calculated)

    @staticmethod
    def _base_facts(answers: Answers, calculated: dict[str, Calculated]) -> dict[str, Any]:
        return {**answers.known, **{c: v.value for c, v in calculated.items()}}

    def _run(self, answers: Answers, calculated: dict[str, Calculated]) -> Mapping[str, Outcome]:
        _, firings, _ = self.advisor.infer(answers, calculated)
        return Outcomes(self.advisor, self.advisor.resolver(firings, self._base_facts(answers, calculated)))

    def outcomes(self, changes: tuple[Change, ...]) -> Mapping[str, Outcome]:
        """The outcomes with these answers changed: the same as Advisor.outcomes of the changed answers."""
        ordered = tuple(sorted(changes, key=lambda c: c[0]))
        key = tuple((q, tuple(v) if isinstance(v, list) else v) for q, v in ordered)  # lists are not hashable
        if key not in self._cache:
            counted, _ = self.advisor.counted(_apply(self.answers, ordered))
            calculated, _ = self.advisor.calculate(counted, self._start)
            facts_key = self._keys.key(self._facts, self._base_facts(counted, calculated))
            if not facts_key:
                self._cache[key] = self.base
            else:
                if facts_key not in self._by_key:
                    self._by_key[facts_key] = SlicedOutcomes(self.advisor, self._slices, counted, calculated)
                self._cache[key] = self._by_key[facts_key]
        return self._cache[key]

    def single_changes(self, questions: list[str]) -> list[Change]:
        out: list[Change] = []
        for qid in questions:
            q = self.advisor.rulebase.questions[qid]
            out += [(qid, v) for v in candidates(q, self.answers.known.get(qid), self.domain)]
        return out


def answers_of(advice: Advice) -> Answers:
    """The answers an Advice was computed from (it records them all)."""
    known = {a.question: a.value for a in advice.answers if a.value is not None}
    return Answers(dict(sorted(known.items())), frozenset(advice.unknown))


def explain(advisor: Advisor, advice: Advice) -> Advice:
    return explain_what_if(advisor, advice, answers_of(advice))


def explain_what_if(advisor: Advisor, advice: Advice, answers: Answers) -> Advice:
    """The same advice with what_if and fragile_on filled in for every decision in play."""
    with collector_paused:  # hundreds of evaluations, none making reference cycles (collector_pause.py)
        return _explain_what_if(advisor, advice, answers)


def _explain_what_if(advisor: Advisor, advice: Advice, answers: Answers) -> Advice:
    analysis = WhatIfAnalysis(advisor, answers)
    feeding = advisor._decision_questions
    updated: list[DecisionAdvice] = []
    for decision in advice.decisions:
        if decision.status == "not_applicable":
            updated.append(decision.model_copy(update={"what_if_checked": True}))
            continue
        base = analysis.base[decision.id]
        questions = feeding[decision.id]
        singles = analysis.single_changes(questions)
        found: dict[tuple[str, Outcome], tuple[Change, ...]] = {}
        fragile: list[str] = []
        for change in singles:
            outcome = analysis.outcomes((change,))[decision.id]
            if outcome == base:
                continue
            if change[1] is None:
                fragile.append(change[0])
                continue
            if outcome[0] == "not_applicable":  # "drop the topic" is no advice
                continue
            found.setdefault((change[0], outcome), (change,))
        if not found:
            mattered = mattered_questions(decision, questions)
            pool = [c for c in singles if c[0] in mattered and c[1] is not None][:MAX_PAIR_CANDIDATES]
            for a, b in itertools.combinations(pool, 2):
                if a[0] == b[0]:
                    continue
                outcome = analysis.outcomes((a, b))[decision.id]
                if outcome != base and outcome[0] != "not_applicable":
                    found.setdefault((f"{a[0]}+{b[0]}", outcome), (a, b))
        what_ifs = [describe_what_if(advisor, decision.id, answers, changes, outcome)
                    for (_, outcome), changes in list(found.items())[:MAX_PER_DECISION]]
        updated.append(decision.model_copy(update={"what_if": what_ifs, "what_if_checked": True,
                                                   "fragile_on": sorted(set(fragile), key=questions.index)}))
    return advice.model_copy(update={"decisions": updated})


def mattered_questions(decision: DecisionAdvice, questions: list[str]) -> set[str]:
    """Questions the decision's verdicts matched, then the ones it asks for."""
    names = {b.fact for option in [decision.recommended, *decision.alternatives, *decision.excluded] if option
             for v in option.verdicts for b in v.matched}
    names |= {q.id for q in decision.ask}
    return {q for q in questions if q in names} or set(questions)


def describe_what_if(advisor: Advisor, decision_id: str, answers: Answers, changes: tuple[Change, ...],
             outcome: Outcome) -> WhatIf:
    rb = advisor.rulebase
    status, option = outcome
    decision_labels = {o.id: o.label for o in rb.decision(decision_id).options}  # option ids repeat across decisions
    label = decision_labels.get(option, option) if option else status_word(status)
    described = []
    for qid, value in changes:
        q = rb.questions[qid]
        before = answers.known.get(qid)
        text = f"{qid} were {show_value(value, q)} (now {show_value(before, q)})"
        described.append(AnswerChange(question=qid, prompt=q.prompt, before=before, after=value, display=text))
    summary = "if " + " and ".join(c.display for c in described) + f": {label}"
    return WhatIf(changes=described, status=status, recommended=option, label=label, summary=summary)  # type: ignore[arg-type]
