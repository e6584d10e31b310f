"""Shared fixtures: the shipped rule base, its advisors (durable and reference), and the notes folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.inference.backends import durable_problem
from advisor.inference.evaluation import Advisor
from advisor.sources.rulebase import RuleBase, load_rulebase

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SCENARIOS = ROOT / "scenarios"

DURABLE_MISSING = durable_problem()
requires_durable = pytest.mark.skipif(DURABLE_MISSING is not None,
                                      reason=f"{DURABLE_MISSING}: the reference engine runs here instead")
"""For tests of durable-rules itself; everything else runs on whichever engine this Python has."""
_ENGINE_FIELD = re.compile(rb'"engine": ?"[^"]*"')


def engine_masked(report: bytes | str) -> bytes:
    """A JSON report with the name of the engine that ran masked: both engines must agree on the rest,
    byte for byte."""
    data = report.encode() if isinstance(report, str) else report
    return _ENGINE_FIELD.sub(b'"engine": "<engine>"', data)


def pytest_configure(config: pytest.Config) -> None:
    # The compiled rule base cache goes to a folder of this run, never the user's cache (subprocesses too).
    if "ADVISOR_CACHE_DIR" not in os.environ:
        import tempfile

        os.environ["ADVISOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="advisor-test-cache-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop("ADVISOR_CACHE_DIR"), ignore_errors=True))


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
    adv = Advisor(rulebase, "auto")  # durable-rules where it runs, else the reference engine
    yield adv
    adv.close()


@pytest.fixture(scope="session")
def reference_advisor(rulebase: RuleBase) -> Advisor:
    return Advisor(rulebase, "reference")
