"""Resolve each decision from the rules that fired, following the decision's declared policy.

Only the set of fired rules matters here, never the order they fired in.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.models.advice import supports
from advisor.models.decision import Decision, Rule

_STRENGTH_RANK = {"must": 0, "should": 1, "consider": 2}


@dataclass(frozen=True)
class RuleVerdict:
    rule: Rule
    option: str
    kind: str  # require | exclude | recommend | avoid

    @property
    def weight(self) -> float:
        if self.kind == "recommend":
            return self.rule.effective_weight
        if self.kind == "avoid":
            return -self.rule.effective_weight
        return 0.0

    @property
    def supports(self) -> bool:
        return supports(self.kind)


@dataclass(frozen=True)
class Resolution:
    status: str  # recommended | undecided
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


def verdicts_of(rule: Rule) -> list[RuleVerdict]:
    out = [RuleVerdict(rule, rule.require, "require")] if rule.require else []
    out += [RuleVerdict(rule, o, "exclude") for o in rule.exclude]
    out += [RuleVerdict(rule, o, "recommend") for o in rule.recommend]
    out += [RuleVerdict(rule, o, "avoid") for o in rule.avoid]
    return out


def _verdict_sort_key(v: RuleVerdict) -> tuple[int, int, float, str]:
    kind_rank = {"require": 0, "exclude": 1, "recommend": 2, "avoid": 3}[v.kind]
    return (kind_rank, _STRENGTH_RANK[v.rule.strength], -abs(v.weight), v.rule.id)


def resolve(decision: Decision, fired_rules: list[Rule]) -> Resolution:
    """`fired_rules` are this decision's rules that fired, in file order."""
    options = [o.id for o in decision.options]
    verdicts: dict[str, list[RuleVerdict]] = {o: [] for o in options}
    for rule in fired_rules:
        for verdict in verdicts_of(rule):
            verdicts[verdict.option].append(verdict)
    for option in options:
        verdicts[option].sort(key=_verdict_sort_key)
    scores = {o: sum(v.weight for v in verdicts[o]) for o in options}
    excluded = [o for o in options if any(v.kind == "exclude" for v in verdicts[o])]
    candidates = [o for o in options if o not in excluded]
    conflicts = [
        f"{o} is required by {', '.join(v.rule.id for v in verdicts[o] if v.kind == 'require')} but excluded by "
        f"{', '.join(v.rule.id for v in verdicts[o] if v.kind == 'exclude')}"
        for o in options if o in excluded and any(v.kind == "require" for v in verdicts[o])
    ]
    ranked = sorted(candidates, key=lambda o: (-scores[o], options.index(o)))

    def done(status: str, chosen: str | None, strength: str | None, reason: str,
             first: str | None = None) -> Resolution:
        order = ([chosen] if chosen else []) + [o for o in ranked if o != chosen]
        deciding = [v.rule.id for v in verdicts[chosen] if v.supports] if chosen else []
        if first is not None:  # policy 'first': the first matching rule decided, whatever its strength
            deciding = [first, *[r for r in deciding if r != first]]
        return Resolution(status, chosen, strength, scores, verdicts, excluded, order, reason, conflicts,
                          list(dict.fromkeys(deciding)))

    if not candidates:
        return done("undecided", None, None, "every option is excluded by the answers")
    required = [o for o in candidates if any(v.kind == "require" for v in verdicts[o])]
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
        return _fallback(decision, candidates, done)

    if len(candidates) == 1:
        return done("recommended", candidates[0], _support_strength(verdicts[candidates[0]]) or "elimination",
                    "the only option left")
    top, second = ranked[0], ranked[1]
    if scores[top] > scores[second] and scores[top] > 0:
        return done("recommended", top, _support_strength(verdicts[top]) or "consider", "highest weight")
    if scores[top] > scores[second]:
        return done("recommended", top, "consider", "the others weigh against more")
    return _fallback(decision, [o for o in ranked if scores[o] == scores[top]], done)


def _support_strength(verdicts: list[RuleVerdict]) -> str | None:
    positive = [v.rule.strength for v in verdicts if v.kind == "recommend"]
    return min(positive, key=_STRENGTH_RANK.__getitem__) if positive else None


def _fallback(decision: Decision, tied: list[str], done):  # type: ignore[no-untyped-def]
    default = decision.fallback.option
    if default and default in tied:
        return done("recommended", default, "default", "default")
    if len(tied) < len(decision.options):
        return done("undecided", None, None, f"nothing separates {', '.join(tied)}")
    return done("undecided", None, None, "no rule decides with the answers given")
