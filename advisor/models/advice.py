"""The result of evaluating one scenario: plain data that every renderer reads."""

from __future__ import annotations

from typing import Literal

from advisor.models.aws_source import AwsSource, Freshness
from advisor.models.base import Output
from advisor.models.citation import Citation

FactValue = bool | int | float | str | list[str]

SUPPORTING_KINDS = frozenset({"require", "recommend"})
"""Verdict kinds that speak for an option; 'exclude' and 'avoid' speak against it."""


def supports(kind: str) -> bool:
    """Whether a verdict of this kind speaks for its option: the one test every stage uses."""
    return kind in SUPPORTING_KINDS


class Binding(Output):
    """A fact a rule matched, and where its value came from."""

    fact: str
    value: FactValue | None
    """None when the rule matched because the fact is unknown."""
    source: Literal["answer", "calculated", "derived", "unknown"]
    display: str = ""
    """The value in words, with its unit or choice label (as the answers show it)."""
    label: str = ""
    """What the fact is: the question's prompt, the calculator's label, or the fact's name in words."""


class FiredRule(Output):
    rule_id: str
    title: str
    decision: str | None
    """The decision whose file holds the rule (None for derivation files)."""
    depth: int
    """0 when the rule matched only answers; otherwise one more than the deepest rule it depends on."""
    matched: list[Binding]
    condition: str
    """The rule's condition, as text."""
    effects: list[str]
    """What firing did, as text: 'exclude kds', 'derive large_messages = true'..."""
    strength: str
    reasoning: str
    note_conflict: str = ""
    citations: list[Citation]
    sources: list[AwsSource] = []
    """AWS documentation pages behind the rule (no citations and some sources: it rests on AWS alone)."""
    freshness: list[Freshness] = []
    """Where the notes are out of date on this rule's subject: what they say, what AWS says now."""


class DerivedFact(Output):
    fact: str
    value: FactValue
    source: Literal["calculated", "derived"]
    derived_by: list[str]
    """Calculator id, or the ids of the rules that derived the value."""
    label: str = ""
    unit: str = ""
    formula: str = ""
    inputs: dict[str, FactValue | None] = {}
    """Values the formula used."""
    display: str = ""
    """The value in words, with its unit."""
    based_on: list[Binding] = []
    """What it rests on: a formula's inputs; for a derived fact, the facts its rules matched, derived facts
    followed back through the rules that derived them (so each is an answer, a calculated or an unknown fact)."""
    reasoning: str = ""
    """Why the formula holds (calculated facts)."""
    citations: list[Citation] = []
    """Sources of the formula (calculated facts)."""


class Verdict(Output):
    """One rule's effect on one option."""

    rule_id: str
    kind: Literal["require", "exclude", "recommend", "avoid"]
    strength: str
    weight: float
    reasoning: str
    matched: list[Binding]
    citations: list[Citation]
    sources: list[AwsSource] = []
    freshness: list[Freshness] = []

    @property
    def supports(self) -> bool:
        return supports(self.kind)


class OptionAssessment(Output):
    option: str
    label: str
    summary: str
    score: float
    verdicts: list[Verdict]
    """Every verdict on this option, strongest first."""

    def support(self) -> list[Verdict]:
        """The verdicts that speak for this option, strongest first."""
        return [v for v in self.verdicts if v.supports]


class QuestionRef(Output):
    id: str
    prompt: str


class WhyNot(Output):
    """Why an option is not the recommendation, in plain words, with the verdicts behind it."""

    option: str
    label: str
    reason: str
    verdicts: list[Verdict]
    """Rules that excluded or penalised it (and the answers they matched)."""


class AnswerChange(Output):
    question: str
    prompt: str
    before: FactValue | None
    after: FactValue | None
    """None means 'unknown'."""
    display: str
    """The change in words, e.g. 'max_record_size_kb were 1,024 KB (now 5,120 KB)'."""


class WhatIf(Output):
    """A change of answers that changes this decision's outcome (verified by re-evaluating)."""

    changes: list[AnswerChange]
    status: Literal["recommended", "undecided", "not_applicable", "out_of_scope"]
    recommended: str | None
    label: str
    """The new outcome in words: the option's label, 'undecided' or 'not in play'."""
    summary: str


class DecisionAdvice(Output):
    id: str
    title: str
    question: str
    area: str
    stage: str = ""
    """The pipeline stage the decision belongs to ('' when its file names none)."""
    status: Literal["recommended", "undecided", "not_applicable", "out_of_scope"]
    recommended: OptionAssessment | None = None
    strength: Literal["must", "should", "consider", "default", "elimination"] | None = None
    """How firmly the recommendation stands: the strongest verdict for it, or how it was reached."""
    assumption: str = ""
    """Stated when the recommendation is the decision's default."""
    summary: str
    """One line: the outcome and its main reason."""
    together: list[OptionAssessment] = []
    """Options recommended alongside the recommendation: a declared combination for a mixed workload, each with
    the verdicts that favour it."""
    alternatives: list[OptionAssessment]
    """Options still possible, best first."""
    excluded: list[OptionAssessment]
    """Options ruled out, with the verdicts that excluded them."""
    ask: list[QuestionRef] = []
    """Unanswered questions that feed this decision, most useful first."""
    conflicts: list[str] = []
    """Contradictory verdicts that kept the decision open."""
    why_not: list[WhyNot] = []
    """For every option that is not the recommendation: why."""
    what_if: list[WhatIf] = []
    """Smallest answer changes that change the outcome (filled by explanation runs, see advisor.analysis.whatif)."""
    what_if_checked: bool = False
    """True when what-if analysis ran (so an empty what_if means no change in the domain flips it)."""
    fragile_on: list[str] = []
    """Questions that decide the outcome on their own: making any one of them unknown changes it."""
    deciding: list[str] = []
    """Ids of the rules whose verdicts decided the recommendation, the main one first (empty when it is the
    default or the last option left)."""
    drivers: list[Binding] = []
    """The facts behind every verdict on this decision, each once, in the order they were reached: derived
    facts are followed back through the rules that derived them, so each is something the team said (or a
    calculated or unknown fact)."""


class ScenarioRef(Output):
    id: str
    title: str
    description: str = ""
    source: str = ""
    """The scenario file, as given."""


class AnswerRecord(Output):
    question: str
    prompt: str
    value: FactValue | None
    display: str
    """The value with its unit or choice label."""


class IgnoredAnswer(Output):
    """An answer the scenario gives to a question that is not asked for this workload: it did not count."""

    question: str
    prompt: str
    value: FactValue | None
    """None means 'unknown'."""
    display: str
    asked_when: str
    """The condition under which the question is asked, in words."""


class OutdatedFact(Output):
    """A statement of the notes that AWS has changed, touched by this advice (a fired rule or a calculator)."""

    by: str
    """The rule or calculator id that records the change."""
    notes_say: str
    aws_says: str
    source: AwsSource


class Advice(Output):
    scenario: ScenarioRef
    ruleset: str
    """Digest of the rule files that produced this advice."""
    rules: str = "bundled"
    """Which rule base: 'bundled' (shipped with the package) or the folder it was read from."""
    engine: str = ""
    """The inference engine that ran: 'durable-rules' or 'reference' (both give the same advice)."""
    answers: list[AnswerRecord]
    unknown: list[str]
    """Question ids answered 'unknown'."""
    ignored: list[IgnoredAnswer] = []
    """Answers to questions that are not asked given the other answers: they did not count (see README)."""
    derived: list[DerivedFact]
    decisions: list[DecisionAdvice]
    trace: list[FiredRule]
    outdated: list[OutdatedFact] = []
    """Where the notes behind this advice are out of date and the advice follows current AWS instead."""
    warnings: list[str] = []
    review: Review | None = None
    """The review of the scenario's current choices (advisor.analysis.review); None without current choices."""


from advisor.models.review import Review  # noqa: E402  (its models use the ones above)

# Not Advice.model_rebuild(): that builds the validator of every result model at import, and advice is made
# without validation (Output.of); the forward reference to Review resolves on first validation instead.
