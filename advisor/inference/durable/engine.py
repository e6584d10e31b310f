"""The durable-rules engine behind a small, safe wrapper. The only module that imports durable.

Why not durable's `Host`: it starts timer threads that can run a session's actions on another thread
(crash), swallows exceptions raised in actions, and spends most of its time per firing on bookkeeping
we do not need. Here the C engine's calls are driven directly, with the guards listed in
../shared/durable-rules-notes.md: a sink rule (no fact is ever "not handled"), an anchor fact asserted
last that fires first-thing rules and makes every session fire at least once (deleting a session where
nothing fired crashes: a session is only ever deleted in the shards where an action ran, which also
makes priming the session pool unnecessary, and saves about 11 ms per primed session at start-up),
deduplication of alternatives, and our own duplicate
tracking for derived facts.

One session serves a run of evaluations: after each, everything it asserted is retracted (anchors
first), because creating a session allocates memories for every join node and cost as much as the
rest of an evaluation. The session is deleted after an error, a failed reset, anything left to fire,
or _REUSE_SESSION evaluations, and when the engine closes; so at most one is alive per shard, far from
the engine's cap of 1024, and memory stays flat (bench/scale_bench.py measures it; bench/fuzz.py and
the tests compare every result with the reference engine).

Each fact is asserted as {sid, <its property>: value, <its typed property>: value}: the engine finds a
fact's tests by hashing its property names, so a property per fact is a lookup where a shared 'q' property
was a scan of every test (see ruleset.engine_properties). Value tests read the typed copy of the value's
kind (bool, number, text), so the engine never compares across kinds ('z' > 100 is true in the engine,
false in Test.holds): the engine's firings are final and are not checked again in Python.

Facts travel as JSON text made once per fact and value (the session key is put in front of it per session).
Per firing the only Python work is reading the rule's name off the front of the engine's message (rule
names are plain ASCII, see ruleset) and recording the best alternative; the message is never decoded.

The durable rules are built here from the engine-neutral variants (ruleset.build_ruleset) and come in
shards (the engine's tables are fixed: see limits); derived facts found in one
shard are asserted into the others until none is new, which reaches the same fixpoint as one ruleset
because derived facts are only ever tested positively.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

import durable_rules_engine as _engine

from advisor.inference.backends import DURABLE
from advisor.inference.compiler import CompiledRuleset, Variant
from advisor.inference.durable.limits import EngineCapacityError, capacity_diagnostics, plan_shards
from advisor.inference.durable.ruleset import (
    ANCHOR,
    ANCHOR_GROUP,
    NEVER,
    SESSION_KEY,
    SINK,
    DurableRuleset,
    anchor_pattern,
    build_ruleset,
    value_kind,
)
from advisor.inference.firing import Firings, canonical
from advisor.shared.diagnostics import InvalidInput
from advisor.sources.rulebase import RuleBase

_REUSE_SESSION = 256
"""Evaluations one session serves before it is deleted and a fresh one opened: a bound on whatever the
engine might keep from retracted facts (the fuzz test found nothing kept, and memory stays flat)."""
_RESULT_OK = 0
_TEXTS_KEPT = 10_000
_UNSET = object()


class EngineError(RuntimeError):
    """The engine misbehaved; this is a bug in the wrapper or the rule compiler, not in the input."""


_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
"""One encoder for every call: json.dumps with options builds a new encoder each time."""


class _Session:
    """One evaluation: the facts known so far and the best firing of each rule, across shards."""

    def __init__(self, sid: str, facts: dict[str, Any], shards: int) -> None:
        self.sid = sid
        self.known = dict(facts)
        self.best: dict[str, tuple[int, Variant]] = {}
        self.derived: list[str] = []
        """Derived facts in the order they were found."""
        self.in_shard: list[set[str]] = [set() for _ in range(shards)]
        """Derived facts already asserted in each shard's session."""
        self.asserted: list[list[str]] = [[] for _ in range(shards)]
        """Every fact asserted in each shard (JSON), in order: retracting them all readies the session for reuse."""
        self.prefix = _dumps({SESSION_KEY: sid})[:-1] + ", "
        """The start of each of this session's facts as JSON: the session key (see DurableEngine._message)."""


def open_durable(compiled: CompiledRuleset, rulebase: RuleBase, plan: dict[str, Any] | None = None) -> DurableEngine:
    """The durable backend for these rules; a rule base too large for the engine is bad input (located
    at the rules that do not fit), not a bug."""
    try:
        return DurableEngine(compiled, plan)
    except EngineCapacityError as exc:
        raise InvalidInput(capacity_diagnostics(rulebase, exc.problems)) from None


class DurableEngine:
    """A compiled ruleset registered in the C engine. Calls are serialised with a lock."""

    name = DURABLE
    _names = itertools.count()

    def __init__(self, compiled: CompiledRuleset, plan: dict[str, Any] | None = None) -> None:
        """`plan`: registration_plan(compiled), when it was made before (the compiled rule base cache keeps it)."""
        self.compiled = compiled
        plan = plan if plan is not None else registration_plan(compiled)
        self._variants: dict[str, Variant | None] = {v.name: v for v in compiled.variants}
        self._variants.update({ANCHOR: None, SINK: None})
        self._carriers: dict[str, tuple[str | None, dict[str, str]]] = plan["carriers"]
        """Fact -> (its plain property or None, {kind: its typed property}), for facts some rule tests."""
        self._texts: dict[tuple[str, type, Any], str | None] = {}
        """(fact, kind and value) -> the JSON of its engine properties (or None: no rule tests it), made once
        (bounded: emptied past _TEXTS_KEPT): encoding the facts cost a tenth of an evaluation."""
        self._lock = threading.Lock()
        self._sessions = itertools.count()
        self._handles: list[int] = []
        self._anchors: list[list[str]] = []
        self._closed = False
        self._live: str | None = None
        """The session evaluations reuse (reset between them), if one is open."""
        self._live_uses = 0
        self._live_in: set[int] = set()
        """Shards where that session exists and an action ran: the only ones where deleting it is safe
        (durable-rules-notes.md 2.7: deleting a session where no action ran frees uninitialised pointers)."""
        self._register(compiled, plan["shards"])

    def _register(self, compiled: CompiledRuleset, shards: list[tuple[str, list[str]]]) -> None:
        """The rules in shards planned within the engine's fixed tables (limits.plan_shards, which
        refuses a rule base that cannot fit before the engine could hang on it). Should the engine still
        reject a shard for a size limit (error 10x: joins per alpha node), each shard is halved and the
        whole registered again; the split is deterministic for a given rule base."""
        ruleset: DurableRuleset | None = None
        groups: list[list[str]] = []
        for _ in range(6):
            try:
                for text, anchors in shards:
                    name = f"advisor{next(self._names)}"
                    self._handles.append(_engine.create_ruleset(name, text))
                    self._anchors.append(anchors)
                return
            except Exception as exc:  # the C engine reports a bad definition as a generic error with a code
                self._free()
                if "error code: 10" not in str(exc):  # only the 10x size limits are worth a smaller shard
                    raise EngineError(f"the engine rejected the compiled ruleset: {exc}") from exc
                last = exc
                if ruleset is None:
                    ruleset = build_ruleset(compiled)
                    groups = plan_shards(ruleset)
                groups = [half for group in groups for half in (group[:len(group) // 2], group[len(group) // 2:])
                          if half]
                shards = _shard_texts(ruleset, groups)
        raise EngineError(f"the engine rejected the compiled ruleset even in {len(groups)} shards: {last}")

    def run(self, facts: dict[str, Any]) -> Firings:
        with self._lock:
            if self._closed:
                raise EngineError("this engine was closed")
            if self._live is None:
                self._live, self._live_uses = f"s{next(self._sessions)}", 0
            session = _Session(self._live, facts, len(self._handles))
            clean = False
            try:
                base = sorted(facts.items())
                for shard in range(len(self._handles)):
                    self._assert_batch(shard, session, base)
                # Feed each shard the derived facts other shards found, until no shard learns anything new.
                changed = len(self._handles) > 1
                while changed:
                    changed = False
                    for shard in range(len(self._handles)):
                        for fact in [f for f in session.derived if f not in session.in_shard[shard]]:
                            self._assert_derived(shard, session, fact)
                            changed = True
                clean = True
            finally:
                self._live_uses += 1
                if not (clean and self._live_uses < _REUSE_SESSION and self._reset(session)):
                    self._drop_live()
            return canonical(self.compiled, session.best, session.known)

    def _reset(self, session: _Session) -> bool:
        """Retract everything this evaluation asserted, so the next one can reuse the session: creating a
        session allocates memories for every join node, about half the cost of a whole evaluation.
        Anchors go first, so no rule testing absence can match while the other facts go. False when the
        engine objects or anything is left to fire: the session is then deleted instead."""
        for shard, handle in enumerate(self._handles):
            anchors = [_dumps({SESSION_KEY: session.sid, anchor: True}) for anchor in self._anchors[shard]]
            try:
                result = _engine.retract_facts(handle, "[" + ", ".join(anchors + session.asserted[shard][::-1]) + "]")
                if result[0] != _RESULT_OK:
                    return False
                if _engine.start_action_for_state(handle, result[1]):
                    _engine.abandon_action(handle, result[1])
                    return False
            except Exception:  # the C engine reports failures as a generic error
                return False
        return True

    def _drop_live(self) -> None:
        if self._live is not None:
            for shard in sorted(self._live_in):
                _engine.delete_state(self._handles[shard], self._live)
            self._live, self._live_in = None, set()

    def _message(self, session: _Session, fact: str, value: Any) -> str | None:
        """The engine fact for this value as JSON, or None when no rule could test it."""
        key = (fact, type(value), repr(value) if isinstance(value, float | list) else value)
        text = self._texts.get(key, _UNSET)
        if text is _UNSET:
            plain, typed = self._carriers[fact]
            message: dict[str, Any] = {}
            if plain is not None:
                message[plain] = value
            kind = _KIND.get(type(value)) or value_kind(value)
            if kind is not None and kind in typed:
                message[typed[kind]] = value
            text = _dumps(message)[1:] if message else None  # what follows the session key
            if len(self._texts) >= _TEXTS_KEPT:
                self._texts.clear()
            self._texts[key] = text
        return None if text is None else session.prefix + text  # type: ignore[operator]

    def _assert_batch(self, shard: int, session: _Session, facts: list[tuple[str, Any]]) -> None:
        # Facts no rule tests are left out: they cannot change what fires, and each costs the engine time.
        carriers = self._carriers
        batch = [m for q, v in facts if q in carriers and (m := self._message(session, q, v)) is not None]
        session.asserted[shard] += batch
        # Anchors last: rules testing absence are joined on them, so they see every answer.
        batch += [_dumps({SESSION_KEY: session.sid, anchor: True}) for anchor in self._anchors[shard]]
        result = _engine.assert_facts(self._handles[shard], "[" + ", ".join(batch) + "]")
        if result[0] != _RESULT_OK:
            raise EngineError(f"asserting the answers failed with result {result[0]}")
        self._drain(shard, session, result[1])

    def _assert_derived(self, shard: int, session: _Session, fact: str) -> None:
        state_handle = self._assert_one(shard, session, fact)
        if state_handle is not None:
            self._drain(shard, session, state_handle)

    def _assert_one(self, shard: int, session: _Session, fact: str) -> int | None:
        """Assert one derived fact in this shard (recorded for the reset); the state handle to drain, or
        None when no rule tests the fact."""
        session.in_shard[shard].add(fact)
        if fact not in self._carriers:
            return None
        message = self._message(session, fact, session.known[fact])
        if message is None:
            return None
        session.asserted[shard].append(message)
        result = _engine.assert_fact(self._handles[shard], message)
        if result[0] != _RESULT_OK:
            raise EngineError(f"asserting derived fact {fact} failed with result {result[0]}")
        return int(result[1])

    def _drain(self, shard: int, session: _Session, state_handle: int) -> None:
        """Run the agenda of this session in this shard until it is empty."""
        handle = self._handles[shard]
        started = _engine.start_action_for_state(handle, state_handle)
        message = started[1] if started else None
        if message:
            self._live_in.add(shard)
        variants = self._variants
        try:
            while message:
                # The message is {"<rule name>": {bound facts}}; only the name is needed. A name this
                # wrapper did not define (never seen) is read the slow, exact way.
                name = message[2:message.find('"', 2)]
                if name in variants:
                    self._fire(shard, session, variants[name])
                else:
                    for name in json.loads(message):
                        self._fire(shard, session, self._variants[name])
                message = _engine.complete_and_start_action(handle, state_handle)
        except BaseException:
            _engine.abandon_action(handle, state_handle)
            raise

    def _fire(self, shard: int, session: _Session, variant: Variant | None) -> None:
        if variant is None:  # the anchor or sink rule
            return
        current = session.best.get(variant.rule)
        if current is not None and current[0] <= variant.index:
            return
        session.best[variant.rule] = (variant.index, variant)
        if current is not None:
            return
        for fact, value in self.compiled.derives[variant.rule]:
            if fact in session.known:
                continue
            session.known[fact] = value
            session.derived.append(fact)
            self._assert_one(shard, session, fact)  # the enclosing _drain runs what it activates

    def _free(self) -> None:
        for handle in self._handles:
            _engine.delete_ruleset(handle)
        self._handles = []
        self._anchors = []

    def close(self) -> None:
        """Free the rulesets in the C engine (no session is alive between runs)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._drop_live()
                self._free()


_KIND = {bool: "b", int: "n", float: "n", str: "s"}
"""ruleset.value_kind by exact type (answers and derived values are plain bool, int, float, str or list)."""


def registration_plan(compiled: CompiledRuleset) -> dict[str, Any]:
    """What registering these rules takes, worked out from the compiled rules alone (plain data, so the
    compiled rule base cache can keep it): each shard's definition as JSON text with its anchor facts, and
    the carriers (see DurableEngine._carriers). EngineCapacityError when the rules cannot fit."""
    ruleset = build_ruleset(compiled)
    return {"carriers": _carriers(ruleset), "shards": _shard_texts(ruleset, plan_shards(ruleset))}


def _shard_texts(ruleset: DurableRuleset, groups: list[list[str]]) -> list[tuple[str, list[str]]]:
    out = []
    for group in groups:
        definition, anchors = _shard_definition(ruleset.rules, group)
        out.append((_dumps(definition), anchors))
    return out


def _carriers(ruleset: DurableRuleset) -> dict[str, tuple[str | None, dict[str, str]]]:
    facts = {f for f in ruleset.properties if "\0" not in f} | set(ruleset.typed)
    return {f: (ruleset.properties.get(f), ruleset.typed.get(f, {})) for f in sorted(facts)}


def _shard_definition(rules: dict[str, dict[str, Any]], names: list[str]) -> tuple[dict[str, Any], list[str]]:
    """A ruleset for these engine rules, with the anchor placeholder spread over several anchor facts
    (at most ANCHOR_GROUP rules join one), plus the sink and first-fire rules."""
    definition: dict[str, Any] = {
        # no fact is "not handled": every fact has the session key
        SINK: {"all": [{"a": {"$ex": {SESSION_KEY: 1}}}, {"b": {"$ex": {NEVER: 1}}}]},
        ANCHOR: {"all": [{"m": {"$ex": {ANCHOR: 1}}}]},  # every session fires once (deleting one that did not crashes)
    }
    anchors = [ANCHOR]
    anchored = 0
    for name in names:
        # Only the first pattern may change: a copy of the rule and of its pattern list is enough (a deep
        # copy of every rule was most of the engine's start-up)
        rule = {**rules[name], "all": list(rules[name]["all"])}
        patterns = rule["all"]
        if patterns and patterns[0] == anchor_pattern(ANCHOR):
            group = anchored // ANCHOR_GROUP
            anchor = ANCHOR if group == 0 else f"{ANCHOR}{group}"
            if anchor not in anchors:
                anchors.append(anchor)
            patterns[0] = anchor_pattern(anchor)
            anchored += 1
        definition[name] = rule
    return definition, anchors
