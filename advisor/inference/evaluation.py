"""Answers -> calculated facts -> inference -> resolution -> Advice (plain data).

`Advisor` is the one object the CLI, the TUI and the tests use: it owns the
loaded rule base, its compiled form and an inference engine.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter, is_
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from mypy_extensions import mypyc_attr

from advisor.inference.backends import EngineBackend, choose_engine, create_backend, engine_plans
from advisor.inference.collector_pause import collector_paused
from advisor.inference.compiler import (
    CompiledRuleset,
    Conjunct,
    Test,
    applies_id,
    base_fact,
    compile_rulebase,
    drop_choices,
    expand_facts,
    to_dnf,
)
from advisor.inference.firing import Firings
from advisor.inference.memo import BoundedMemo
from advisor.inference.numbers import shared_number
from advisor.inference.predicates import Conditions, literal_holds
from advisor.inference.provenance import trace_back
from advisor.inference.resolution import Resolution, RuleVerdict, resolve, verdicts_of
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
from advisor.models.decision import Decision, Rule
from advisor.models.questionnaire import Question, QuestionnaireView
from advisor.shared.wording import describe_condition, show_value
from advisor.sources.answers import Answers, LoadedScenario, check_answers, load_scenario
from advisor.sources.formula import EVALUATION_ERRORS, failure_reason
from advisor.sources.locations import BUNDLED
from advisor.sources.rulebase import RuleBase, load_rulebase
from advisor.sources.schema import scenario_schema_of

MAX_ASK = 8
BINDINGS_KEPT = 10_000
_BY_REPR = (float, list)
"""Values kept apart by their repr in memo keys (-0.0 and 0.0 are equal keys; lists are not hashable)."""

_LARGEST_FLOAT = int(sys.float_info.max)
"""As a whole number: compared with a whole number exactly (mypyc converts an int compared with a float to float,
which overflows beyond this)."""


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


@mypyc_attr(serializable=True)  # kept in the compiled rule base cache (advisor.inference.compiler._Pickled)
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


def _nothing_without_inputs(formula: Any) -> bool:
    """Whether the formula yields None, and so no value and no warning, when none of its inputs is known. Not
    every formula does: a fallback can give a value without its inputs, and a part made of constants can fail.
    A formula is a pure function of its inputs, so this holds for every evaluation once it holds here."""
    try:
        return formula.value(dict.fromkeys(formula.names)) is None
    except Exception:  # any failure (EVALUATION_ERRORS or other): the calculator keeps being evaluated each time
        return False


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
        self._decision_asks = ready.decision_asks
        self._decision_ask_sets = {d: frozenset(asks) for d, asks in ready.decision_asks.items()}
        self._ask_when = ready.ask_when
        self.condition_text = ready.condition_text
        self.effects_text = ready.effects_text
        self._applies = ready.applies
        self._ask_conditions = Conditions({q: rb.questions[q].ask_when for q in ready.ask_when},  # type: ignore[misc]
                                          ready.ask_when)
        """Each question's ask_when, interpreted or compiled (predicates.Conditions); `failing` lists the hidden
        questions."""
        self._ask_reads = {q: frozenset(base_fact(lit.fact) for conj in dnf for lit in conj)
                           for q, dnf in ready.ask_when.items()}
        """Each question's ask_when -> the facts (questions) it reads."""
        self._ask_readers: dict[str, list[str]] = {}
        """Fact (question) -> the questions whose ask_when reads it."""
        for q, reads in self._ask_reads.items():
            for fact in reads:
                self._ask_readers.setdefault(fact, []).append(q)
        derived = {fact for derives in ready.compiled.derives.values() for fact, _ in derives}
        self._may_match_derived = frozenset(v.rule for v in ready.compiled.variants
                                            if any(fact in derived for fact, _ in ready.compiled.binding_plans[v.name]))
        """The rules one of whose alternatives binds a fact rules derive: only their firings can sit deeper than
        0 in the trace (_AdviceBuilder.depths)."""
        self._ask_reads_answers_only = all(reads.isdisjoint(rb.calculators) and reads.isdisjoint(derived)
                                           for reads in self._ask_reads.values())
        """No ask_when reads a calculated or derived fact: the questions hidden by the answers that count are the
        questions hidden once calculated and derived facts join them (Resolver.hidden)."""
        self._applies_conditions = Conditions({d: rb.decision(d).applies_when for d in ready.applies},  # type: ignore[misc]
                                              ready.applies, order=[d.id for d in rb.decisions])
        """Each decision's applicability; `holding` lists the decisions in play, in rule base order."""
        self._decision_ids = tuple(d.id for d in rb.decisions)
        self._decision_position = {d: i for i, d in enumerate(self._decision_ids)}
        self._calculator_decisions = {c: frozenset(d for d, fed in ready.decision_calculators.items() if c in fed)
                                      for c in rb.calculators}
        """Calculator -> the decisions whose rules (or applicability) read it: shown when one of them is in play."""
        self._calculators = tuple((c, e.formula, e.formula.names, _nothing_without_inputs(e.formula))
                                  for c, e in rb.calculators.items())
        """(calculator, formula, its inputs, whether it yields nothing when none of them is known), in rule base
        order: a heavy scenario knows no input of about 12 of its 20 calculators, a batch file of 15, and `calculate`
        skips those at once instead of evaluating them (which would give the same None, without a warning)."""
        self.not_in_play: dict[str, DecisionAdvice] = {}
        """The (immutable) advice for each decision when it is not in play, built once on first use."""
        self.derived_once: dict[str, Any] = {}
        """Where analyses built on this advisor keep what they derive from its rules once, by a name of their own
        (what-if's thresholds and outcome keys): the class takes no new attributes once compiled with mypyc."""
        self.bindings = BoundedMemo(BINDINGS_KEPT)
        """(fact, kind and value) -> its Binding: immutable and the same in every evaluation, so made once
        (advisor.inference.memo)."""
        self.options = {d.id: {o.id: o for o in d.options} for d in rb.decisions}
        self.option_labels = {d.id: {o.id: o.label for o in d.options} for d in rb.decisions}
        self.decisions = {d.id: d for d in rb.decisions}
        self.rule_decision = {e.id: (e.decision, e.rule) for e in rb.rules}
        """Rule id -> (the decision whose file holds it or None, the rule)."""
        self.rule_decision_id = {e.id: e.decision for e in rb.rules}
        self._rule_verdicts = {e.id: verdicts_of(e.rule) for e in rb.rules}
        self.answer_records = BoundedMemo(BINDINGS_KEPT)
        """Like `bindings`: the record of an answer (counted or not), made once per question and value."""
        self.resolutions = BoundedMemo()
        """(decision, settled, its fired rules' ids) -> its Resolution: all that `resolve` reads."""
        self.decision_advice = BoundedMemo()
        """A decision in play's advice, keyed by all it is built from (_AdviceBuilder.decision)."""
        self.decision_parts = BoundedMemo()
        """(decision, option) -> the assessment of an option with no verdicts, (decision, option, reason) -> a why-not
        with no verdict against: what a decision built again (_AdviceBuilder._decision) finds made."""
        self.decision_plans = BoundedMemo()
        """Resolution's key -> what the decision's advice takes from its resolution alone (_Plan)."""
        self.fired_entries = BoundedMemo()
        """(rule, depth, its bindings' keys) -> its FiredRule."""
        self.verdicts = BoundedMemo()
        """(rule, kind of verdict, its bindings' keys) -> its Verdict."""
        self.outdated_by: dict[str, tuple[OutdatedFact, ...]] = {}
        """Rule or calculator id -> the OutdatedFacts of its freshness records, made on first use (one per rule base
        at most)."""
        self.question_refs = {q.id: QuestionRef.of(id=q.id, prompt=q.prompt) for q in rb.questions.values()}
        self.asked_when_text: dict[str, str] = {}
        self._ask_when_literals: dict[str, tuple[tuple[tuple[str, str, Test | None], ...], ...]] = {}
        """Conditional question -> its ask_when in words, worked out on first use (once per question)."""

    def ask_when_literals(self, qid: str) -> tuple[tuple[tuple[str, str, Test | None], ...], ...]:
        """A conditional question's ask_when, as its alternatives' (base fact, fact, test) triples, made on first
        use."""
        made = self._ask_when_literals.get(qid)
        if made is None:
            made = self._ask_when_literals[qid] = tuple(tuple((base_fact(lit.fact), lit.fact, lit.test) for lit in conj)
                                                        for conj in self._ask_when[qid])
        return made

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
        hidden = set(self._ask_conditions.failing()(expand_facts(answers.known)))
        return [q for q in self.rulebase.questions.values() if q.id not in hidden]

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
        counted, dropped, _, _ = self._counted(answers)
        return counted, dropped

    def _counted(self, answers: Answers) -> tuple[Answers, list[str], dict[str, Any], frozenset[str] | None]:
        """counted, the answers that count as ask_when reads them (expand_facts) and the questions hidden for
        them, all from its last pass (None for a few answers: see _counted_one_by_one).

        The first pass finds every hidden question in one call (Conditions.failing). Facts only go away, so a later
        pass tests again only the answered questions whose ask_when reads an answer that went; it drops those now
        hidden. The other questions whose ask_when reads an answer that went (most of them: answers already dropped,
        questions not answered) can drop nothing, so they are tested once, on the final facts, for `hidden`. Each
        pass makes the answers that still count, and their facts, again rather than taking out what went: about
        100 of 150 answers go in a heavy scenario's first pass."""
        known, unknown = dict(answers.known), set(answers.unknown)
        if 3 * (len(known) + len(unknown)) < len(self._ask_reads):
            return self._counted_one_by_one(answers)
        facts = expand_facts(known)
        hidden = set(self._ask_conditions.failing()(facts))
        gone = hidden.intersection(known)
        if unknown:
            gone |= hidden & unknown
        if not gone:
            return answers, [], facts, frozenset(hidden)
        checks, readers = self._ask_conditions.checks(), self._ask_readers
        went: set[str] = set()
        unanswered: set[str] = set()  # not answered (or no longer), reading an answer that went: tested at the end
        while gone:
            went |= gone
            known = {q: v for q, v in known.items() if q not in gone}
            facts = expand_facts(known)
            unknown -= gone
            again = set(itertools.chain.from_iterable([readers[q] for q in gone if q in readers]))
            gone = set()
            for q in again:
                if q not in known and q not in unknown:
                    unanswered.add(q)
                elif checks[q](facts):
                    hidden.discard(q)
                else:
                    hidden.add(q)
                    gone.add(q)
        for q in unanswered:
            if checks[q](facts):
                hidden.discard(q)
            else:
                hidden.add(q)
        return Answers(known, frozenset(unknown)), self._dropped(went), facts, frozenset(hidden)

    def _counted_one_by_one(self, answers: Answers) -> tuple[Answers, list[str], dict[str, Any], None]:
        """_counted for a few answers (a fraction of the conditional questions): each answered question's ask_when
        tested on its own, a later pass testing only those that read an answer that went."""
        known, unknown = dict(answers.known), set(answers.unknown)
        asked = self._ask_conditions.checks()
        to_check: Any = (*known, *unknown)
        facts = expand_facts(known)
        went: set[str] = set()
        while True:
            hidden = [q for q in to_check if q in asked and not asked[q](facts)]
            if not hidden:
                break
            went.update(hidden)
            for q in hidden:
                value = known.pop(q, _ABSENT)
                if value is not _ABSENT:
                    facts.pop(q, None)
                    if isinstance(value, list):
                        drop_choices(facts, q, value)
                unknown.discard(q)
            # Facts only go away, so a question still shown stays shown unless its ask_when reads one that went.
            to_check = {q for gone in hidden for q in self._ask_readers.get(gone, ()) if q in known or q in unknown}
        if not went:
            return answers, [], facts, None
        return Answers(known, frozenset(unknown)), self._dropped(went), facts, None

    def _dropped(self, went: set[str]) -> list[str]:
        """The answered questions whose answers no longer count (`went`), in questionnaire order."""
        order = self.question_order
        return sorted([q for q in went if q in order], key=order.__getitem__)

    # ---- evaluation ----------------------------------------------------------------------------
    def calculate(self, answers: Answers, earlier: tuple[Answers, dict[str, Calculated]] | None = None,
                  ) -> tuple[dict[str, Calculated], list[str]]:
        """Every calculator's value (those that cannot be calculated are left out, with a warning when a formula
        fails). `earlier`: answers and what was calculated from them (what-if runs): a calculator none of whose
        inputs changed keeps its earlier value, and only a new failure is warned about."""
        values: dict[str, Any] = dict(answers.known)
        out: dict[str, Calculated] = {}
        warnings: list[str] = []
        changed: set[str] | None = None
        if earlier is not None:
            before = earlier[0].known
            changed = {q for q in before.keys() | values.keys()
                       if not same_value(before.get(q, _ABSENT), values.get(q, _ABSENT))}
        known = values.keys()
        for calc_id, formula, names, inert in self._calculators:
            if changed is not None and earlier is not None and changed.isdisjoint(names):
                if calc_id in earlier[1]:
                    values[calc_id] = earlier[1][calc_id].value
                    out[calc_id] = earlier[1][calc_id]
                continue
            if inert and known.isdisjoint(names):
                result = None  # what the formula gives without its inputs (_nothing_without_inputs)
            else:
                numbers = {n: values.get(n) for n in names}
                result = self._calculate_one(calc_id, formula, numbers, warnings)
                if result is not None:
                    values[calc_id] = result
                    out[calc_id] = Calculated(result, numbers)
            if changed is not None and earlier is not None:
                previous = earlier[1].get(calc_id)
                if not same_value(previous.value if previous else _ABSENT, _ABSENT if result is None else result):
                    changed.add(calc_id)
        return out, warnings

    @staticmethod
    def _calculate_one(calc_id: str, formula: Any, numbers: dict[str, Any], warnings: list[str]) -> Any:
        """The value of one formula, or None when it cannot be calculated (a warning says why, on failure)."""
        try:
            result = formula.value(numbers)  # None: an input is unknown
        except EVALUATION_ERRORS as exc:
            # A team's formula can fail for some answers (x / 0, ceil of an infinity): the calculated
            # fact stays unknown, as if an input were, and the advice says why.
            warnings.append(f"{calc_id} could not be calculated from {numbers} ({failure_reason(exc)}); "
                            "it is treated as unknown")
            return None
        if result is None:
            return None
        if isinstance(result, int) and abs(result) >= 2**53:
            result = float(result) if abs(result) <= _LARGEST_FLOAT else math.inf  # as the engine reads it
        if isinstance(result, float):
            if not math.isfinite(result):
                warnings.append(f"{calc_id} is not a finite number with the answers given; "
                                "it is treated as unknown")
                return None
            result = int(result) if result.is_integer() and abs(result) < 2**53 else round(result, 6)
        return result

    def infer(self, answers: Answers, calculated: dict[str, Calculated] | None = None,
              ) -> tuple[dict[str, Calculated], Firings, list[str]]:
        """Calculated values, the firings and warnings; `calculated`: already worked out for these answers."""
        warnings: list[str] = []
        if calculated is None:
            calculated, warnings = self.calculate(answers)
        return calculated, self.engine.run(self.engine_facts(answers, calculated)), warnings

    @staticmethod
    def engine_facts(answers: Answers, calculated: dict[str, Calculated]) -> dict[str, Any]:
        """The facts every engine is given: answers and calculated values in their shared form, expanded."""
        facts = {q: shared_number(v) for q, v in answers.known.items()}
        facts.update({c: shared_number(calc.value) for c, calc in calculated.items()})
        return expand_facts(facts)

    @staticmethod
    def _engine_facts_from(answers: Answers, answer_facts: dict[str, Any], calculated: dict[str, Calculated],
                           ) -> dict[str, Any]:
        """engine_facts(answers, calculated), the same facts in the same order, from answer_facts, which is
        expand_facts(answers.known) (Advisor._counted): its facts per picked choice are taken as they are, after
        the answers (a question id never holds compiler.ELEMENT), and only the answers shared_number changes
        (floats) are made again."""
        known = answers.known
        facts = dict(known)
        for q, value in known.items():
            if isinstance(value, float):
                facts[q] = shared_number(value)
        facts.update({c: shared_number(calc.value) for c, calc in calculated.items()})
        if len(answer_facts) > len(known):
            facts.update(itertools.islice(answer_facts.items(), len(known), None))
        return facts

    def evaluate(self, loaded: LoadedScenario) -> Advice:
        return self.advise(loaded.answers, ScenarioRef.of(id=loaded.id, title=loaded.scenario.title,
                                                          description=loaded.scenario.description,
                                                          source=loaded.source))

    def advise(self, answers: Answers, scenario: ScenarioRef) -> Advice:
        given = answers
        with collector_paused:  # an evaluation makes no reference cycles: see collector_pause.py
            answers, ignored, answer_facts, hidden = self._counted(answers)
            calculated, warnings = self.calculate(answers)
            firings = self.engine.run(self._engine_facts_from(answers, answer_facts, calculated))
            return _AdviceBuilder(self, answers, calculated, firings, answer_facts, hidden).build(scenario, warnings,
                                                                                                   given, ignored)

    def resolve_all(self, firings: Firings, base: dict[str, Any]) -> dict[str, Resolution | None]:
        """Each decision's resolution; None when the decision is not in play.

        `base`: answers and calculated values (derived facts come from `firings`)."""
        return self.resolver(firings, base).resolve_all()

    def resolver(self, firings: Firings, base: dict[str, Any], hidden: frozenset[str] | None = None,
                 facts: dict[str, Any] | None = None) -> Resolver:
        """Resolves decisions one at a time (resolve_all, or what-if runs that need a few). `hidden`: the questions
        not asked for these facts, when the caller knows them; `facts`: expand_facts of base and the derived facts,
        when the caller has them."""
        return Resolver(self, firings, base, hidden, facts)

    def outcomes(self, answers: Answers) -> dict[str, tuple[str, str | None]]:
        """(status, recommended option) per decision, without building the full Advice (for what-if runs)."""
        with collector_paused:
            answers, _ = self.counted(answers)
            calculated, firings, _ = self.infer(answers)
            base = {**answers.known, **{c: v.value for c, v in calculated.items()}}
            return {d: ("not_applicable", None) if r is None else (r.status, r.recommended)
                    for d, r in self.resolve_all(firings, base).items()}

    # ---- which questions feed which decision --------------------------------------------------

class Resolver:
    """The resolution of each decision for one inference run: see Advisor.resolve_all."""

    def __init__(self, advisor: Advisor, firings: Firings, base: dict[str, Any],
                 hidden: frozenset[str] | None = None, facts: dict[str, Any] | None = None) -> None:
        self.advisor, self.base = advisor, base
        self.facts = expand_facts({**base, **firings.derived}) if facts is None else facts
        # The ids of each decision's fired rules, in file order (resolution policies depend on it): `fired` is
        # already in that order. (The rules themselves are looked up only for a resolution to make.)
        self.fired_ids: dict[str, list[str]] = {}
        fired_ids, decision_of = self.fired_ids, advisor.rule_decision_id
        for rule_id in firings.fired:
            decision = decision_of[rule_id]
            if decision is not None:
                if decision in fired_ids:
                    fired_ids[decision].append(rule_id)
                else:
                    fired_ids[decision] = [rule_id]
        self._hidden = hidden
        """The questions not asked for these facts (their ask_when fails), when known all at once."""
        self._hidden_one: dict[str, bool] = {}
        """Else question -> whether it is hidden, worked out once per question (decisions share questions)."""
        self.keys: dict[str, tuple[Any, ...]] = {}
        """Decision in play -> what its resolution was made from (its key in Advisor.resolutions)."""

    def hidden(self, qid: str) -> bool:
        """Whether the question is not asked for these facts."""
        if self._hidden is not None:
            return qid in self._hidden
        made = self._hidden_one.get(qid)
        if made is None:  # not given (a few answers, what-if): only the questions read are tested
            check = self.advisor._ask_conditions.checks().get(qid)
            made = self._hidden_one[qid] = check is not None and not check(self.facts)
        return made

    def resolve_all(self) -> dict[str, Resolution | None]:
        """Every decision's resolution (None when it is not in play), in rule base order: the decisions in play
        come from one call (Conditions.holding), and only they are resolved."""
        out: dict[str, Resolution | None] = dict.fromkeys(self.advisor._decision_ids)
        decisions, in_play = self.advisor.decisions, self._in_play
        for did in self.advisor._applies_conditions.holding()(self.facts):
            out[did] = in_play(decisions[did])
        return out

    def resolve(self, decision: Decision) -> Resolution | None:
        applies = self.advisor._applies_conditions.checks().get(decision.id)
        if applies is not None and not applies(self.facts):
            return None
        return self._in_play(decision)

    def _in_play(self, decision: Decision) -> Resolution:
        did = decision.id
        # Tie-breaks (`fallback.prefer`) apply once no question feeding the decision is open; a question
        # that is not asked for these answers cannot be answered, so it does not keep a tie open.
        # (Only worked out for decisions that have tie-breaks: it is on every evaluation's path.)
        settled = False
        if decision.fallback.prefer:  # (the questions left open by the answers found in C: usually none or few)
            settled = all(map(self.hidden, self.advisor._decision_ask_sets[did].difference(self.base)))
        fired = self.fired_ids.get(did, ())
        key = self.keys[did] = (did, settled, *fired)
        made = self.advisor.resolutions.get(key)
        if made is None:  # the resolution reads only the decision, its fired rules (in file order) and `settled`
            rules = [self.advisor.rule_decision[rule_id][1] for rule_id in fired]
            made = self.advisor.resolutions.keep(key, resolve(decision, rules, settled, self.advisor._rule_verdicts))
        return made


_ABSENT = object()
_DEPTH = attrgetter("depth")


class _Plan(NamedTuple):
    """The part of a decision in play's advice that its resolution alone decides (_AdviceBuilder._plan)."""

    options: tuple[tuple[str, str, str, float, list[RuleVerdict]], ...]
    """(option, label, summary, score, verdicts) of the recommendation (if any), then its companions, the
    alternatives and the excluded options."""
    recommended: bool
    together: int
    alternatives: int
    assumption: str
    summary: str
    """The summary, or for an undecided decision its lead, which the questions to ask complete (_decision)."""
    why_not: tuple[tuple[str, str, str, list[RuleVerdict]], ...]
    """(option, label, reason, the verdicts against it) of each option not recommended."""


def same_value(a: Any, b: Any) -> bool:
    """The same fact value: of the same type and equal (a float by its repr: -0.0 is not 0.0 to a formula)."""
    if type(a) is not type(b):
        return False
    return repr(a) == repr(b) if isinstance(a, float) else bool(a == b)


class _AdviceBuilder:
    # The inner result objects are built with model_construct: every value comes from validated rule files
    # and answers, and re-validating hundreds of nested objects per scenario dominated evaluation time.
    # The top-level Advice is still validated, and snapshot tests pin the JSON.
    def __init__(self, advisor: Advisor, answers: Answers, calculated: dict[str, Calculated], firings: Firings,
                 answer_facts: dict[str, Any] | None = None, hidden: frozenset[str] | None = None) -> None:
        """`answer_facts`: expand_facts(answers.known), and `hidden`: the questions not asked for the answers, when
        the caller has them (Advisor.advise)."""
        self.advisor, self.rb = advisor, advisor.rulebase
        self.answers, self.calculated, self.firings = answers, calculated, firings
        self.facts: dict[str, Any] = {**answers.known, **{c: v.value for c, v in calculated.items()},
                                      **firings.derived}
        self._hidden = hidden
        """The questions not asked for these answers (their ask_when fails), when given."""
        self._relevant: dict[str, bool] = {}
        """Else question -> whether it is asked for these answers, worked out when needed."""
        self._answer_facts: dict[str, Any] | None = answer_facts  # the answers as ask_when reads them
        self._unlockers: dict[str, list[str]] = {}
        """Hidden question -> what shown_for gives for it (with nothing seen yet)."""
        self._matched: dict[str, list[Binding]] = {}
        self._shown: dict[str, list[Any]] = {}
        """Fired rule -> the values of the facts it matched, as its bindings show them (what `matched` reads)."""
        self._matched_keys: dict[str, tuple[tuple[str, type, Any], ...]] = {}
        """Fired rule -> the keys (`binding`) of the bindings it matched: what its part of the advice reads."""
        self._verdicts: dict[tuple[str, str], Verdict] = {}
        self._derived_by: dict[str, list[str]] = {}
        """Derived fact -> the fired rules that derived it."""
        self._deriving: dict[str, list[Binding]] = {}
        """Fired rule that derived a fact -> the bindings it matched."""
        self._depth: dict[str, int] | None = None
        """What `depths` gives, once worked out."""
        self._reading_derived: set[str] = set()
        """The fired rules that matched a derived fact (found by `depths`)."""

    def _expanded(self) -> dict[str, Any] | None:
        """expand_facts(self.facts) from the answers already expanded (about 150 of them in a heavy scenario):
        only the calculated and derived facts are expanded here. None when the answers were not given expanded."""
        if self._answer_facts is None:
            return None
        return {**self._answer_facts, **expand_facts({**{c: v.value for c, v in self.calculated.items()},
                                                      **self.firings.derived})}

    def binding(self, fact: str, value: Any) -> Binding:
        shown = None if value is None else self.facts.get(fact, value)
        # The type is part of the key (True, 1 and 1.0 are equal keys), and a float's repr (-0.0 == 0.0, nan)
        return self._binding_of((fact, type(shown), repr(shown) if isinstance(shown, _BY_REPR) else shown),
                                fact, shown)

    def _binding_of(self, key: tuple[str, type, Any], fact: str, shown: Any) -> Binding:
        made = self.advisor.bindings.get(key)
        if made is None:
            made = self._binding(fact, shown)
            self.advisor.bindings.keep(key, made)
        return made

    def _binding(self, fact: str, shown: Any) -> Binding:
        label = self.rb.fact_label(fact)
        if shown is None:
            return Binding.of(fact=fact, value=None, source="unknown", display="unknown", label=label)
        return Binding.of(fact=fact, value=shown, source=self.rb.fact_kind(fact),  # type: ignore[arg-type]
                          display=self.show(fact, shown), label=label)

    def show(self, fact: str, value: Any) -> str:
        """A fact's value in words: with the question's unit or choice label, or the calculator's unit."""
        calculator = self.rb.calculators.get(fact)
        return show_value(value, self.rb.questions.get(fact), calculator.calculator.unit if calculator else "")

    def rests_on(self, bindings: list[Binding]) -> list[Binding]:
        return trace_back(bindings, self._derived_by, self._deriving)

    def matched(self, rule_id: str) -> list[Binding]:
        # One list per rule and evaluation: the same bindings appear in the trace, the verdicts and why-not. Made
        # on first use: the memos find most trace entries and verdicts made by their keys, without the bindings.
        made = self._matched.get(rule_id)
        if made is None:
            keys, binding_of = self.matched_key(rule_id), self._binding_of
            made = self._matched[rule_id] = [binding_of(key, key[0], shown)
                                             for key, shown in zip(keys, self._shown[rule_id], strict=True)]
        return made

    def matched_key(self, rule_id: str) -> tuple[tuple[str, type, Any], ...]:
        """The keys of the bindings the fired rule matched: each binding is a function of its key."""
        made = self._matched_keys.get(rule_id)
        return made if made is not None else self._match(rule_id)

    def _match(self, rule_id: str) -> tuple[tuple[str, type, Any], ...]:
        facts, keys, shown_values = self.facts, [], []
        for fact, value in self.firings.fired[rule_id].bindings:
            shown = None if value is None else facts.get(fact, value)
            keys.append((fact, type(shown), repr(shown) if isinstance(shown, _BY_REPR) else shown))
            shown_values.append(shown)
        self._shown[rule_id] = shown_values
        made = self._matched_keys[rule_id] = tuple(keys)
        return made

    def derivation_key(self, rule_ids: Any) -> tuple[Any, ...]:
        """What `rests_on` reads beyond these rules' bindings: for each derived fact it follows back from them,
        the fired rules that derived it and their bindings' keys (in the order it meets them)."""
        if self._depth is None:
            self.depths()  # finds _reading_derived
        questions, calculators, reading = self.rb.questions, self.rb.calculators, self._reading_derived
        out: list[Any] = []
        # Only the rules that matched a derived fact lead anywhere (most match answers alone): the others' keys
        # are in the decision's key already.
        queue = [key for rule_id in rule_ids if rule_id in reading for key in self.matched_key(rule_id)]
        if not queue:
            return ()
        followed: set[str] = set()
        index = 0
        while index < len(queue):
            fact, kind, _ = queue[index]
            index += 1
            if kind is type(None) or fact in questions or fact in calculators:
                continue  # not a derived binding: trace_back stops there
            by = self._derived_by.get(fact, [])
            out.append((fact, *by))
            for rule_id in by:
                if rule_id not in followed:
                    followed.add(rule_id)
                    keys = self.matched_key(rule_id)
                    out.append(keys)
                    queue += keys
        return tuple(out)

    def depths(self) -> dict[str, int]:
        """Each fired rule's depth: 0 when it matched no derived fact, else one more than the smallest depth
        at which each derived fact it matched was derived (the deepest of those). Rules that matched no derived
        fact are settled first; the others are worked out to a fixpoint (depths only ever go down).
        Worked out once per evaluation."""
        if self._depth is not None:
            return self._depth
        fired, derived, derives = self.firings.fired, self.firings.derived, self.advisor.compiled.derives
        may = self.advisor._may_match_derived
        depth: dict[str, int] = {}
        fact_depth: dict[str, int] = {}
        waiting: list[tuple[str, list[str]]] = []
        for rule_id, firing in fired.items():
            deps = [f for f, _ in firing.bindings if f in derived] if derived and rule_id in may else None
            if deps:
                waiting.append((rule_id, deps))
                self._reading_derived.add(rule_id)
                continue
            depth[rule_id] = 0
            for fact, _ in derives.get(rule_id, ()):
                fact_depth[fact] = 0
        for _ in range(len(fired)):
            changed = False
            for rule_id, deps in waiting:
                if not all(f in fact_depth for f in deps):
                    continue
                new = 1 + max(fact_depth[f] for f in deps)
                if depth.get(rule_id) != new:
                    depth[rule_id] = new
                    changed = True
                    for fact, _ in derives.get(rule_id, ()):
                        if fact_depth.get(fact, 10**9) > new:
                            fact_depth[fact] = new
            if not changed:
                break
        self._depth = depth
        return depth

    def build(self, scenario: ScenarioRef, warnings: list[str], given: Answers | None = None,
              ignored: list[str] | None = None) -> Advice:
        depth = self.depths()
        # The questions hidden by the answers are those hidden once calculated and derived facts join them, unless
        # an ask_when reads a calculated value (the resolver then finds them over its own facts).
        resolver = self.advisor.resolver(self.firings, self.facts,
                                         self._hidden if self.advisor._ask_reads_answers_only else None,
                                         self._expanded())
        resolutions = resolver.resolve_all()
        fired_entries = self.advisor.fired_entries
        trace: list[FiredRule] = []
        rule_decision = self.advisor.rule_decision
        for rule_id in self.firings.fired:
            decision, rule = rule_decision[rule_id]
            # Verdicts on decisions that are not in play would only be noise; derivations always count.
            if decision is not None and resolutions[decision] is None and not rule.derive:
                continue
            key = (rule_id, depth.get(rule_id, 0), self.matched_key(rule_id))
            made = fired_entries.get(key)
            if made is None:  # a rule's entry reads only the rule, its depth and its bindings
                made = fired_entries.keep(key, FiredRule.of(
                    rule_id=rule_id, title=rule.title, decision=decision, depth=key[1],
                    matched=self.matched(rule_id), condition=self.advisor.condition_text[rule_id],
                    effects=list(self.advisor.effects_text[rule_id]), strength=rule.strength,
                    reasoning=rule.reasoning, note_conflict=rule.note_conflict, citations=list(rule.citations),
                    sources=list(rule.sources), freshness=list(rule.freshness)))
            trace.append(made)
        # By depth, then file position: `fired` is in file order already (firing.canonical), and the sort is stable.
        trace.sort(key=_DEPTH)
        # A calculated value is shown when it feeds a decision in play (most do), or a fired rule in the trace
        # matched it: the trace's bindings are looked at only for the others.
        in_play, feeding = resolver.keys.keys(), self.advisor._calculator_decisions
        unshown = {c for c in self.calculated if feeding[c].isdisjoint(in_play)}
        if unshown:
            unshown.difference_update([b.fact for f in trace for b in f.matched if b.source == "calculated"])
        derived = [self.calculated_fact(c, calc) for c, calc in self.calculated.items() if c not in unshown]
        self._derived_by = {fact: [r for r in self.rb.derived_by.get(fact, []) if r in self.firings.fired]
                            for fact in self.firings.derived}
        self._deriving = {r: self.matched(r) for by in self._derived_by.values() for r in by}
        for fact, value in self.firings.derived.items():
            derived.append(DerivedFact.of(fact=fact, value=value, source="derived", derived_by=self._derived_by[fact],
                                          label="", unit="", formula="", inputs={}, display=self.show(fact, value),
                                          based_on=self.rests_on([self.binding(fact, value)]), reasoning="",
                                          citations=[]))
        # In C, for the about 70 of 90 decisions not in play: their advice, made once (not_in_play); then the decisions
        # in play (those resolver.keys holds) take their places, and a decision not in play for the first time is built.
        advisor = self.advisor
        decisions: list[DecisionAdvice | None] = list(map(advisor.not_in_play.get, advisor._decision_ids))
        position, by_id = advisor._decision_position, advisor.decisions
        for did, made_from in resolver.keys.items():
            decisions[position[did]] = self.decision(by_id[did], resolutions[did], made_from)
        for i in itertools.compress(itertools.count(), map(is_, decisions, itertools.repeat(None))):
            decisions[i] = self.decision(self.rb.decisions[i], None)
        known = self.answers.known
        order = self.advisor.question_order.__getitem__
        answers = self.answer_records(sorted(known, key=order), known)
        # .of: every part is built here from validated rules and answers (validating the whole tree again
        # cost more than the rest of building it)
        return Advice.of(scenario=scenario, ruleset=self.rb.digest, rules=self.advisor.rules_label,
                         engine=self.advisor.engine_name, answers=answers,
                         unknown=sorted(self.answers.unknown, key=self._q_order),
                         ignored=self.ignored(given or self.answers, ignored or []), derived=derived,
                         decisions=cast(list[DecisionAdvice], decisions), trace=trace,
                         outdated=self.outdated(trace, derived), warnings=warnings,
                         review=None)  # (every field given: Output.of's fast path, not model_construct)

    def outdated(self, trace: list[FiredRule], derived: list[DerivedFact]) -> list[OutdatedFact]:
        """The notes' statements AWS has changed that this advice rests on: fired rules, then calculators."""
        out: list[OutdatedFact] = []
        for f in trace:
            if f.freshness:
                out += self._outdated_by(f.rule_id)
        for d in derived:
            if d.source == "calculated" and self.rb.calculators[d.fact].calculator.freshness:
                out += self._outdated_by(d.fact)
        return out

    def _outdated_by(self, by: str) -> tuple[OutdatedFact, ...]:
        """What a rule's or a calculator's freshness records say: read from the rule base alone, so made once per
        rule or calculator (Advisor.outdated_by) and shared by every advice that rests on it."""
        made = self.advisor.outdated_by.get(by)
        if made is None:
            calculator = self.rb.calculators.get(by)
            sources, records = ((calculator.calculator.sources, calculator.calculator.freshness) if calculator
                                else (self.rb.rule(by).rule.sources, self.rb.rule(by).rule.freshness))
            made = self.advisor.outdated_by[by] = tuple(
                OutdatedFact.of(by=by, notes_say=record.notes_say, aws_says=record.aws_says,
                                source=next(s for s in sources if s.url == record.source))
                for record in records)
        return made

    def calculated_fact(self, calc_id: str, calc: Calculated) -> DerivedFact:
        calculator = self.rb.calculators[calc_id].calculator
        return DerivedFact.of(fact=calc_id, value=calc.value, source="calculated", derived_by=[calc_id],
                           label=calculator.label, unit=calculator.unit, formula=calculator.formula,
                           inputs=dict(calc.inputs), display=self.show(calc_id, calc.value),
                           based_on=[self.binding(name, value) for name, value in calc.inputs.items()],
                           reasoning=calculator.reasoning, citations=list(calculator.citations))

    def answer_records(self, qids: Iterable[str], values: dict[str, Any], counted: bool = True) -> list[Any]:
        """The AnswerRecord of each counted answer (`values[qid]`), or the IgnoredAnswer of each that did not count:
        made once per question and value, like bindings (a heavy scenario has about 150 of them).

        The key holds the value's type (True, 1 and 1.0 are equal keys), a float or a list by its repr, as bindings;
        an ignored answer's key is one longer, so never the key of a counted one."""
        # In C, for the about 130 of 150 found made: the keys (zip), their lookups (map) and where the misses are
        # (compress); Python runs per answer only for the value part of its key and for a record to make.
        qids = list(qids)
        found = list(map(values.get, qids))
        shown = [repr(value) if isinstance(value, _BY_REPR) else value for value in found]
        kinds = list(map(type, found))
        keys = list(zip(qids, kinds, shown, strict=True) if counted else
                    zip(qids, kinds, shown, [None] * len(qids), strict=True))
        memo, questions = self.advisor.answer_records, self.rb.questions
        out = list(map(memo.get, keys))
        for i in itertools.compress(itertools.count(), map(is_, out, itertools.repeat(None))):  # out[i] is read first
            out[i] = memo.keep(keys[i], self._answer_record(questions[qids[i]], found[i], counted))
        return out

    def _answer_record(self, question: Question, value: Any, counted: bool) -> Any:
        if counted:
            return AnswerRecord.of(question=question.id, prompt=question.prompt, value=value,
                                   display=show_value(value, question))
        asked_when = self.advisor.asked_when_text.get(question.id)
        if asked_when is None:
            assert question.ask_when is not None  # only conditional questions can be hidden
            asked_when = self.advisor.asked_when_text[question.id] = describe_condition(question.ask_when)
        return IgnoredAnswer.of(question=question.id, prompt=question.prompt, value=value,
                                display=show_value(value, question), asked_when=asked_when)

    def ignored(self, given: Answers, ignored: list[str]) -> list[IgnoredAnswer]:
        return self.answer_records(ignored, given.known, counted=False)

    def _q_order(self, qid: str) -> int:
        return self.advisor.question_order[qid]

    def decision(self, decision: Decision, res: Resolution | None, made_from: tuple[Any, ...] = ()) -> DecisionAdvice:
        """`made_from`: the resolution's key in Advisor.resolutions (the decision, `settled`, its fired rules)."""
        if res is None and decision.id in self.advisor.not_in_play:
            return self.advisor.not_in_play[decision.id]
        ask: list[str] = []
        if res is not None:
            # Exclusions are final (more answers only add verdicts), so when every option is out, asking is moot.
            if (res.status == "undecided" or res.strength == "default") and res.candidates:
                ask = self.ask_ids(decision)
            if made_from:
                # Everything the advice of a decision in play reads: its resolution (a function of made_from),
                # the bindings of its fired rules, what they rest on through derived facts, and what to ask.
                fired = made_from[2:]
                key = (made_from, *ask, None, *[self.matched_key(r) for r in fired], self.derivation_key(fired))
                made = self.advisor.decision_advice.get(key)
                if made is None:
                    made = self.advisor.decision_advice.keep(key, self._decision(decision, res, ask, made_from))
                return made
        return self._decision(decision, res, ask)

    def _decision(self, decision: Decision, res: Resolution | None, ask_ids: list[str],
                  made_from: tuple[Any, ...] = ()) -> DecisionAdvice:
        if res is None:
            applies = self.advisor.condition_text.get(applies_id(decision.id), "")
            self.advisor.not_in_play[decision.id] = DecisionAdvice.of(
                id=decision.id, title=decision.title, question=decision.question, area=decision.area,
                stage=decision.stage or "", status="not_applicable", recommended=None, strength=None,
                assumption="", summary=f"Not in play: it applies when {applies}.", together=[], alternatives=[],
                excluded=[], ask=[], conflicts=[], why_not=[], what_if=[], what_if_checked=False, fragile_on=[],
                deciding=[], drivers=[])
            return self.advisor.not_in_play[decision.id]
        plan = self._plan(decision, res, made_from)
        # An option no fired rule speaks to, and a why-not with no verdict against, read nothing of the bindings: about
        # half of each, kept (decision_parts) rather than made again whenever the decision is built again.
        verdict, parts, did = self.verdict, self.advisor.decision_parts, decision.id
        options: list[OptionAssessment] = []
        for option, label, summary, score, verdicts in plan.options:
            if verdicts:
                options.append(OptionAssessment.of(option=option, label=label, summary=summary, score=score,
                                                   verdicts=[verdict(v) for v in verdicts]))
                continue
            made = parts.get((did, option))  # no verdicts: the score is 0 (an option's score sums its verdicts')
            if made is None:
                made = parts.keep((did, option), OptionAssessment.of(option=option, label=label, summary=summary,
                                                                     score=score, verdicts=[]))
            options.append(made)
        why_not: list[WhyNot] = []
        for option, label, reason, against in plan.why_not:
            if against:
                why_not.append(WhyNot.of(option=option, label=label, reason=reason,
                                         verdicts=[verdict(v) for v in against]))
                continue
            made = parts.get((did, option, reason))
            if made is None:
                made = parts.keep((did, option, reason), WhyNot.of(option=option, label=label, reason=reason,
                                                                   verdicts=[]))
            why_not.append(made)
        at = 1 if plan.recommended else 0
        together, rest = options[at:at + plan.together], options[at + plan.together:]
        ask = [self.advisor.question_refs[q] for q in ask_ids]
        summary = plan.summary
        if res.status == "undecided":
            asked = " / ".join([q.prompt for q in ask])
            summary += f". To decide, answer: {asked}" if asked else "."
        return DecisionAdvice.of(
            id=decision.id, title=decision.title, question=decision.question, area=decision.area,
            stage=decision.stage or "", status=res.status, recommended=options[0] if plan.recommended else None,
            strength=res.strength, assumption=plan.assumption, summary=summary, together=together,
            alternatives=rest[:plan.alternatives], excluded=rest[plan.alternatives:], ask=ask,
            conflicts=list(res.conflicts),
            why_not=why_not,
            what_if=[], what_if_checked=False, fragile_on=[], deciding=list(res.deciding),
            drivers=self.rests_on([b for option in options for v in option.verdicts for b in v.matched]))

    def _plan(self, decision: Decision, res: Resolution, made_from: tuple[Any, ...]) -> _Plan:
        """What the decision's advice takes from its resolution alone, kept like resolutions (`made_from` is the
        resolution's key; the rest of the advice reads the bindings of its rules and what to ask). Not keyed by
        what to ask: that follows which questions are open, which changes far more often than the resolution."""
        key = made_from or None
        made = self.advisor.decision_plans.get(key) if key is not None else None
        if made is None:
            options = self.advisor.options[decision.id]

            def entry(option_id: str) -> tuple[str, str, str, float, list[RuleVerdict]]:
                option = options[option_id]
                return option.id, option.label, option.summary, res.scores[option_id], res.verdicts[option_id]

            alternatives = [o for o in res.candidates if o != res.recommended and o not in res.companions]
            made = _Plan(
                options=tuple(entry(o) for o in [*([res.recommended] if res.recommended else []), *res.companions,
                                                  *alternatives, *res.excluded]),
                recommended=bool(res.recommended), together=len(res.companions), alternatives=len(alternatives),
                assumption=res.assumption if res.strength == "default" else "",
                summary=self.summary(decision, res), why_not=tuple(self.why_not(decision, res)))
            if key is not None:
                self.advisor.decision_plans.keep(key, made)
        return made

    def why_not(self, decision: Decision, res: Resolution) -> list[tuple[str, str, str, list[RuleVerdict]]]:
        """(option, label, reason, the verdicts against it) for each option that is not recommended."""
        out: list[tuple[str, str, str, list[RuleVerdict]]] = []
        winner = res.recommended
        labels = self.advisor.option_labels[decision.id]
        for option in decision.options:
            if option.id == winner or option.id in res.companions:
                continue
            against = [v for v in res.verdicts[option.id] if not v.supports]
            score = res.scores[option.id]
            if option.id in res.excluded:
                rules = ", ".join(v.rule.id for v in against if v.kind == "exclude")
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
                reason += "; weighed down by " + ", ".join(v.rule.id for v in against)
            out.append((option.id, option.label, reason, against))
        return out

    def verdict(self, v: RuleVerdict) -> Verdict:
        key = v.key
        made = self._verdicts.get(key)  # verdict objects are immutable, so options and why-not can share them
        if made is None:
            # A verdict reads only its rule, its kind and the rule's bindings, so it is kept between evaluations
            # too: a decision whose advice is built again (one of its rules matched another number) finds the
            # verdicts of its other rules made.
            shared = (*key, self.matched_key(v.rule.id))
            made = self.advisor.verdicts.get(shared)
            if made is None:
                made = self.advisor.verdicts.keep(shared, Verdict.of(
                    rule_id=v.rule.id, kind=v.kind, strength=v.rule.strength, weight=v.weight,
                    reasoning=v.rule.reasoning, matched=self.matched(v.rule.id), citations=list(v.rule.citations),
                    sources=list(v.rule.sources), freshness=list(v.rule.freshness)))
            self._verdicts[key] = made
        return made

    def ask_ids(self, decision: Decision) -> list[str]:
        """The questions to ask to settle the decision (at most MAX_ASK), in the order to ask them."""
        known, relevant = self.answers.known, self.relevant
        # Only questions the person can see are named: a hidden one that would decide gives way to the open,
        # shown questions its ask_when reads (answering them is what can bring it on screen). In order: the
        # fallback's own questions, the shown open ones, then what unlocks the hidden ones; the first MAX_ASK
        # distinct ones are asked, so the rest is not looked at.
        chosen: dict[str, None] = {}
        for wanted in decision.fallback.ask:
            if wanted not in known:
                chosen.update(dict.fromkeys(self.shown_for(wanted)))
        hidden: list[str] = []
        for q in self.advisor._decision_asks[decision.id]:
            if len(chosen) >= MAX_ASK:
                break
            if q not in known:
                if relevant(q):
                    chosen[q] = None
                else:
                    hidden.append(q)
        for wanted in hidden:
            if len(chosen) >= MAX_ASK:
                break
            chosen.update(dict.fromkeys(self.shown_for(wanted)))
        return list(chosen)[:MAX_ASK]

    def relevant(self, qid: str) -> bool:
        """Whether the question is asked for these answers (as Advisor.relevant_questions says)."""
        if self._hidden is not None:
            return qid not in self._hidden
        made = self._relevant.get(qid)
        if made is None:  # not given (a few answers): only the questions read are tested
            check = self.advisor._ask_conditions.checks().get(qid)
            if check is not None and self._answer_facts is None:
                self._answer_facts = expand_facts(self.answers.known)
            made = self._relevant[qid] = check is None or check(self._answer_facts)  # type: ignore[arg-type]
        return made

    def shown_for(self, qid: str, seen: frozenset[str] = frozenset()) -> list[str]:
        """`qid` when it is shown; for a hidden question, the open questions that can unlock it (those an
        alternative of its ask_when still waits for, the answers given agreeing with the rest of it), in
        questionnaire order, through hidden unlockers in turn; none when the answers given keep it hidden
        (a topic not picked)."""
        if self.relevant(qid):
            return [qid]
        if qid in seen or qid not in self.advisor._ask_when:
            return []
        if not seen:  # several decisions may wait for the same hidden question: worked out once per evaluation
            if qid not in self._unlockers:
                self._unlockers[qid] = self._shown_for(qid, seen)
            return self._unlockers[qid]
        return self._shown_for(qid, seen)

    def _shown_for(self, qid: str, seen: frozenset[str]) -> list[str]:
        known = self.answers.known
        if self._answer_facts is None:
            self._answer_facts = expand_facts(known)
        facts = self._answer_facts
        readers: set[str] = set()
        for conj in self.advisor.ask_when_literals(qid):
            # An alternative the answers given agree with so far: the questions it tests that are open unlock it.
            for base, fact, test in conj:
                if base in known and not literal_holds(fact, test, facts):
                    break
            else:
                readers.update(base for base, _, test in conj if test is not None and base not in known)
        unlocking = sorted((q for q in readers if q in self.rb.questions), key=self._q_order)
        return [q for u in unlocking for q in self.shown_for(u, seen | {qid})]

    def summary(self, decision: Decision, res: Resolution) -> str:
        """The decision's summary; for an undecided one, its lead: the questions to ask complete it (_decision)."""
        labels = self.advisor.option_labels[decision.id]
        if res.status == "out_of_scope":
            return f"Outside what this advisor covers: {res.reason}."
        if res.status == "undecided":
            detail = "; ".join(res.conflicts) if res.conflicts else res.reason
            if res.reason.startswith("nothing separates "):
                detail = "nothing separates " + ", ".join(labels[o] for o in res.candidates
                                                          if res.scores[o] == res.scores[res.candidates[0]])
            return f"Undecided ({detail})"
        option = next(o for o in decision.options if o.id == res.recommended)
        name = " together with ".join([option.label, *(labels[o] for o in res.companions)])
        if res.strength == "default":
            return f"{name}, by default: {res.assumption}"
        if res.deciding:
            return f"{name}: {self.rb.rule(res.deciding[0]).rule.title}."
        if res.excluded:
            return f"{name}: the other options are ruled out."
        return f"{name}."
