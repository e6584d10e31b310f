"""Calculators: `Advisor.calculate` skips a calculator none of whose inputs is known only when its formula yields
nothing without them (worked out once per rule base), so it gives what evaluating every formula gives."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from advisor.inference.evaluation import Advisor, Calculated, _nothing_without_inputs
from advisor.sources.answers import Answers
from advisor.sources.formula import parse_formula

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate


@pytest.mark.parametrize(("text", "inert"), [
    ("a * 2", True),
    ("ceil(max(a / 1, coalesce(b, 0) / 1000))", True),  # max stops at its first unknown argument
    ("coalesce(a, 5)", False),  # a value without its input
    ("coalesce(a, 1) / 0", False),  # a failure, so a warning, without its input
    ("coalesce(a, 1) / coalesce(b, 0)", False),
])
def test_a_formula_yields_nothing_without_inputs_unless_a_fallback_or_a_failure_says_otherwise(
        text: str, inert: bool) -> None:
    assert _nothing_without_inputs(parse_formula(text)) is inert


def _every_formula(advisor: Advisor, answers: Answers) -> tuple[dict[str, Calculated], list[str]]:
    """calculate without skipping any calculator."""
    values: dict[str, Any] = dict(answers.known)
    out: dict[str, Calculated] = {}
    warnings: list[str] = []
    for calc_id, entry in advisor.rulebase.calculators.items():
        numbers = {n: values.get(n) for n in entry.formula.names}
        result = advisor._calculate_one(calc_id, entry.formula, numbers, warnings)
        if result is not None:
            values[calc_id] = result
            out[calc_id] = Calculated(result, numbers)
    return out, warnings


def test_calculate_gives_what_every_formula_gives(advisor: Advisor) -> None:
    skipped = 0
    for answers in [Answers({}), *generate(advisor.rulebase, 60, seed=21),
                    *generate(advisor.rulebase, 60, seed=22, answered=0.1)]:
        assert advisor.calculate(answers) == _every_formula(advisor, answers)
        skipped += sum(1 for c in advisor.rulebase.calculators if not answers.known.keys() & set(
            advisor.rulebase.calculators[c].formula.names))
    assert skipped > 100  # the shortcut was taken
