"""The durable-rules engine behind a small, safe wrapper. The only module that imports durable.

Why not durable's `Host`: it starts timer threads that can run a session's
actions on another thread (crash), swallows exceptions raised in actions,
and spends most of its time per firing on bookkeeping we do not need. Here
the C engine's calls are driven directly, one session per evaluation, always
deleted, with the guards listed in ../shared/durable-rules-notes.md:
a sink rule (no fact is ever "not handled"), an anchor fact asserted last
that fires first-thing rules and makes every session fire at least once
(deleting a session where nothing fired crashes), a primed session pool,
deduplication of alternatives, and our own duplicate tracking for derived facts.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from typing import Any

import durable_rules_engine as _engine

from advisor.compiler import ANCHOR, SINK, CompiledRuleset, Variant
from advisor.firing import Firings, canonical

_PRIME_SESSIONS = 8
_RESULT_OK = 0
_RESULT_NOT_HANDLED = 1
_RESULT_OBSERVED = 2


class EngineError(RuntimeError):
    """The engine misbehaved; this is a bug in the wrapper or the rule compiler, not in the input."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


class DurableEngine:
    """One compiled ruleset registered in the C engine. Not thread-safe by design: calls are serialised."""

    _names = itertools.count()

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.compiled = compiled
        self._variants: dict[str, Variant] = {v.name: v for v in compiled.variants}
        self._lock = threading.Lock()
        self._sessions = itertools.count()
        self._name = f"advisor{next(self._names)}"
        definition = copy.deepcopy(compiled.definition)
        try:
            self._handle = _engine.create_ruleset(self._name, _dumps(definition))
        except Exception as exc:  # the C engine reports bad definitions as a generic error
            raise EngineError(f"the engine rejected the compiled ruleset: {exc}") from exc
        self._closed = False
        # Segfault guard: several sessions alive at once, each firing the anchor rule, then deleted.
        primes = [f"prime{i}" for i in range(_PRIME_SESSIONS)]
        for sid in primes:
            self._run_session(sid, [])
        for sid in primes:
            _engine.delete_state(self._handle, sid)

    def run(self, facts: dict[str, Any]) -> Firings:
        with self._lock:
            if self._closed:
                raise EngineError("this engine was closed")
            sid = f"s{next(self._sessions)}"
            try:
                known, best = self._run_session(sid, sorted(facts.items()))
            finally:
                _engine.delete_state(self._handle, sid)
            return canonical(self.compiled, best, known)

    def _run_session(self, sid: str, facts: list[tuple[str, Any]]
                     ) -> tuple[dict[str, Any], dict[str, tuple[int, Variant]]]:
        known = dict(facts)
        batch = [{"sid": sid, "q": q, "v": v} for q, v in facts]
        batch.append({"sid": sid, "q": ANCHOR, "v": True})  # last: absence tests see every answer
        result = _engine.assert_facts(self._handle, _dumps(batch))
        if result[0] != _RESULT_OK:
            raise EngineError(f"asserting the answers failed with result {result[0]}")
        state_handle = result[1]
        best: dict[str, tuple[int, Variant]] = {}
        started = _engine.start_action_for_state(self._handle, state_handle)
        message = started[1] if started else None
        try:
            while message:
                for name, bound in json.loads(message).items():
                    self._fire(sid, name, bound, known, best)
                message = _engine.complete_and_start_action(self._handle, state_handle)
        except BaseException:
            _engine.abandon_action(self._handle, state_handle)
            raise
        return known, best

    def _fire(self, sid: str, name: str, bound: dict[str, Any], known: dict[str, Any],
              best: dict[str, tuple[int, Variant]]) -> None:
        if name in (ANCHOR, SINK):
            return
        variant = self._variants[name]
        if not variant.holds(known):  # catches the engine's loose type coercion ('z' > 100 is true there)
            raise EngineError(f"{name} fired on {bound!r}, but its condition does not hold")
        current = best.get(variant.rule)
        if current is not None and current[0] <= variant.index:
            return
        best[variant.rule] = (variant.index, variant)
        if current is not None:
            return
        for fact, value in self.compiled.derives[variant.rule]:
            if fact in known:
                continue
            known[fact] = value
            result = _engine.assert_fact(self._handle, _dumps({"sid": sid, "q": fact, "v": value}))
            if result[0] != _RESULT_OK:
                raise EngineError(f"asserting derived fact {fact} failed with result {result[0]}")

    def close(self) -> None:
        """Free the ruleset in the C engine (no session is alive between runs)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                _engine.delete_ruleset(self._handle)

