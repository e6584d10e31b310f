"""Find decisions that can end undecided with nothing left to ask, over generated scenarios.

Such a decision leaves the person at a dead end: every question that feeds it is answered, nothing
excludes all options, and still no option is chosen (a tie, or no rule speaking). The cure is data: a
fallback default or `prefer` tie-breaks with their assumption. A decision whose every option is excluded is
not a dead end: the advice names each exclusion, so the person knows what no option can meet."""

from __future__ import annotations

import random
from dataclasses import dataclass

from advisor.analysis.sampling import random_answers
from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.shared.diagnostics import InvalidInput

SAMPLES = 300
SEED = 1  # fixed: lint must report the same findings on every run


@dataclass(frozen=True)
class DeadEnd:
    decision: str
    count: int
    """How many generated scenarios ended at this dead end."""
    summary: str
    """The advice's summary for the first such scenario."""


def find_dead_ends(advisor: Advisor, samples: int = SAMPLES, seed: int = SEED) -> tuple[int, list[DeadEnd]]:
    """(scenarios evaluated, dead ends by decision in rule-base order)."""
    rnd = random.Random(seed)
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    evaluated = 0
    for _ in range(samples):
        raw = random_answers(advisor.rulebase, rnd)
        try:
            answers = advisor.check(raw)
        except InvalidInput:  # a generated combination the questionnaire refuses is simply skipped
            continue
        evaluated += 1
        advice = advisor.advise(answers, ScenarioRef(id="generated", title="generated"))
        for d in advice.decisions:
            every_option_out = not d.alternatives and d.recommended is None and bool(d.excluded)
            if d.status == "undecided" and not d.ask and not every_option_out:
                counts[d.id] = counts.get(d.id, 0) + 1
                first.setdefault(d.id, d.summary)
    order = [d.id for d in advisor.rulebase.decisions]
    return evaluated, [DeadEnd(d, counts[d], first[d]) for d in order if d in counts]
