"""The durable-rules engine behind a small, safe wrapper. The only module that imports durable.

Why not durable's `Host`: it starts timer threads that can run a session's actions on another thread
(crash), swallows exceptions raised in actions, and spends most of its time per firing on bookkeeping
we do not need. Here the C engine's calls are driven directly, with the guards listed in
../shared/durable-rules-notes.md: a sink rule (no fact is ever "not handled"), a first-thing rule on
the wide fact that makes every session fire at least once (deleting a session where nothing fired
crashes: a session is only ever deleted in the shards where an action ran, which also makes priming the
session pool unnecessary, and saves about 11 ms per primed session at start-up), deduplication of
alternatives, and our own duplicate tracking for derived facts. The first-thing rule also needs a fresh
fact, asserted with a session's first wide facts only: it fires once per session and shard, not once per
evaluation (its message would carry the whole wide fact), while every wide fact still reaches its
pattern and so is "handled".

One session serves a run of evaluations: after each, everything it asserted is retracted (each fact by the
identity the wrapper gives it, its `id`, so the engine does not read the whole fact again), because
creating a session allocates memories for every join node and cost as much as the rest of an
evaluation. The session is deleted after an error, a failed reset, anything left to fire,
or _REUSE_SESSION evaluations, and when the engine closes; so at most one is alive per shard, far from
the engine's cap of 1024, and memory stays flat (bench/scale_bench.py measures it; bench/fuzz.py and
the tests compare every result with the reference engine).

The answers and calculated values go in as ONE wide fact per shard, {sid, WIDE: 1, <property>: value,
<typed property>: value, ...}, and each rule's tests on them are one pattern (see ruleset): matching is a
walk of the engine's alpha network, with no joins and no anchor facts; a derived fact is a small fact
{sid, <property>: value, <typed property>: value} joined to it. The engine finds a fact's tests by hashing
its property names (see ruleset.engine_properties). Value tests read the typed copy of the value's kind
(bool, number, text), so the engine never compares across kinds ('z' > 100 is true in the engine, false
in Test.holds): the engine's firings are final and are not checked again in Python.

Facts travel as JSON text put together from pieces made once per fact and value for every shard (the
session key is put in front per session).
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
import math
import threading
from typing import Any, ClassVar, cast

import durable_rules_engine as _engine
from mypy_extensions import mypyc_attr

from advisor.inference.backends import DURABLE
from advisor.inference.compiler import CompiledRuleset, Variant
from advisor.inference.durable.limits import (
    ALPHA_STACK_BUDGET,
    EngineCapacityError,
    alpha_groups,
    capacity_diagnostics,
    plan_shards,
)
from advisor.inference.durable.ruleset import (
    BEGIN,
    FRESH,
    NEVER,
    SESSION_KEY,
    SINK,
    WIDE,
    WIDE_PATTERN,
    DurableRuleset,
    build_ruleset,
    value_kind,
    variant_properties,
)
from advisor.inference.firing import Firings, canonical
from advisor.shared.diagnostics import InvalidInput
from advisor.sources.rulebase import RuleBase

_REUSE_SESSION = 256
"""Evaluations one session serves before it is deleted and a fresh one opened: a bound on whatever the
engine might keep from retracted facts (the fuzz test found nothing kept, and memory stays flat)."""
_RESULT_OK = 0
_TEXTS_KEPT = 10_000


_UNKNOWN = object()
ENGINE_ID = "id"
"""The property that gives a fact its identity in the engine (ruleset.ENGINE_NAMES): a retraction need only
name it, instead of the engine reading a whole wide fact again to hash it."""
_WIDE_ID = "#wide"
_FRESH_ID = "#fresh"
"""The identities of the wide and fresh facts (a derived fact's is its name, which never starts with '#')."""
_Firing = tuple[str, int, tuple[int, Variant], tuple[tuple[str, Any], ...]]
"""A variant's rule, index, entry in _Session.best and what the rule derives."""


@mypyc_attr(native_class=False)  # compiled (hatch_build.py), a class can derive from RuntimeError only as Python
class EngineError(RuntimeError):
    """The engine misbehaved; this is a bug in the wrapper or the rule compiler, not in the input."""


_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
"""One encoder for every call: json.dumps with options builds a new encoder each time."""


class _SessionTexts:
    """The JSON every evaluation of one live session puts around its facts, made once per session."""

    def __init__(self, sid: str) -> None:
        self.prefix = _dumps({SESSION_KEY: sid})[:-1] + ", "
        """The start of each of this session's facts as JSON: the session key (see DurableEngine._piece)."""
        self.wide_prefix = self.prefix + _dumps({WIDE: 1, ENGINE_ID: _WIDE_ID})[1:-1]
        """The start of this session's wide facts."""
        self.wide_retraction = self.prefix + _dumps({ENGINE_ID: _WIDE_ID})[1:]
        self.fresh = self.prefix + _dumps({FRESH: 1, ENGINE_ID: _FRESH_ID})[1:]
        """The fact asserted with a session's first wide facts (see _shard_definition)."""
        self.fresh_retraction = self.prefix + _dumps({ENGINE_ID: _FRESH_ID})[1:]

    def small(self, fact: str, piece: str) -> tuple[str, str]:
        """A derived fact's small fact in JSON (its session, engine properties and identity) and its retraction."""
        identity = _dumps({ENGINE_ID: fact})[1:]
        return self.prefix + piece + ", " + identity, self.prefix + identity


class _Session:
    """One evaluation: the facts known so far and the best firing of each rule, across shards."""

    def __init__(self, texts: _SessionTexts, facts: dict[str, Any], shards: int) -> None:
        self.texts = texts
        self.known = dict(facts)
        self.best: dict[str, tuple[int, Variant]] = {}
        self.derived: list[str] = []
        """Derived facts in the order they were found."""
        self.in_shard: list[set[str]] = [set() for _ in range(shards)]
        """Derived facts already asserted in each shard's session."""
        self.asserted: list[list[str]] = [[] for _ in range(shards)]
        """Per shard, each fact asserted as its retraction (JSON of its session and identity), in order: retracting
        them all readies the session for reuse."""


def open_durable(compiled: CompiledRuleset, rulebase: RuleBase, plan: dict[str, Any] | None = None) -> DurableEngine:
    """The durable backend for these rules; a rule base too large for the engine is bad input (located
    at the rules that do not fit), not a bug."""
    try:
        return DurableEngine(compiled, plan)
    except EngineCapacityError as exc:
        raise InvalidInput(capacity_diagnostics(rulebase, exc.problems)) from None


class DurableEngine:
    """A compiled ruleset registered in the C engine. Calls are serialised with a lock."""

    # ClassVar: class attributes also when compiled (hatch_build.py), where an unmarked one is per instance
    name: ClassVar[str] = DURABLE
    _names: ClassVar[itertools.count[int]] = itertools.count()

    def __init__(self, compiled: CompiledRuleset, plan: dict[str, Any] | None = None) -> None:
        """`plan`: registration_plan(compiled), when it was made before (the compiled rule base cache keeps it)."""
        self.compiled = compiled
        plan = plan if plan is not None else registration_plan(compiled)
        self._firings: dict[str, _Firing | None] = {
            v.name: (v.rule, v.index, (v.index, v), compiled.derives[v.rule]) for v in compiled.variants}
        """Engine rule name -> what its firing records (None: the wrapper's own rules)."""
        self._firings.update({BEGIN: None, SINK: None})
        self._derived: frozenset[str] = frozenset(plan["derived"])
        """Facts rules derive: asserted as small facts of their own (see ruleset)."""
        self._layouts: dict[str, list[tuple[int, str | None, dict[str, str]]]] = {}
        """Fact -> (shard, its plain property as JSON or None, {kind: its typed property as JSON}) for each shard
        whose rules test it: a shard's facts carry only the properties it tests (its carriers, see _carriers),
        with the property names encoded once."""
        self._texts: dict[tuple[str, type, Any], tuple[tuple[int, str], ...]] = {}
        """(fact, kind and value) -> _pieces, made once (bounded: emptied past _TEXTS_KEPT)."""
        self._lock = threading.Lock()
        self._sessions = itertools.count()
        self._handles: list[int] = []
        self._closed = False
        self._live: str | None = None
        """The session evaluations reuse (reset between them), if one is open."""
        self._live_uses = 0
        self._live_texts = _SessionTexts("")
        """Its _SessionTexts."""
        self._live_in: set[int] = set()
        """Shards where that session exists and an action ran: the only ones where deleting it is safe
        (durable-rules-notes.md 2.7: deleting a session where no action ran frees uninitialised pointers)."""
        self._register(compiled, plan["shards"])

    def _register(self, compiled: CompiledRuleset, shards: list[tuple[str, dict[str, Any]]]) -> None:
        """The rules in shards planned within the engine's fixed tables (limits.plan_shards, which
        refuses a rule base that cannot fit before the engine could hang on it). Should the engine still
        reject a shard for a size limit (error 10x: joins per alpha node), each shard is halved and the
        whole registered again; the split is deterministic for a given rule base."""
        ruleset: DurableRuleset | None = None
        groups: list[list[str]] = []
        for _ in range(6):
            try:
                for text, carriers in shards:
                    name = f"advisor{next(self._names)}"
                    shard = len(self._handles)
                    self._handles.append(_engine.create_ruleset(name, text))
                    for fact, (plain, typed) in carriers.items():
                        self._layouts.setdefault(fact, []).append(
                            (shard, None if plain is None else _dumps(plain),
                             {kind: _dumps(p) for kind, p in typed.items()}))
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
                self._live_texts = _SessionTexts(self._live)
            session = _Session(self._live_texts, facts, len(self._handles))
            clean = False
            try:
                self._assert_all(session, facts, self._live_uses == 0)
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
        False when the engine objects or anything is left to fire: the session is then deleted instead."""
        for shard, handle in enumerate(self._handles):
            try:
                result = _engine.retract_facts(handle, "[" + ", ".join(session.asserted[shard][::-1]) + "]")
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

    def _pieces(self, fact: str, value: Any) -> tuple[tuple[int, str], ...]:
        """(shard, the engine properties of this value in that shard as JSON without braces) for each shard
        where some rule tests the fact."""
        cls = value.__class__
        key = (fact, cls, repr(value)) if cls is float or cls is list else (fact, cls, value)
        pieces = self._texts.get(key)
        if pieces is None:
            kind = _KIND.get(type(value)) or value_kind(value)
            text = _json_text(value)  # once, whatever the number of shards and properties that carry it
            found = []
            for shard, plain, typed in self._layouts.get(fact, ()):
                typed_key = typed.get(kind) if kind is not None else None
                if plain is not None:
                    found.append((shard, f"{plain}: {text}" if typed_key is None
                                  else f"{plain}: {text}, {typed_key}: {text}"))
                elif typed_key is not None:
                    found.append((shard, f"{typed_key}: {text}"))
            pieces = tuple(found)
            if len(self._texts) >= _TEXTS_KEPT:
                self._texts.clear()
            self._texts[key] = pieces
        return pieces

    def _assert_all(self, session: _Session, facts: dict[str, Any], fresh: bool) -> None:
        """Each shard's wide fact (every answer and calculated value its rules test; always asserted) and a
        small fact per derived fact given, in one batch per shard; `fresh`: the session's first evaluation,
        whose batches also hold the fact that makes the first-thing rule fire."""
        derived, texts = self._derived, self._texts
        session_texts = session.texts
        wide: list[list[str]] = [[session_texts.wide_prefix] for _ in self._handles]
        small: list[list[str]] = [[session_texts.fresh] if fresh else [] for _ in self._handles]
        retractions: list[list[str]] = [[session_texts.fresh_retraction] if fresh else [] for _ in self._handles]
        # in the facts' own order: which rules fire does not depend on it
        for q, v in facts.items():
            cls = v.__class__
            pieces = texts.get((q, cls, repr(v)) if cls is float or cls is list else (q, cls, v))
            if pieces is None:
                pieces = self._pieces(q, v)
            if q in derived:
                for shard, piece in pieces:
                    fact, retraction = session_texts.small(q, piece)
                    small[shard].append(fact)
                    retractions[shard].append(retraction)
            else:
                for shard, piece in pieces:
                    wide[shard].append(piece)
        for shard, handle in enumerate(self._handles):
            batch = small[shard]
            batch.append(", ".join(wide[shard]) + "}")
            session.asserted[shard] += retractions[shard]
            session.asserted[shard].append(session_texts.wide_retraction)
            result = _engine.assert_facts(handle, "[" + ", ".join(batch) + "]")
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
        piece = dict(self._pieces(fact, session.known[fact])).get(shard)
        if piece is None:
            return None
        message, retraction = session.texts.small(fact, piece)
        session.asserted[shard].append(retraction)
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
        firings, best = self._firings, session.best
        try:
            while message:
                # The message is {"<rule name>": {bound facts}}; only the name is needed. A name this
                # wrapper did not define (never seen) is read the slow, exact way.
                firing = firings.get(message[2:message.find('"', 2)], _UNKNOWN)
                if firing is _UNKNOWN:
                    for name in json.loads(message):
                        self._fire(shard, session, firings[name])
                elif firing is not None:  # not the first-thing or sink rule: _fire, inlined for speed
                    rule, index, entry, derives = cast(_Firing, firing)
                    current = best.get(rule)
                    if current is None:
                        best[rule] = entry
                        if derives:
                            self._derive(shard, session, derives)
                    elif current[0] > index:
                        best[rule] = entry
                message = _engine.complete_and_start_action(handle, state_handle)
        except BaseException:
            _engine.abandon_action(handle, state_handle)
            raise

    def _fire(self, shard: int, session: _Session, firing: _Firing | None) -> None:
        """Record a firing: the rule's best (lowest-numbered) alternative so far, and on its first firing
        what it derives."""
        if firing is None:  # the first-thing or sink rule
            return
        rule, index, entry, derives = firing
        current = session.best.get(rule)
        if current is not None and current[0] <= index:
            return
        session.best[rule] = entry
        if current is None and derives:
            self._derive(shard, session, derives)

    def _derive(self, shard: int, session: _Session, derives: tuple[tuple[str, Any], ...]) -> None:
        for fact, value in derives:
            if fact in session.known:
                continue
            session.known[fact] = value
            session.derived.append(fact)
            self._assert_one(shard, session, fact)  # the enclosing _drain runs what it activates

    def _free(self) -> None:
        for handle in self._handles:
            _engine.delete_ruleset(handle)
        self._handles = []
        self._layouts = {}

    def close(self) -> None:
        """Free the rulesets in the C engine (no session is alive between runs)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._drop_live()
                self._free()


def _json_text(value: Any) -> str:
    """_dumps(value), with the encoder's own text for a number made directly: a heavy scenario's random numbers
    are new values (about 8 per evaluation), and the encoder's Python layers cost more than the number's text."""
    cls = value.__class__
    if cls is int or (cls is float and math.isfinite(value)):
        return repr(value)  # what the encoder writes for a plain int or a finite float (float.__repr__)
    return _dumps(value)


_KIND = {bool: "b", int: "n", float: "n", str: "s"}
"""ruleset.value_kind by exact type (answers and derived values are plain bool, int, float, str or list)."""


def registration_plan(compiled: CompiledRuleset) -> dict[str, Any]:
    """What registering these rules takes, worked out from the compiled rules alone (plain data, so the
    compiled rule base cache can keep it): each shard's definition as JSON text with its carriers (see
    _carriers), and the derived facts. EngineCapacityError when the rules cannot fit."""
    ruleset = build_ruleset(compiled)
    return {"derived": sorted(ruleset.derived), "shards": _shard_texts(ruleset, plan_shards(ruleset))}


def _shard_texts(ruleset: DurableRuleset, groups: list[list[str]]) -> list[tuple[str, dict[str, Any]]]:
    return [(_dumps(_shard_definition(ruleset, group)), _carriers(ruleset, group)) for group in groups]


def _carriers(ruleset: DurableRuleset, names: list[str]) -> dict[str, tuple[str | None, dict[str, str]]]:
    variants = {v.name: v for v in ruleset.compiled.variants}
    tested = {p for name in names for p in variant_properties(variants[name], ruleset.properties)}
    out: dict[str, tuple[str | None, dict[str, str]]] = {}
    for fact in sorted({f for f in ruleset.properties if "\0" not in f} | set(ruleset.typed)):
        plain = ruleset.properties.get(fact)
        typed = {kind: p for kind, p in ruleset.typed.get(fact, {}).items() if p in tested}
        if plain in tested or typed:
            out[fact] = (plain if plain in tested else None, typed)
    return out


def _guards(place: tuple[int, ...]) -> list[dict[str, Any]]:
    """The wide pattern's first tests, always true on the wide fact: its place in the tree of groups."""
    return [{"$gte": {WIDE: -index}} for index in place]


def _shard_definition(ruleset: DurableRuleset, names: list[str]) -> dict[str, Any]:
    """A ruleset for these engine rules, each wide pattern placed in the tree of groups that bounds the
    engine's alpha walk (limits.alpha_groups), plus the sink and first-thing rules."""
    places, bound = alpha_groups(ruleset, names)
    if bound > ALPHA_STACK_BUDGET:  # cannot happen: alpha_groups picks its levels within the budget
        raise EngineError(f"the rules' alpha walk may need {bound} stack entries")
    first = next(iter(places.values()), (0,))
    definition: dict[str, Any] = {
        # no small fact is "not handled"; the wide fact always matches the first-thing rule
        SINK: {"all": [{"a": {"$nex": {WIDE: 1}}}, {"b": {"$ex": {NEVER: 1}}}]},
        # every session fires once (deleting one that did not crashes): in its first evaluation, the only one
        # given the fresh fact (retracted with the rest); every wide fact reaches this rule, so is handled
        BEGIN: {"all": [{"m": {"$and": _guards(tuple(0 for _ in first))}}, {"f": {"$ex": {FRESH: 1}}}]},
    }
    for name in names:
        wide = ruleset.wide[name]
        patterns = [] if wide is None else [{WIDE_PATTERN: {"$and": _guards(places[name]) + wide}}]
        definition[name] = {"all": patterns + ruleset.joined[name]}
    return definition
