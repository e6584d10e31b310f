"""Decision tables: options, rules, resolution policy and fallback."""

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import Field, StrictFloat, StrictInt, model_validator

from advisor.models.aws_source import AwsSource, Freshness, check_sources
from advisor.models.base import DecisionId, FactId, LocatedValueError, OptionId, RuleId, Scalar, Strict
from advisor.models.citation import Citation
from advisor.models.conditions import Condition

Strength = Literal["must", "should", "consider"]
Stage = Literal["sources", "ingestion", "storage", "processing", "serving", "orchestration", "governance",
                "protection", "cost"]
"""Pipeline stages, in the order the architecture picture draws them (left to right)."""
STAGES: tuple[str, ...] = typing.get_args(Stage)
DEFAULT_WEIGHT: dict[str, int] = {"must": 5, "should": 3, "consider": 1}


class Option(Strict):
    id: OptionId
    label: Annotated[str, Field(min_length=1)]
    """Display name, e.g. Amazon Kinesis Data Streams."""
    summary: Annotated[str, Field(min_length=1)]
    """One line on what the option is."""


class Derivation(Strict):
    fact: FactId
    """The derived fact's id; other rules test it in their conditions."""
    value: Scalar = True
    """The value derived (true by default)."""


class Rule(Strict):
    id: RuleId
    """Stable id, never reused."""
    title: Annotated[str, Field(min_length=5, max_length=160)]
    """What the rule says, in a few words."""
    when: Condition
    """When the rule applies."""
    strength: Strength = "should"
    """must: a hard constraint or near-certain; should: strong guidance; consider: a hint."""
    require: OptionId | None = None
    """This option must be chosen when the rule fires (beats scores; loses only to exclusions)."""
    exclude: list[OptionId] = []
    """These options are ruled out when the rule fires."""
    recommend: list[OptionId] = []
    """These options gain weight (default by strength: must 5, should 3, consider 1)."""
    avoid: list[OptionId] = []
    """These options lose weight."""
    weight: StrictInt | StrictFloat | None = None
    """Overrides the default weight of recommend/avoid."""
    derive: list[Derivation] = []
    """Facts this rule derives for other rules."""
    outside: str = ""
    """What the situation needs that no option of this decision offers, naming what AWS offers for it (e.g. 'a
    parallel file system for HPC: Amazon FSx for Lustre'). When the rule fires, the decision says the need is
    outside what the advisor covers instead of recommending the nearest option."""
    reasoning: Annotated[str, Field(min_length=20)]
    """Why, in our own words; shown with the advice."""
    citations: list[Citation] = []
    """Where in the notes this comes from (a rule needs a citation, an AWS source, or both)."""
    sources: list[AwsSource] = []
    """AWS documentation pages that back the rule; a rule with sources and no citations rests on AWS alone."""
    freshness: list[Freshness] = []
    """Where the notes state a limit or behaviour AWS has since changed: what they say and what AWS says now."""
    note_conflict: str = ""
    """Where the notes contradict themselves or state a figure wrongly: which value we use and why."""

    @property
    def aws_only(self) -> bool:
        """True when the notes are silent and the rule rests on AWS documentation alone."""
        return not self.citations

    @model_validator(mode="after")
    def _sourced(self) -> Rule:
        check_sources(self.citations, self.sources, self.freshness)
        return self

    @model_validator(mode="after")
    def _has_effect(self) -> Rule:
        if not (self.require or self.exclude or self.recommend or self.avoid or self.derive or self.outside):
            raise ValueError("a rule needs an effect: require, exclude, recommend, avoid, derive or outside")
        if self.outside and len(self.outside) < 10:
            raise ValueError("outside needs a few words on what the situation needs and what AWS offers for it")
        if self.weight is not None and not (self.recommend or self.avoid):
            raise ValueError("weight only applies to recommend or avoid")
        if self.weight is not None and self.weight <= 0:
            raise ValueError("weight must be positive (use avoid for negative weight)")
        touched = [self.require] if self.require else []
        for group in (self.exclude, self.recommend, self.avoid):
            touched += group
        dupes = sorted({o for o in touched if touched.count(o) > 1})
        if dupes:
            raise ValueError(f"an option appears in two verdicts of the same rule: {', '.join(dupes)}")
        return self

    @property
    def effective_weight(self) -> float:
        return float(self.weight) if self.weight is not None else float(DEFAULT_WEIGHT[self.strength])

    @property
    def has_verdict(self) -> bool:
        return bool(self.require or self.exclude or self.recommend or self.avoid or self.outside)


class Preference(Strict):
    """An option to recommend when it ties with others and nothing else separates them."""

    option: OptionId
    assumption: Annotated[str, Field(min_length=10)]
    """What the preference assumes, stated in the advice with the questions that would change it."""


class Fallback(Strict):
    """What the advice says when no rule decides."""

    option: OptionId | None = None
    """Recommend this option by default; leave out to report the decision as undecided."""
    assumption: str = ""
    """The assumption behind the default, stated in the advice."""
    ask: list[FactId] = []
    """Questions to point the person at first when undecided."""
    prefer: list[Preference] = []
    """Tie-breaks, in order: when the tied options do not include `option`, the first of these among them is
    recommended as a default with its assumption, so a tie never leaves the decision with nothing to say."""
    reasoning: str = ""
    """Why this default."""

    @model_validator(mode="after")
    def _assumption_for_default(self) -> Fallback:
        if self.option and len(self.assumption) < 10:
            raise ValueError("a default option needs the assumption behind it (assumption: ...)")
        return self


class Combination(Strict):
    """Options that serve different parts of one workload and may be recommended together."""

    options: Annotated[list[OptionId], Field(min_length=2, max_length=4)]
    """The options of the set; the first one the rules favour leads, the others are its companions."""
    reasoning: Annotated[str, Field(min_length=20)]
    """Why these go together (e.g. telemetry and video are different kinds of data), in our own words."""


class Decision(Strict):
    """rules/decisions/<id>.yaml"""

    id: DecisionId
    """Stable id; the file is named after it."""
    title: Annotated[str, Field(min_length=3)]
    question: Annotated[str, Field(min_length=5)]
    """The question this decision answers for the engineer."""
    area: FactId
    """The questionnaire area it belongs to."""
    stage: Stage | None = None
    """The pipeline stage its options sit in, for the architecture picture (lint reports a decision without one)."""
    order: int = 100
    """Decisions are shown by this number, then by id."""
    applies_when: Condition | None = None
    """Give advice only when this holds (e.g. streaming decisions only for streaming workloads)."""
    policy: Literal["weighted", "first"] = "weighted"
    """weighted: exclusions, then requirements, then the highest total weight wins (a tie is undecided);
    first: the first rule in file order with a recommend/require verdict decides."""
    options: Annotated[list[Option], Field(min_length=2)]
    fallback: Fallback
    """Mandatory: what to say when nothing decides."""
    combinations: list[Combination] = []
    """Weighted policy only: sets of options a mixed workload may need together. When the winner belongs to a
    set, each other member that a fired rule recommends or requires (and none excludes) is recommended with
    it; options of one set that tie, or that rules require at once, are recommended together."""
    rules: list[Rule] = []

    @model_validator(mode="after")
    def _options_exist(self) -> Decision:
        ids = [o.id for o in self.options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            second = ids.index(dupes[0], ids.index(dupes[0]) + 1)
            raise LocatedValueError(f"duplicate option ids: {', '.join(dupes)}", ("options", second, "id"))
        known = set(ids)
        for number, rule in enumerate(self.rules):
            named = ([rule.require] if rule.require else []) + rule.exclude + rule.recommend + rule.avoid
            unknown = sorted(set(named) - known)
            if unknown:
                raise LocatedValueError(f"rule {rule.id} names unknown options: {', '.join(unknown)} "
                                        f"(options are {', '.join(ids)})", ("rules", number))
        if self.fallback.option and self.fallback.option not in known:
            raise LocatedValueError(f"fallback option {self.fallback.option!r} is not an option of this decision",
                                    ("fallback", "option"))
        preferred = [p.option for p in self.fallback.prefer]
        unknown_preferred = sorted(set(preferred) - known)
        if unknown_preferred:
            raise LocatedValueError(f"fallback prefers unknown options: {', '.join(unknown_preferred)} "
                                    f"(options are {', '.join(ids)})", ("fallback", "prefer"))
        if len(set(preferred)) != len(preferred):
            raise LocatedValueError("fallback prefers an option twice", ("fallback", "prefer"))
        for number, combination in enumerate(self.combinations):
            unknown = sorted(set(combination.options) - known)
            if unknown:
                raise LocatedValueError(f"combination names unknown options: {', '.join(unknown)} "
                                        f"(options are {', '.join(ids)})", ("combinations", number, "options"))
            if len(set(combination.options)) != len(combination.options):
                raise LocatedValueError("a combination lists an option twice", ("combinations", number, "options"))
        if self.combinations and self.policy != "weighted":
            raise ValueError("combinations need policy: weighted")
        return self


class DerivationFile(Strict):
    """rules/derivations/<topic>.yaml: rules that only derive facts."""

    rules: Annotated[list[Rule], Field(min_length=1)]

    @model_validator(mode="after")
    def _derive_only(self) -> DerivationFile:
        for rule in self.rules:
            if rule.has_verdict or not rule.derive:
                raise ValueError(f"rule {rule.id}: rules in a derivations file only derive facts")
        return self
