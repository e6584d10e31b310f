"""Answers -> calculated facts -> inference -> resolution -> Advice (plain data).

`Advisor` is the one object the CLI, the TUI and the tests use: it owns the
loaded rule base, its compiled form and an inference engine.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from advisor.inference.backends import EngineBackend, choose_engine, create_backend, engine_plans
from advisor.inference.compiler import (
    CompiledRuleset,
    Conjunct,
    applies_id,
    base_fact,
    compile_rulebase,
    expand_facts,
    to_dnf,
)
from advisor.inference.firing import Firings
from advisor.inference.numbers import shared_number
from advisor.inference.provenance import trace_back
from advisor.inference.resolution import Resolution, RuleVerdict, resolve
from advisor.inference.rules_cache import cached
from advisor.models.advice import (
    Advice,
    AnswerRecord,
    Binding,
    DecisionAdvice,
    DerivedFact,
    FiredRule,
    IgnoredAnswer,
    OptionAssessment,
    OutdatedFact,
    QuestionRef,
    ScenarioRef,
    Verdict,
    WhyNot,
)
from advisor.models.conditions import Condition
from advisor.models.decision import Decision, Rule
from advisor.models.questionnaire import Question, QuestionnaireView
from advisor.shared.wording import describe_condition, show_value
from advisor.sources.answers import Answers, LoadedScenario, check_answers, load_scenario
from advisor.sources.formula import EVALUATION_ERRORS, Unknown, failure_reason
from advisor.sources.locations import BUNDLED
from advisor.sources.rulebase import RuleBase, load_rulebase
from advisor.sources.schema import scenario_schema_of

MAX_ASK = 8


def condition_holds(condition: Condition | list[Conjunct], facts: dict[str, Any], *, expanded: bool = False) -> bool:
    """Evaluate a condition (or its DNF) directly: for ask_when and applicability, where no engine session
    is needed. Pass `expanded=True` when `facts` already went through `expand_facts`."""
    if not expanded:
        facts = expand_facts(facts)
    for conj in condition if isinstance(condition, list) else to_dnf(condition):
        for lit in conj:  # plain loops: this runs for every decision of every scenario
            if lit.test is None:
                if lit.fact in facts:
                    break
            elif lit.fact not in facts or not lit.test.holds(facts[lit.fact]):
                break
        else:
            return True
    return False


def _effects_text(rule: Rule) -> tuple[str, ...]:
    """What firing the rule does, as text: 'exclude kds', 'derive large_messages = true'..."""
    effects = [f"require {rule.require}"] if rule.require else []
    effects += [f"exclude {o}" for o in rule.exclude]
    effects += [f"recommend {o} (+{rule.effective_weight:g})" for o in rule.recommend]
    effects += [f"avoid {o} (-{rule.effective_weight:g})" for o in rule.avoid]
    effects += [f"derive {d.fact} = {show_value(d.value)}" for d in rule.derive]
    effects += [f"outside: {rule.outside}"] if rule.outside else []
    return tuple(effects)


@dataclass(frozen=True)
class Calculated:
    value: float | int
    inputs: dict[str, Any]


@dataclass
class PreparedRules:
    """A rule base ready to evaluate with: loaded, compiled, and the per-decision tables evaluation reads.
    Plain data that does not depend on the engine, so it is what the compiled rule base cache keeps."""

    rulebase: RuleBase
    compiled: CompiledRuleset
    question_order: dict[str, int]
    decision_questions: dict[str, list[str]]
    decision_calculators: dict[str, set[str]]
    decision_asks: dict[str, list[str]]
    """What to ask for an open decision: what its rules read, not what only scopes it (like `topics`)."""
    ask_when: dict[str, list[Conjunct]]
    condition_text: dict[str, str]
    effects_text: dict[str, tuple[str, ...]]
    applies: dict[str, list[Conjunct]]
    """Applicability is judged after inference, on the final facts: it only gates the resolution, and keeping
    it out of the engine keeps the engine's ruleset smaller (its cost grows with rule count)."""
    engine_plans: dict[str, Any] = field(default_factory=dict)
    """The engines' own start-up work (backends.engine_plans), plain data; made only for the cache."""


def prepare(rulebase: RuleBase) -> PreparedRules:
    compiled = compile_rulebase(rulebase)
    order = {q: i for i, q in enumerate(rulebase.questions)}
    feeding = {d.id: facts_feeding(rulebase, d) for d in rulebase.decisions}
    questions = {d: sorted((f for f in facts if f in order), key=order.__getitem__) for d, facts in feeding.items()}
    condition_text = {e.id: describe_condition(e.rule.when) for e in rulebase.rules}
    condition_text.update({applies_id(d.id): describe_condition(d.applies_when)
                           for d in rulebase.decisions if d.applies_when is not None})
    return PreparedRules(
        rulebase, compiled, order, questions,
        {d: {f for f in facts if f in rulebase.calculators} for d, facts in feeding.items()},
        {d.id: [q for q in questions[d.id] if q in facts_feeding(rulebase, d, with_applicability=False)]
         for d in rulebase.decisions},
        {q.id: to_dnf(q.ask_when) for q in rulebase.questions.values() if q.ask_when is not None},
        condition_text,
        {e.id: _effects_text(e.rule) for e in rulebase.rules},
        {d.id: to_dnf(d.applies_when) for d in rulebase.decisions if d.applies_when is not None})


def _with_engine_plans(ready: PreparedRules) -> PreparedRules:
    """For the cache: the engines' start-up work done once, kept with the compiled rules (about a tenth of
    a one-file evaluation otherwise)."""
    ready.engine_plans = engine_plans(ready.compiled)
    return ready


def facts_feeding(rb: RuleBase, decision: Decision, with_applicability: bool = True) -> set[str]:
    """Questions and calculators this decision's rules (and applicability) read, directly or through
    derived facts and calculator formulas."""
    conditions = [e.rule.when for e in rb.rules if e.decision == decision.id]
    if with_applicability and decision.applies_when is not None:
        conditions.append(decision.applies_when)
    stack = [base_fact(lit.fact) for c in conditions for conj in to_dnf(c) for lit in conj]
    seen: set[str] = set()
    while stack:
        fact = stack.pop()
        if fact in seen:
            continue
        seen.add(fact)
        if fact in rb.calculators:
            stack += rb.calculators[fact].formula.names
        for rule_id in rb.derived_by.get(fact, []):
            stack += [base_fact(lit.fact) for conj in to_dnf(rb.rule(rule_id).rule.when) for lit in conj]
    return {f for f in seen if f in rb.questions or f in rb.calculators}


class Advisor:
    def __init__(self, rulebase: RuleBase | PreparedRules, engine: str = "auto", rules_label: str = BUNDLED) -> None:
        """From a loaded rule base, or one already prepared (the compiled rule base cache)."""
        ready = rulebase if isinstance(rulebase, PreparedRules) else prepare(rulebase)
        self.rulebase = ready.rulebase
        rb = self.rulebase
        self.questionnaire = QuestionnaireView(
            tuple(rb.areas), MappingProxyType(rb.questions), MappingProxyType(rb.question_area),
            MappingProxyType({d.id: MappingProxyType({o.id: o.label for o in d.options}) for d in rb.decisions}),
            scenario_schema_of(rb.root))
        """The questionnaire for views (the TUI's form): plain data, read only."""
        self.rules_label = rules_label
        """How reports name the rule base: 'bundled' or the folder it came from."""
        self.compiled: CompiledRuleset = ready.compiled
        self.engine: EngineBackend = create_backend(choose_engine(engine), self.compiled, self.rulebase,
                                                    ready.engine_plans)
        self.engine_name = self.engine.name
        self.question_order = ready.question_order
        self._decision_questions = ready.decision_questions
        self._decision_calculators = ready.decision_calculators
        self._decision_asks = ready.decision_asks
        self._ask_when = ready.ask_when
        self.condition_text = ready.condition_text
        self.effects_text = ready.effects_text
        self._applies = ready.applies
        self.not_in_play: dict[str, DecisionAdvice] = {}
        """The (immutable) advice for each decision when it is not in play, built once on first use."""

    @classmethod
    def from_folder(cls, rules_dir: Path, engine: str = "auto", rules_label: str | None = None) -> Advisor:
        """The rules of this folder, compiled or taken from the compiled rule base cache (rules_cache)."""
        ready = cached(rules_dir, lambda: _with_engine_plans(prepare(load_rulebase(rules_dir))), PreparedRules)
        return cls(ready, engine, rules_label if rules_label is not None else str(rules_dir))

    def close(self) -> None:
        self.engine.close()

    # ---- questionnaire -------------------------------------------------------------------------
    def relevant_questions(self, answers: Answers) -> list[Question]:
        """Questions to show: core ones and those whose ask_when holds over the answers."""
        facts = expand_facts(answers.known)
        return [q for q in self.rulebase.questions.values()
                if q.id not in self._ask_when or condition_holds(self._ask_when[q.id], facts, expanded=True)]

    def load_scenario(self, path: Path) -> LoadedScenario:
        """A scenario file, its answers checked against this rule base."""
        return load_scenario(self.rulebase, path)

    def check(self, raw_answers: dict[str, Any]) -> Answers:
        return check_answers(self.rulebase, raw_answers)

    def counted(self, answers: Answers) -> tuple[Answers, list[str]]:
        """The answers that count, and the ids of those that do not: an answer counts only when its
        question is asked, i.e. its ask_when holds over the answers that count. One meaning for every
        entry point (files, the TUI, what-if, the pytest plugin). Dropping an answer can hide further
        questions, hence the loop; it ends because each pass only removes answers."""
        known, unknown = dict(answers.known), set(answers.unknown)
        while True:
            facts = expand_facts(known)
            hidden = [q for q in (*known, *unknown) if q in self._ask_when
                      and not condition_holds(self._ask_when[q], facts, expanded=True)]
            if not hidden:
                break
            for q in hidden:
                known.pop(q, None)
                unknown.discard(q)
        if len(known) == len(answers.known) and len(unknown) == len(answers.unknown):
            return answers, []
        dropped = [q for q in self.rulebase.questions if (q in answers.known and q not in known)
                   or (q in answers.unknown and q not in unknown)]
        return Answers(known, frozenset(unknown)), dropped

    # ---- evaluation ----------------------------------------------------------------------------
    def calculate(self, answers: Answers) -> tuple[dict[str, Calculated], list[str]]:
        values: dict[str, Any] = dict(answers.known)
        out: dict[str, Calculated] = {}
        warnings: list[str] = []
        for calc_id, entry in self.rulebase.calculators.items():
            numbers = {n: values.get(n) for n in entry.formula.names}
            try:
                result = entry.formula.evaluate(numbers)
            except Unknown:
                continue
            except EVALUATION_ERRORS as exc:
                # A team's formula can fail for some answers (x / 0, ceil of an infinity): the calculated
                # fact stays unknown, as if an input were, and the advice says why.
                warnings.append(f"{calc_id} could not be calculated from {numbers} ({failure_reason(exc)}); "
                                "it is treated as unknown")
                continue
            if isinstance(result, int) and abs(result) >= 2**53:
                result = float(result) if abs(result) <= sys.float_info.max else math.inf  # as the engine reads it
            if isinstance(result, float):
                if not math.isfinite(result):
                    warnings.append(f"{calc_id} is not a finite number with the answers given; "
                                    "it is treated as unknown")
                    continue
                result = int(result) if result.is_integer() and abs(result) < 2**53 else round(result, 6)
            values[calc_id] = result
            out[calc_id] = Calculated(result, numbers)
        return out, warnings

    def infer(self, answers: Answers) -> tuple[dict[str, Calculated], Firings, list[str]]:
        calculated, warnings = self.calculate(answers)
        facts = {q: shared_number(v) for q, v in answers.known.items()}
        facts.update({c: shared_number(calc.value) for c, calc in calculated.items()})
        return calculated, self.engine.run(expand_facts(facts)), warnings

    def evaluate(self, loaded: LoadedScenario) -> Advice:
        return self.advise(loaded.answers, ScenarioRef.of(id=loaded.id, title=loaded.scenario.title,
                                                          description=loaded.scenario.description,
                                                          source=loaded.source))

    def advise(self, answers: Answers, scenario: ScenarioRef) -> Advice:
        given = answers
        answers, ignored = self.counted(answers)
        calculated, firings, warnings = self.infer(answers)
        return _AdviceBuilder(self, answers, calculated, firings).build(scenario, warnings, given, ignored)

    def resolve_all(self, firings: Firings, base: dict[str, Any]) -> dict[str, Resolution | None]:
        """Each decision's resolution; None when the decision is not in play.

        `base`: answers and calculated values (derived facts come from `firings`)."""
        facts = expand_facts({**base, **firings.derived})
        # The fired rules of each decision, in file order (resolution policies depend on it): `fired` is
        # already in that order.
        by_decision: dict[str, list[Rule]] = {}
        for rule_id in firings.fired:
            entry = self.rulebase.rule(rule_id)
            if entry.decision is not None:
                by_decision.setdefault(entry.decision, []).append(entry.rule)
        out: dict[str, Resolution | None] = {}
        for decision in self.rulebase.decisions:
            if decision.id in self._applies and not condition_holds(self._applies[decision.id], facts, expanded=True):
                out[decision.id] = None
            else:
                # Tie-breaks (`fallback.prefer`) apply once no question feeding the decision is open; a question
                # that is not asked for these answers cannot be answered, so it does not keep a tie open.
                # (Only worked out for decisions that have tie-breaks: it is on every evaluation's path.)
                asks = self._decision_asks[decision.id] if decision.fallback.prefer else None
                settled = asks is not None and all(
                    q in base or (q in self._ask_when and not condition_holds(self._ask_when[q], facts, expanded=True))
                    for q in asks)
                out[decision.id] = resolve(decision, by_decision.get(decision.id, []), settled=settled)
        return out

    def outcomes(self, answers: Answers) -> dict[str, tuple[str, str | None]]:
        """(status, recommended option) per decision, without building the full Advice (for what-if runs)."""
        answers, _ = self.counted(answers)
        calculated, firings, _ = self.infer(answers)
        base = {**answers.known, **{c: v.value for c, v in calculated.items()}}
        return {d: ("not_applicable", None) if r is None else (r.status, r.recommended)
                for d, r in self.resolve_all(firings, base).items()}

    # ---- which questions feed which decision --------------------------------------------------
    def calculators_feeding(self, decisions: set[str]) -> set[str]:
        """Calculators whose values the given decisions' rules (or applicability) read, directly or not."""
        return {c for d in decisions for c in self._decision_calculators[d]}


class _AdviceBuilder:
    # The inner result objects are built with model_construct: every value comes from validated rule files
    # and answers, and re-validating hundreds of nested objects per scenario dominated evaluation time.
    # The top-level Advice is still validated, and snapshot tests pin the JSON.
    def __init__(self, advisor: Advisor, answers: Answers, calculated: dict[str, Calculated], firings: Firings) -> None:
        self.advisor, self.rb = advisor, advisor.rulebase
        self.answers, self.calculated, self.firings = answers, calculated, firings
        self.facts: dict[str, Any] = {**answers.known, **{c: v.value for c, v in calculated.items()},
                                      **firings.derived}
        self._relevant: set[str] | None = None
        self._matched: dict[str, list[Binding]] = {}
        self._verdicts: dict[tuple[str, str], Verdict] = {}
        self._derived_by: dict[str, list[str]] = {}
        """Derived fact -> the fired rules that derived it."""
        self._deriving: dict[str, list[Binding]] = {}
        """Fired rule that derived a fact -> the bindings it matched."""

    def binding(self, fact: str, value: Any) -> Binding:
        label = self.rb.fact_label(fact)
        if value is None:
            return Binding.of(fact=fact, value=None, source="unknown", display="unknown", label=label)
        kind = self.rb.fact_kind(fact)
        shown = self.facts.get(fact, value)
        return Binding.of(fact=fact, value=shown, source=kind,  # type: ignore[arg-type]
                          display=self.show(fact, shown), label=label)

    def show(self, fact: str, value: Any) -> str:
        """A fact's value in words: with the question's unit or choice label, or the calculator's unit."""
        calculator = self.rb.calculators.get(fact)
        return show_value(value, self.rb.questions.get(fact), calculator.calculator.unit if calculator else "")

    def rests_on(self, bindings: list[Binding]) -> list[Binding]:
        return trace_back(bindings, self._derived_by, self._deriving)

    def matched(self, rule_id: str) -> list[Binding]:
        # One list per rule and evaluation: the same bindings appear in the trace, the verdicts and why-not.
        if rule_id not in self._matched:
            self._matched[rule_id] = [self.binding(f, v) for f, v in self.firings.fired[rule_id].bindings]
        return self._matched[rule_id]

    def depths(self) -> dict[str, int]:
        depth: dict[str, int] = {}
        fact_depth: dict[str, int] = {}
        for _ in range(len(self.firings.fired) + 1):
            changed = False
            for rule_id, firing in self.firings.fired.items():
                deps = [fact_depth.get(f) for f, _ in firing.bindings if f in self.firings.derived]
                if any(d is None for d in deps):
                    continue
                new = 1 + max(deps) if deps else 0  # type: ignore[type-var]
                if depth.get(rule_id) != new:
                    depth[rule_id] = new
                    changed = True
                    for fact, _ in self.advisor.compiled.derives.get(rule_id, ()):
                        if fact_depth.get(fact, 10**9) > new:
                            fact_depth[fact] = new
            if not changed:
                break
        return depth

    def build(self, scenario: ScenarioRef, warnings: list[str], given: Answers | None = None,
              ignored: list[str] | None = None) -> Advice:
        depth = self.depths()
        trace: list[FiredRule] = []
        for rule_id in self.firings.fired:
            entry = self.rb.rule(rule_id)
            rule = entry.rule
            trace.append(FiredRule.of(rule_id=rule_id, title=rule.title, decision=entry.decision,
                                   depth=depth.get(rule_id, 0), matched=self.matched(rule_id),
                                   condition=self.advisor.condition_text[rule_id],
                                   effects=list(self.advisor.effects_text[rule_id]),
                                   strength=rule.strength, reasoning=rule.reasoning,
                                   note_conflict=rule.note_conflict, citations=list(rule.citations),
                                   sources=list(rule.sources), freshness=list(rule.freshness)))
        resolutions = self.advisor.resolve_all(self.firings, self.facts)
        # Verdicts on decisions that are not in play would only be noise; derivations always count.
        trace = [f for f in trace if f.decision is None or resolutions[f.decision] is not None
                 or self.rb.rule(f.rule_id).rule.derive]
        trace.sort(key=lambda f: (f.depth, self.rb.rule(f.rule_id).order))
        shown_calculators = self.advisor.calculators_feeding(
            {d for d, r in resolutions.items() if r is not None}) | {
            b.fact for f in trace for b in f.matched if b.source == "calculated"}
        derived = [self.calculated_fact(c, calc) for c, calc in self.calculated.items() if c in shown_calculators]
        self._derived_by = {fact: [r for r in self.rb.derived_by.get(fact, []) if r in self.firings.fired]
                            for fact in self.firings.derived}
        self._deriving = {r: self.matched(r) for by in self._derived_by.values() for r in by}
        for fact, value in self.firings.derived.items():
            derived.append(DerivedFact.of(fact=fact, value=value, source="derived", derived_by=self._derived_by[fact],
                                          display=self.show(fact, value),
                                          based_on=self.rests_on([self.binding(fact, value)])))
        decisions = [self.decision(d, resolutions[d.id]) for d in self.rb.decisions]
        answers = [AnswerRecord.of(question=q, prompt=self.rb.questions[q].prompt, value=v,
                                   display=show_value(v, self.rb.questions[q]))
                   for q, v in sorted(self.answers.known.items(), key=lambda kv: self._q_order(kv[0]))]
        # .of: every part is built here from validated rules and answers (validating the whole tree again
        # cost more than the rest of building it)
        return Advice.of(scenario=scenario, ruleset=self.rb.digest, rules=self.advisor.rules_label,
                         engine=self.advisor.engine_name, answers=answers,
                         unknown=sorted(self.answers.unknown, key=self._q_order),
                         ignored=self.ignored(given or self.answers, ignored or []), derived=derived,
                         decisions=decisions, trace=trace, outdated=self.outdated(trace, derived), warnings=warnings)

    def outdated(self, trace: list[FiredRule], derived: list[DerivedFact]) -> list[OutdatedFact]:
        """The notes' statements AWS has changed that this advice rests on: fired rules, then calculators."""
        entries = [(f.rule_id, self.rb.rule(f.rule_id).rule.sources, f.freshness) for f in trace]
        entries += [(d.fact, self.rb.calculators[d.fact].calculator.sources,
                     self.rb.calculators[d.fact].calculator.freshness)
                    for d in derived if d.source == "calculated"]
        out = []
        for by, sources, records in entries:
            for record in records:
                source = next(s for s in sources if s.url == record.source)
                out.append(OutdatedFact.of(by=by, notes_say=record.notes_say, aws_says=record.aws_says, source=source))
        return out

    def calculated_fact(self, calc_id: str, calc: Calculated) -> DerivedFact:
        calculator = self.rb.calculators[calc_id].calculator
        return DerivedFact.of(fact=calc_id, value=calc.value, source="calculated", derived_by=[calc_id],
                              label=calculator.label, unit=calculator.unit, formula=calculator.formula,
                              inputs=dict(calc.inputs), display=self.show(calc_id, calc.value),
                              based_on=[self.binding(name, value) for name, value in calc.inputs.items()],
                              reasoning=calculator.reasoning, citations=list(calculator.citations))

    def ignored(self, given: Answers, ignored: list[str]) -> list[IgnoredAnswer]:
        out = []
        for qid in ignored:
            question = self.rb.questions[qid]
            value = given.known.get(qid)
            assert question.ask_when is not None  # only conditional questions can be hidden
            out.append(IgnoredAnswer.of(
                question=qid, prompt=question.prompt, value=value, display=show_value(value, question),
                asked_when=describe_condition(question.ask_when)))
        return out

    def _q_order(self, qid: str) -> int:
        return self.advisor.question_order[qid]

    def decision(self, decision: Decision, res: Resolution | None) -> DecisionAdvice:
        if res is None and decision.id in self.advisor.not_in_play:
            return self.advisor.not_in_play[decision.id]
        base: dict[str, Any] = dict(id=decision.id, title=decision.title, question=decision.question,
                                    area=decision.area, stage=decision.stage or "", recommended=None, strength=None,
                                    assumption="", ask=[], conflicts=[], why_not=[], what_if=[], what_if_checked=False,
                                    fragile_on=[], deciding=[], drivers=[])
        if res is None:
            applies = self.advisor.condition_text.get(applies_id(decision.id), "")
            self.advisor.not_in_play[decision.id] = DecisionAdvice.of(
                **base, status="not_applicable", alternatives=[], excluded=[],
                summary=f"Not in play: it applies when {applies}.")
            return self.advisor.not_in_play[decision.id]
        recommended = self.assess(decision, res, res.recommended) if res.recommended else None
        together = [self.assess(decision, res, o) for o in res.companions]
        alternatives = [self.assess(decision, res, o) for o in res.candidates
                        if o != res.recommended and o not in res.companions]
        excluded = [self.assess(decision, res, o) for o in res.excluded]
        wants_answers = res.status == "undecided" or res.strength == "default"
        # Exclusions are final (more answers only add verdicts), so when every option is out, asking is moot.
        ask = self.ask(decision) if wants_answers and res.candidates else []
        base.update(status=res.status, recommended=recommended, strength=res.strength,
                    assumption=res.assumption if res.strength == "default" else "",
                    summary=self.summary(decision, res, ask), together=together, alternatives=alternatives,
                    excluded=excluded, ask=ask, conflicts=list(res.conflicts), why_not=self.why_not(decision, res),
                    deciding=list(res.deciding), drivers=self.rests_on(
                        [b for option in [recommended, *together, *alternatives, *excluded] if option
                         for verdict in option.verdicts for b in verdict.matched]))
        return DecisionAdvice.of(**base)

    def why_not(self, decision: Decision, res: Resolution) -> list[WhyNot]:
        out: list[WhyNot] = []
        winner = res.recommended
        labels = {o.id: o.label for o in decision.options}
        for option in decision.options:
            if option.id == winner or option.id in res.companions:
                continue
            against = [self.verdict(v) for v in res.verdicts[option.id] if not v.supports]
            score = res.scores[option.id]
            if option.id in res.excluded:
                rules = ", ".join(v.rule_id for v in against if v.kind == "exclude")
                reason = f"ruled out by {rules}"
            elif winner is None:
                reason = f"still possible (score {score:g}); the decision is open: {res.reason}"
            elif decision.policy == "first":
                reason = f"an earlier rule in file order recommends {labels[winner]} (policy: first match)"
            elif res.strength == "must" and res.reason == "required":
                reason = f"{labels[winner]} is required"
            elif res.strength == "default":
                reason = f"nothing set it apart from the default {labels[winner]} (score {score:g})"
            else:
                reason = f"scored {score:g} against {res.scores[winner]:g} for {labels[winner]}"
            if against and option.id not in res.excluded:
                reason += "; weighed down by " + ", ".join(v.rule_id for v in against)
            out.append(WhyNot.of(option=option.id, label=option.label, reason=reason, verdicts=against))
        return out

    def assess(self, decision: Decision, res: Resolution, option_id: str) -> OptionAssessment:
        option = next(o for o in decision.options if o.id == option_id)
        return OptionAssessment.of(option=option.id, label=option.label, summary=option.summary,
                                score=res.scores[option.id],
                                verdicts=[self.verdict(v) for v in res.verdicts[option.id]])

    def verdict(self, v: RuleVerdict) -> Verdict:
        key = (v.rule.id, v.kind)
        if key not in self._verdicts:  # verdict objects are immutable, so options and why-not can share them
            self._verdicts[key] = Verdict.of(
                rule_id=v.rule.id, kind=v.kind, strength=v.rule.strength, weight=v.weight,
                reasoning=v.rule.reasoning, matched=self.matched(v.rule.id), citations=list(v.rule.citations),
                sources=list(v.rule.sources), freshness=list(v.rule.freshness))
        return self._verdicts[key]

    def ask(self, decision: Decision) -> list[QuestionRef]:
        if self._relevant is None:
            self._relevant = {q.id for q in self.advisor.relevant_questions(self.answers)}
        relevant = self._relevant
        feeding = self.advisor._decision_asks[decision.id]
        open_questions = [q for q in feeding if q not in self.answers.known]
        first = [q for q in decision.fallback.ask if q not in self.answers.known]
        ordered = list(dict.fromkeys(first + [q for q in open_questions if q in relevant]
                                     + [q for q in open_questions if q not in relevant]))
        return [QuestionRef.of(id=q, prompt=self.rb.questions[q].prompt) for q in ordered[:MAX_ASK]]

    def summary(self, decision: Decision, res: Resolution, ask: list[QuestionRef]) -> str:
        labels = {o.id: o.label for o in decision.options}
        if res.status == "out_of_scope":
            return f"Outside what this advisor covers: {res.reason}."
        if res.status == "undecided":
            detail = "; ".join(res.conflicts) if res.conflicts else res.reason
            if res.reason.startswith("nothing separates "):
                detail = "nothing separates " + ", ".join(labels[o] for o in res.candidates
                                                          if res.scores[o] == res.scores[res.candidates[0]])
            questions = " / ".join(q.prompt for q in ask)
            return f"Undecided ({detail})" + (f". To decide, answer: {questions}" if questions else ".")
        option = next(o for o in decision.options if o.id == res.recommended)
        name = " together with ".join([option.label, *(labels[o] for o in res.companions)])
        if res.strength == "default":
            return f"{name}, by default: {res.assumption}"
        if res.deciding:
            return f"{name}: {self.rb.rule(res.deciding[0]).rule.title}."
        if res.excluded:
            return f"{name}: the other options are ruled out."
        return f"{name}."
