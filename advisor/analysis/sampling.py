"""Random but reproducible scenarios drawn from a questionnaire: for lint's dead-end check and the fuzzers.

Every question may be left out, answered `unknown`, or answered with a valid value; numbers favour the
edges of their range and round values people write, so thresholds at every scale get crossed."""

from __future__ import annotations

import math
import random
from typing import Any

from advisor.models.questionnaire import Question
from advisor.sources.answers import UNKNOWN
from advisor.sources.rulebase import RuleBase

_ROUND_NUMBERS = [0, 1, 2, 5, 10, 30, 60, 100, 300, 900, 1000, 1024, 3600, 10000]


def random_value(question: Question, rnd: random.Random) -> Any:
    """A valid answer, edge values included (bounds, zero, whole floats, empty multi-choice)."""
    if question.type == "boolean":
        return rnd.random() < 0.5
    if question.type == "single":
        return rnd.choice(question.choices).id
    if question.type == "multi":
        ids = [c.id for c in question.choices]
        return rnd.sample(ids, rnd.randint(0, len(ids)))
    low, high = question.min, question.max
    assert low is not None and high is not None
    pick = rnd.random()
    if pick < 0.15:
        value: float = rnd.choice([low, high])
    elif pick < 0.5:
        value = min(max(rnd.choice(_ROUND_NUMBERS), low), high)
    elif pick < 0.8:  # log-uniform over the range
        span = max(high - low, 1e-9)
        value = low + min(span, math.expm1(rnd.uniform(0, math.log1p(span))))
    else:
        value = rnd.uniform(low, high)
    if question.integer:
        return int(min(max(round(value), math.ceil(low)), math.floor(high)))
    if rnd.random() < 0.3:
        value = round(value, rnd.choice([0, 1, 3]))
    return min(max(value, low), high)


def random_answers(rulebase: RuleBase, rnd: random.Random, answered: float | None = None) -> dict[str, Any]:
    """Raw scenario answers: each question left out, 'unknown', or a valid value."""
    share = rnd.choice([0.1, 0.3, 0.6, 0.9]) if answered is None else answered
    answers: dict[str, Any] = {}
    for qid, question in rulebase.questions.items():
        roll = rnd.random()
        if roll < share:
            answers[qid] = random_value(question, rnd)
        elif roll < share + 0.05:
            answers[qid] = UNKNOWN
    return answers
