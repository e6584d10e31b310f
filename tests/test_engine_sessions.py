"""The durable-rules wrapper's own machinery: one session reused across evaluations (reset by retracting
what each evaluation asserted), dropped after an error or a failed reset, recycled after a while; and the
engine property each fact is asserted under (the engine finds tests by a 32-bit hash of that name)."""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("durable_rules_engine",
                    reason="durable-rules is not available on this Python: the reference engine runs instead")

from advisor.inference.durable import engine as engine_module
from advisor.inference.durable.engine import DurableEngine, EngineError
from advisor.inference.durable.ruleset import RESERVED_PROPERTIES, engine_name_hash, engine_properties
from advisor.inference.evaluation import Advisor
from advisor.inference.firing import ReferenceEngine

FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"

CASES: list[dict[str, Any]] = [
    dict(size_kb=s, replay=r, ordering=o, sources=src, rate_mb_s=rate, duration_s=d)
    for s in (0, 1025) for r in (True, False) for o in ("none", "strict")
    for src in ([], ["iot", "web"]) for rate in (0.5, 7) for d in (10, 301)
]


@pytest.fixture()
def advisor() -> Iterator[Advisor]:
    adv = Advisor.from_folder(FIXTURE, "durable")
    yield adv
    adv.close()


def engine_facts(adv: Advisor, answers: dict[str, Any]) -> dict[str, Any]:
    from advisor.inference.compiler import expand_facts
    from advisor.inference.numbers import shared_number

    checked = adv.check(answers)
    calculated, _ = adv.calculate(checked)
    facts = {q: shared_number(v) for q, v in checked.known.items()}
    facts.update({c: shared_number(x.value) for c, x in calculated.items()})
    return expand_facts(facts)


def durable(adv: Advisor) -> DurableEngine:
    assert isinstance(adv.engine, DurableEngine)
    return adv.engine


def test_one_session_serves_many_evaluations_with_the_oracles_results(advisor: Advisor) -> None:
    engine = durable(advisor)
    oracle = ReferenceEngine(advisor.compiled)
    facts = [engine_facts(advisor, case) for case in CASES]
    sessions = set()
    for f in facts + facts[::-1]:  # each case after different predecessors
        assert engine.run(f) == oracle.run(f)
        sessions.add(engine._live)
    assert len(sessions) == 1  # the session was reset and reused, never recreated


def test_the_session_is_recycled_after_its_quota(advisor: Advisor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "_REUSE_SESSION", 3)
    engine = durable(advisor)
    oracle = ReferenceEngine(advisor.compiled)
    seen = []
    for f in itertools.islice(itertools.cycle(engine_facts(advisor, c) for c in CASES[:5]), 10):
        assert engine.run(f) == oracle.run(f)
        seen.append(engine._live)
    # uses 1 and 2 keep the session; the third deletes it, so the next run opens a new one
    assert seen[0] == seen[1] and seen[2] is None and seen[3] not in (None, seen[0])


def test_an_error_mid_evaluation_drops_the_session_and_the_next_run_is_clean(
        advisor: Advisor, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = durable(advisor)
    oracle = ReferenceEngine(advisor.compiled)
    facts = engine_facts(advisor, CASES[5])
    engine.run(facts)
    first_session = engine._live
    real_engine = engine_module._engine

    class Broken:
        """The C engine, failing between two firings."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real_engine, name)

        def complete_and_start_action(self, *args: Any) -> None:
            raise EngineError("simulated failure inside an action")

    monkeypatch.setattr(engine_module, "_engine", Broken())
    with pytest.raises(EngineError, match="simulated"):
        engine.run(facts)
    assert engine._live is None and not engine._live_in  # deleted in every shard, not left half-used
    monkeypatch.setattr(engine_module, "_engine", real_engine)
    for case in CASES[:8]:
        f = engine_facts(advisor, case)
        assert engine.run(f) == oracle.run(f)
    assert engine._live not in (None, first_session)


def test_a_failed_reset_deletes_the_session_instead(advisor: Advisor, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = durable(advisor)
    oracle = ReferenceEngine(advisor.compiled)
    # the C engine refuses every retraction (patched where the wrapper calls it, which a compiled wrapper does too)
    monkeypatch.setattr(engine_module._engine, "retract_facts", lambda handle, facts: (1, 0))
    for case in CASES[:6]:
        f = engine_facts(advisor, case)
        assert engine.run(f) == oracle.run(f)
        assert engine._live is None


def test_closing_deletes_the_live_session_and_refuses_further_runs(advisor: Advisor) -> None:
    engine = durable(advisor)
    engine.run(engine_facts(advisor, CASES[0]))
    assert engine._live is not None
    engine.close()
    assert engine._live is None
    with pytest.raises(EngineError, match="closed"):
        engine.run(engine_facts(advisor, CASES[0]))


def test_the_property_hash_is_the_engines_fnv_1a() -> None:
    # published FNV-1a 32-bit test vectors; the engine (state.c fnv1Hash32) computes exactly this
    assert engine_name_hash("") == 0x811C9DC5
    assert engine_name_hash("a") == 0xE40C292C
    assert engine_name_hash("foobar") == 0xBF9CF968


def test_properties_never_share_an_engine_hash_nor_take_the_engines_own_names() -> None:
    # Enough facts for the short names to run past "id" and "sid" (base 36 counter values 661 and 36949).
    facts = {f"fact_{i}" for i in range(40_000)} | {"sid", "id", "__begin", "kds::on_demand", "applies:x"}
    props = engine_properties(facts)
    assert set(props) == facts
    hashes = [engine_name_hash(p) for p in props.values()]
    assert len(set(hashes)) == len(hashes)
    own = {*RESERVED_PROPERTIES, "id", "sid"}
    assert not set(hashes) & {engine_name_hash(r) for r in own}
    assert not set(props.values()) & own
    assert all(set(p) <= set(string.ascii_lowercase + string.digits) for p in props.values())
    assert max(len(p) for p in props.values()) <= 4  # short: the wide fact travels in every firing's message


def test_properties_are_deterministic_whatever_the_order_facts_arrive_in() -> None:
    facts = [f"q{i}" for i in range(50)] + ["a::b", "a__b", "A::B"]
    first = engine_properties(set(facts))
    for seed in range(5):
        random.Random(seed).shuffle(facts)
        assert engine_properties(set(facts)) == first
    assert len(set(first.values())) == len(first)


def test_a_session_where_no_action_ran_is_never_deleted(advisor: Advisor) -> None:
    # Deleting such a session crashes durable-rules (it frees pointers it never set; durable-rules-notes.md
    # 2.7). The wrapper no longer primes the session pool against it: it deletes a session only in the
    # shards where an action ran. Run in a child process, so a regression is a failed test, not a dead run.
    import subprocess
    import sys

    script = (
        "import json, durable_rules_engine as C\n"
        "from advisor.inference.evaluation import Advisor\n"
        f"adv = Advisor.from_folder(__import__('pathlib').Path({str(FIXTURE)!r}), 'reference')\n"
        "from advisor.inference.durable.engine import DurableEngine\n"
        "engine = DurableEngine(adv.compiled)\n"
        "C.assert_facts(engine._handles[0], json.dumps([{'sid': 'quiet', 'no_rule_tests_this': 1}]))\n"
        "engine._live = 'quiet'\n"
        "engine._drop_live()\n"
        "engine.close()\n"
        "print('closed')\n"
    )
    env = {**__import__("os").environ, "ADVISOR_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and "closed" in done.stdout, done.stderr


def test_a_value_s_json_text_is_the_encoder_s() -> None:
    """Numbers are written without the JSON encoder (engine._json_text): the same text, and a number JSON cannot
    hold is still refused."""
    rng = random.Random(7)
    values: list[Any] = [0, -0.0, 0.0, 1e300, 5e-324, 2**60, -(2**70), -5, 1.5, 1e-7, True, False, "x", "é\"\\",
                         [1, "a"]]
    values += [rng.uniform(-1e12, 1e12) for _ in range(2000)] + [rng.randint(-2**64, 2**64) for _ in range(200)]
    for value in values:
        assert engine_module._json_text(value) == engine_module._dumps(value)
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError):
            engine_module._json_text(value)
