"""Shared fixtures: the shipped rule base, its advisors (durable and reference), and the notes folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.evaluation import Advisor
from advisor.rulebase import RuleBase, load_rulebase

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SCENARIOS = ROOT / "scenarios"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--notes", action="store", default=None,
                     help="study notes folder for citation tests (default: $ADVISOR_NOTES)")


@pytest.fixture(scope="session")
def notes_dir(pytestconfig: pytest.Config) -> Path:
    value = pytestconfig.getoption("--notes") or os.environ.get("ADVISOR_NOTES")
    if not value:
        pytest.skip("citation checks need the study notes: pass --notes DIR or set ADVISOR_NOTES")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"notes folder {path} does not exist")
    return path


@pytest.fixture(scope="session")
def rulebase() -> RuleBase:
    return load_rulebase(RULES)


@pytest.fixture(scope="session")
def advisor(rulebase: RuleBase) -> Iterator[Advisor]:
    adv = Advisor(rulebase, "durable")
    yield adv
    adv.close()


@pytest.fixture(scope="session")
def reference_advisor(rulebase: RuleBase) -> Advisor:
    return Advisor(rulebase, "reference")
