"""Resolve each decision from the rules that fired, following the decision's declared policy.

Only the set of fired rules matters here, never the order they fired in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter

from advisor.models.advice import supports
from advisor.models.decision import Decision, Rule

_STRENGTH_RANK = {"must": 0, "should": 1, "consider": 2}


@dataclass(frozen=True)
class RuleVerdict:
    rule: Rule
    option: str
    kind: str  # require | exclude | recommend | avoid
    rank: tuple[int, int, float, str] = field(default=(0, 0, 0.0, ""), compare=False, repr=False)
    """Where it goes among an option's verdicts (strongest first), worked out once: see verdicts_of."""
    weight: float = field(init=False, compare=False, repr=False)
    """What the verdict adds to its option's score (the rule's weight, negative for 'avoid', 0 otherwise)."""
    supports: bool = field(init=False, compare=False, repr=False)
    """Whether it speaks for its option (models.advice.supports)."""
    key: tuple[str, str] = field(init=False, compare=False, repr=False)
    """(rule id, kind): what its Verdict in the advice reads beyond the rule's bindings."""

    def __post_init__(self) -> None:
        # Read on every resolution of every evaluation: worked out once, when the rule base is prepared.
        weight = self.rule.effective_weight
        object.__setattr__(self, "weight", weight if self.kind == "recommend" else
                           -weight if self.kind == "avoid" else 0.0)
        object.__setattr__(self, "supports", supports(self.kind))
        object.__setattr__(self, "key", (self.rule.id, self.kind))


@dataclass(frozen=True)
class Resolution:
    status: str  # recommended | undecided | out_of_scope
    recommended: str | None
    strength: str | None  # must | should | consider | default | elimination
    scores: dict[str, float]
    verdicts: dict[str, list[RuleVerdict]]
    excluded: list[str]
    candidates: list[str]
    """Options still possible, best first (the recommendation first when there is one)."""
    reason: str
    conflicts: list[str]
    deciding: list[str]
    """Ids of the rules whose verdicts decided the recommendation, the main one first."""
    assumption: str = ""
    """What a default recommendation assumes (the fallback's default or the tie-break that chose it)."""
    companions: tuple[str, ...] = ()
    """Options recommended together with the recommendation (a declared combination for a mixed workload)."""


def verdicts_of(rule: Rule) -> list[RuleVerdict]:
    out = [RuleVerdict(rule, rule.require, "require")] if rule.require else []
    out += [RuleVerdict(rule, o, "exclude") for o in rule.exclude]
    out += [RuleVerdict(rule, o, "recommend") for o in rule.recommend]
    out += [RuleVerdict(rule, o, "avoid") for o in rule.avoid]
    return [RuleVerdict(v.rule, v.option, v.kind, _verdict_sort_key(v)) for v in out]


def _verdict_sort_key(v: RuleVerdict) -> tuple[int, int, float, str]:
    kind_rank = {"require": 0, "exclude": 1, "recommend": 2, "avoid": 3}[v.kind]
    return (kind_rank, _STRENGTH_RANK[v.rule.strength], -abs(v.weight), v.rule.id)


_RANK = attrgetter("rank")


def resolve(decision: Decision, fired_rules: list[Rule], settled: bool = False,
            rule_verdicts: Mapping[str, list[RuleVerdict]] | None = None) -> Resolution:
    """`fired_rules` are this decision's rules that fired, in file order. `settled`: every question feeding the
    decision is answered, so a tie can no longer be broken by asking and the fallback's tie-breaks apply.
    `rule_verdicts`: verdicts_of of each rule by id, made once for a rule base (else made here)."""
    options = [o.id for o in decision.options]
    verdicts: dict[str, list[RuleVerdict]] = {o: [] for o in options}
    for rule in fired_rules:
        for verdict in rule_verdicts[rule.id] if rule_verdicts is not None else verdicts_of(rule):
            verdicts[verdict.option].append(verdict)
    # One pass over the options; most have no verdict (a score of 0, an int as sum() gives, never excluded).
    scores: dict[str, float] = {}
    excluded: list[str] = []
    candidates: list[str] = []
    for option in options:
        spoken = verdicts[option]
        if not spoken:
            scores[option] = 0
            candidates.append(option)
            continue
        if len(spoken) > 1:
            spoken.sort(key=_RANK)
        scores[option] = sum([v.weight for v in spoken])
        if any(v.kind == "exclude" for v in spoken):
            excluded.append(option)
        else:
            candidates.append(option)
    conflicts = [
        f"{o} is required by {', '.join(v.rule.id for v in verdicts[o] if v.kind == 'require')} but excluded by "
        f"{', '.join(v.rule.id for v in verdicts[o] if v.kind == 'exclude')}"
        for o in excluded if any(v.kind == "require" for v in verdicts[o])
    ]
    ranked = sorted(candidates, key=lambda o: -scores[o])  # stable: ties stay in option order, as candidates are

    def done(status: str, chosen: str | None, strength: str | None, reason: str, assumption: str = "",
             first: str | None = None) -> Resolution:
        together = _companions(decision, chosen, candidates, verdicts, scores) if chosen else ()
        order = ([chosen] if chosen else []) + [o for o in ranked if o != chosen]
        deciding = [v.rule.id for v in verdicts[chosen] if v.supports] if chosen else []
        if first is not None:  # policy 'first': the first matching rule decided, whatever its strength
            deciding = [first, *[r for r in deciding if r != first]]
        return Resolution(status, chosen, strength, scores, verdicts, excluded, order, reason, conflicts,
                          list(dict.fromkeys(deciding)), assumption, together)

    beyond = [rule for rule in fired_rules if rule.outside]
    if beyond:
        # A stated need that no option meets: recommending the nearest option would mislead.
        return done("out_of_scope", None, None, "; ".join(rule.outside for rule in beyond))
    if not candidates:
        return done("undecided", None, None, "every option is excluded by the answers")
    required = [o for o in candidates if any(v.kind == "require" for v in verdicts[o])]
    if len(required) > 1 and _one_combination(decision, required):
        return done("recommended", required[0], "must", "required together")
    if len(required) > 1:
        conflicts.append(f"several options are required at once: {', '.join(required)}")
        return done("undecided", None, None, "rules require different options")
    if required:
        return done("recommended", required[0], "must", "required")

    if decision.policy == "first":
        for rule in fired_rules:
            for option in rule.recommend:
                if option in candidates:
                    return done("recommended", option, rule.strength, "first matching rule", first=rule.id)
        return _fallback(decision, candidates, done, settled)

    if len(candidates) == 1:
        return done("recommended", candidates[0], _support_strength(verdicts[candidates[0]]) or "elimination",
                    "the only option left")
    top, second = ranked[0], ranked[1]
    if scores[top] > scores[second] and scores[top] > 0:
        return done("recommended", top, _support_strength(verdicts[top]) or "consider", "highest weight")
    if scores[top] > scores[second]:
        return done("recommended", top, "consider", "the others weigh against more")
    tied = [o for o in ranked if scores[o] == scores[top]]
    if scores[top] > 0 and _one_combination(decision, tied):
        # Tied options that the decision declares as a set serve different parts of the workload: both.
        lead = decision.fallback.option if decision.fallback.option in tied else tied[0]
        return done("recommended", lead, _support_strength(verdicts[lead]) or "consider", "recommended together")
    return _fallback(decision, tied, done, settled)


def _one_combination(decision: Decision, options: list[str]) -> bool:
    return any(set(options) <= set(c.options) for c in decision.combinations)


def _companions(decision: Decision, chosen: str, candidates: list[str], verdicts: dict[str, list[RuleVerdict]],
                scores: dict[str, float]) -> tuple[str, ...]:
    """Members of the winner's combinations that fired rules favour on their own merits, in option order."""
    wanted: set[str] = set()
    for combination in decision.combinations:
        if chosen in combination.options:
            wanted |= {o for o in combination.options if o != chosen and o in candidates
                       and (any(v.kind == "require" for v in verdicts[o])
                            or (scores[o] > 0 and any(v.kind == "recommend" for v in verdicts[o])))}
    return tuple(o.id for o in decision.options if o.id in wanted)


def _support_strength(verdicts: list[RuleVerdict]) -> str | None:
    positive = [v.rule.strength for v in verdicts if v.kind == "recommend"]
    return min(positive, key=_STRENGTH_RANK.__getitem__) if positive else None


def _fallback(decision: Decision, tied: list[str], done, settled: bool):  # type: ignore[no-untyped-def]
    default = decision.fallback.option
    if default and default in tied:
        return done("recommended", default, "default", "default", decision.fallback.assumption)
    for preference in decision.fallback.prefer if settled else ():
        if preference.option in tied and len(tied) > 1:
            return done("recommended", preference.option, "default", "preferred on a tie", preference.assumption)
    if len(tied) < len(decision.options):
        return done("undecided", None, None, f"nothing separates {', '.join(tied)}")
    return done("undecided", None, None, "no rule decides with the answers given")
