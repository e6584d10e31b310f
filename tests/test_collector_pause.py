"""Evaluations run with the cyclic garbage collector paused (advisor.inference.collector_pause). That is only
sound while an evaluation makes no reference cycles, so its garbage all goes by reference counting: checked
here on both engines, for full advice of shipped and generated scenarios and for what-if analysis. And the
pause must hand the collector back as it found it, whatever happens inside and however many threads share it."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.analysis.whatif import explain
from advisor.inference.collector_pause import CollectorPause, collector_paused
from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.sources.answers import load_scenario
from advisor.sources.discovery import find_scenarios
from tests.conftest import SCENARIOS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import generate

REF = ScenarioRef(id="pause", title="pause")


@pytest.fixture()
def collector_restored() -> Iterator[None]:
    """Whatever the test does to the collector, it is left as the test found it."""
    was = gc.isenabled()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


@pytest.fixture()
def collector_off(collector_restored: None) -> None:
    """The collector disabled and emptied for the test."""
    gc.disable()
    gc.collect()


@pytest.mark.parametrize("engine", ["advisor", "reference_advisor"])
def test_evaluations_make_no_reference_cycles(engine: str, request: pytest.FixtureRequest,
                                               collector_off: None) -> None:
    advisor: Advisor = request.getfixturevalue(engine)
    generated = generate(advisor.rulebase, 120, seed=11)
    loaded = [load_scenario(advisor.rulebase, path) for path in find_scenarios([str(SCENARIOS)])[0]]
    for answers in generated[:20]:  # first uses build what an advisor keeps (compiled checks, memos)
        advisor.advise(answers, REF)
    gc.collect()
    for answers in generated[20:]:
        advisor.advise(answers, REF)
    for scenario in loaded:
        explain(advisor, advisor.evaluate(scenario))
        advisor.outcomes(scenario.answers)
    assert gc.collect() == 0


def test_a_cycle_made_inside_is_found(collector_off: None) -> None:
    """The check above can fail: a cycle made while paused is garbage the collector finds afterwards."""
    with collector_paused:
        loop: list[object] = []
        loop.append(loop)
        del loop
    assert gc.collect() >= 1


def test_the_collector_is_resumed_as_it_was(collector_restored: None) -> None:
    pause = CollectorPause()
    gc.enable()
    with pause:
        assert not gc.isenabled()
        with pause:  # re-entrant: the inner exit leaves it paused
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a program that runs without the collector keeps running without it
    with pause:
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_is_resumed_after_an_error(collector_restored: None) -> None:
    pause = CollectorPause()
    gc.enable()
    with pytest.raises(ZeroDivisionError), pause:
        _ = 1 / 0
    assert gc.isenabled()


def test_threads_share_one_pause(collector_restored: None) -> None:
    """Two threads inside at once: the first to leave does not resume the collector under the other."""
    pause = CollectorPause()
    gc.enable()
    first_in, first_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with pause:
            first_in.set()
            first_out.wait(5)

    def second() -> None:
        first_in.wait(5)
        with pause:
            first_out.set()
            thread.join(5)  # the first thread has left by now
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    other = threading.Thread(target=second)
    thread.start()
    other.start()
    other.join(10)
    assert seen == [False]
    assert gc.isenabled()
