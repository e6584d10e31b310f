"""What-if analysis takes shortcuts (advisor.inference.outcome_keys: answer changes that every fact test sees
alike share one inference run; calculators keep values whose inputs did not change; decisions resolve when
read). None may change a result: every outcome it gives equals a full re-evaluation of the changed answers."""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import pytest

from advisor.analysis.whatif import WhatIfAnalysis, _apply
from advisor.inference.evaluation import Advisor
from advisor.sources.answers import Answers, load_scenario
from advisor.sources.discovery import find_scenarios
from tests.conftest import SCENARIOS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate

SCENARIO_FILES, _ = find_scenarios([str(SCENARIOS)])


def check_every_single_change(advisor: Advisor, answers: Answers, pairs: int = 0) -> int:
    analysis = WhatIfAnalysis(advisor, answers)
    singles = analysis.single_changes(list(advisor.rulebase.questions))
    changes = [(c,) for c in singles]
    changes += random.Random(3).sample(list(itertools.combinations(singles, 2)), pairs) if pairs else []
    for change in [(), *changes]:
        expected = advisor.outcomes(_apply(answers, change))
        got = analysis.outcomes(change)
        assert dict(got) == expected, change
    return len(changes)


@pytest.mark.parametrize("path", SCENARIO_FILES[::25], ids=lambda p: p.stem)
def test_shortcut_outcomes_equal_full_re_evaluation_on_shipped_scenarios(advisor: Advisor, path: Path) -> None:
    assert check_every_single_change(advisor, load_scenario(advisor.rulebase, path).answers, pairs=20) > 50


def test_shortcut_outcomes_equal_full_re_evaluation_on_generated_scenarios(advisor: Advisor) -> None:
    for answers in generate(advisor.rulebase, 2, seed=11):
        check_every_single_change(advisor, answers)
