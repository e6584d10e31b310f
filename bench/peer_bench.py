"""Peer benchmark: our inference (durable-rules backend, reference engine) next to CLIPS 6.4 (clipspy) and
experta, on the same compiled rules and the same facts, in one process and one run.

    .venv/bin/pip install -e '.[bench]'          # clipspy and experta: never runtime dependencies
    taskset -c 1 .venv/bin/python bench/peer_bench.py [--generated 300] [--runs 5] [--gen-runs 2] [--no-experta]

How the peers get the rules: one peer rule per compiled variant (one DNF alternative of a rule's condition),
translated mechanically from advisor.inference.compiler.Variant:
- a fact becomes a CLIPS deftemplate / an experta Fact class with one slot `v`; only facts some rule tests
  are asserted (as in our durable wrapper: others cannot change what fires);
- `exists` is a bare pattern, an absence is `(not ...)` / NOT(...);
- value tests keep compiler.Test.holds's typed meaning (eq/neq only within a kind, ordering only on
  numbers, nothing but `exists` on a list). In CLIPS a bool/text equality is a literal slot constraint
  (hashed alpha memory), anything else one predicate constraint with a type guard; a list is asserted as
  a symbol no typed test accepts. In experta each distinct test is one shared predicate.
- the right-hand side records the firing; derived facts are asserted on a rule's first firing unless
  already known, as both of our engines do.
A probe checks every distinct compiled test in both translations against Test.holds before timing.

The facts every engine gets are exactly what Advisor.infer hands its engine (captured with a stand-in
engine), and every engine answers with advisor.inference.firing.Firings built by firing.canonical(), so
results are compared with `==`. The reference engine gives the expected result; every timed call of every
engine is compared with it outside the timed region, and any mismatch marks the run INVALID (exit 1).

Timing: each call timed alone; per scenario the median over runs, then the median over scenarios; engines
interleaved per run in a rotating order after an untimed warm-up, gc.freeze() after setup. Compare ratios
within one run only: other work on the machine moves absolute figures.
"""

from __future__ import annotations

import argparse
import collections
import collections.abc
import gc
import importlib.metadata
import math
import operator
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import generate  # noqa: E402

from advisor.inference.compiler import CompiledRuleset, Test, Variant  # noqa: E402
from advisor.inference.evaluation import Advisor  # noqa: E402
from advisor.inference.firing import Firings, ReferenceEngine, canonical  # noqa: E402
from advisor.sources.answers import load_scenario  # noqa: E402
from advisor.sources.discovery import find_scenarios  # noqa: E402
from advisor.sources.rulebase import load_rulebase  # noqa: E402

Facts = dict[str, Any]


def tested_facts(compiled: CompiledRuleset) -> list[str]:
    """Facts some variant tests, in a stable order: the only ones the peers are given."""
    found = {f for v in compiled.variants for f in (*(f for f, _ in v.positives), *v.absences)}
    return sorted(found)


class FactCapture:
    """An engine stand-in that keeps the facts Advisor.infer passes to it."""

    name = "capture"

    def __init__(self) -> None:
        self.seen: Facts = {}

    def run(self, facts: Facts) -> Firings:
        self.seen = facts
        return Firings({}, {})

    def close(self) -> None:
        pass


def engine_inputs(advisor: Advisor, answers: list[Any]) -> list[Facts]:
    real, capture = advisor.engine, FactCapture()
    advisor.engine = capture
    try:
        out = []
        for a in answers:
            advisor.infer(a)
            out.append(capture.seen)
        return out
    finally:
        advisor.engine = real


class Outcome:
    """Best alternative per rule and derived facts from a sequence of firings (what DurableEngine._fire does)."""

    __slots__ = ("best", "known", "new")

    def __init__(self, facts: Facts) -> None:
        self.best: dict[str, tuple[int, Variant]] = {}
        self.known = dict(facts)
        self.new: list[tuple[str, Any]] = []

    def fired(self, variant: Variant, derives: dict[str, tuple[tuple[str, Any], ...]]) -> None:
        held = self.best.get(variant.rule)
        if held is not None and held[0] <= variant.index:
            return
        self.best[variant.rule] = (variant.index, variant)
        if held is None:
            for fact, value in derives[variant.rule]:
                if fact not in self.known:
                    self.known[fact] = value
                    self.new.append((fact, value))


# ---- typed semantics shared by both translations ---------------------------------------------------------


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


ORDER = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}
CLIPS_ORDER = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def predicate(test: Test) -> Callable[[Any], bool]:
    """test as a Python predicate with Test.holds's meaning, for experta."""
    op, value = test.op, test.value
    if op == "exists":
        return lambda x: True
    if op == "and":
        parts = [predicate(t) for t in value]
        return lambda x: all(p(x) for p in parts)
    if op in ORDER:
        compare = ORDER[op]
        return lambda x: is_number(x) and compare(x, value)
    same = op == "eq"
    if isinstance(value, bool):
        return lambda x: isinstance(x, bool) and (x == value) == same
    if is_number(value):
        return lambda x: is_number(x) and (x == value) == same
    return lambda x: type(x) is type(value) and (x == value) == same


MULTI = "LIST__"
"""How a list value is asserted in CLIPS: a symbol that no typed test accepts (only `exists` holds on a list)."""


def clips_value(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value} has no CLIPS form")
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return MULTI
    raise TypeError(f"no CLIPS form for {value!r}")


def clips_terms(test: Test, var: str) -> list[str]:
    op, value = test.op, test.value
    if op == "exists":
        return []
    if op == "and":
        return [term for t in value for term in clips_terms(t, var)]
    if op in CLIPS_ORDER:
        return [f"(numberp {var})", f"({CLIPS_ORDER[op]} {var} {clips_value(value)})"]
    same = op == "eq"
    if isinstance(value, bool):
        return [f"(eq {var} {clips_value(value if same else not value)})"]
    if is_number(value):
        return [f"(numberp {var})", f"({'=' if same else '<>'} {var} {clips_value(value)})"]
    return [f"(stringp {var})", f"({'eq' if same else 'neq'} {var} {clips_value(value)})"]


def clips_pattern(template: str, test: Test, var: str) -> str:
    if test.op == "exists":
        return f"({template})"
    if test.op == "eq" and isinstance(test.value, bool | str):
        return f"({template} (v {clips_value(test.value)}))"
    if test.op == "neq" and isinstance(test.value, bool):
        return f"({template} (v {clips_value(not test.value)}))"
    terms = list(dict.fromkeys(clips_terms(test, var)))
    return f"({template} (v {var}&:{terms[0] if len(terms) == 1 else '(and ' + ' '.join(terms) + ')'}))"


# ---- the peers -------------------------------------------------------------------------------------------


class ClipsPeer:
    """The variants as CLIPS defrules; facts asserted through CLIPS's FactBuilder (clipspy's cffi lib)."""

    name = "clips"

    def __init__(self, compiled: CompiledRuleset) -> None:
        import clips
        from clips._clips import ffi, lib
        from clips.common import environment_builder
        from clips.values import clips_value as to_clips

        self.compiled = compiled
        templates = {fact: f"t{i}" for i, fact in enumerate(tested_facts(compiled))}
        env = clips.Environment()
        env.build("(defglobal ?*fired* = (create$))")
        for name in templates.values():
            env.build(f"(deftemplate {name} (slot v))")
        for i, variant in enumerate(compiled.variants):
            lhs = [clips_pattern(templates[f], t, f"?x{k}") for k, (f, t) in enumerate(variant.positives)]
            lhs += [f"(not ({templates[f]}))" for f in variant.absences]
            rhs = [f"(bind ?*fired* (create$ ?*fired* {i}))"]
            for fact, value in compiled.derives[variant.rule]:
                if fact in templates:
                    rhs.append(
                        f"(if (not (any-factp ((?d {templates[fact]})) TRUE)) then "
                        f"(assert ({templates[fact]} (v {clips_value(value)}))))"
                    )
            env.build(f"(defrule r{i} {' '.join(lhs)} => {' '.join(rhs)})")
        env.reset()
        self.env, self._lib, self._null, self._to_clips = env, lib, ffi.NULL, to_clips
        self._fired = env.find_global("fired")
        self._builder = environment_builder(env._env, "fact")
        self._names = {fact: name.encode() for fact, name in templates.items()}
        self._multi = clips.Symbol(MULTI)

    def run(self, facts: Facts) -> Firings:
        # Not Template.assert_fact: its TemplateFact wrappers retain every fact and make later resets slower.
        lib, raw, builder, to_clips = self._lib, self.env._env, self._builder, self._to_clips
        self.env.reset()
        for fact, value in facts.items():
            name = self._names.get(fact)
            if name is None:
                continue
            lib.FBSetDeftemplate(builder, name)
            if lib.FBPutSlot(builder, b"v", to_clips(raw, self._multi if isinstance(value, list) else value)):
                raise RuntimeError(f"CLIPS refused {fact} = {value!r}")
            if lib.FBAssert(builder) == self._null:
                raise RuntimeError(f"CLIPS could not assert {fact} = {value!r}")
        self.env.run()
        outcome = Outcome(facts)
        variants, derives = self.compiled.variants, self.compiled.derives
        for i in self._fired.value:
            outcome.fired(variants[i], derives)
        return canonical(self.compiled, outcome.best, outcome.known)

    def close(self) -> None:
        pass


def import_experta() -> Any:
    if not hasattr(collections, "Mapping"):  # experta 1.9.4's frozendict 1.2 still imports collections.Mapping
        collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]
    import experta

    return experta


class ExpertaPeer:
    """The variants as one experta KnowledgeEngine (pure-Python Rete), one @Rule each."""

    name = "experta"

    def __init__(self, compiled: CompiledRuleset) -> None:
        experta = import_experta()
        self.compiled = compiled
        self.classes = {fact: type(f"T{i}", (experta.Fact,), {}) for i, fact in enumerate(tested_facts(compiled))}
        shared: dict[str, Any] = {}
        peer = self
        members: dict[str, Any] = {}
        for i, variant in enumerate(compiled.variants):
            patterns = []
            for fact, test in variant.positives:
                cls = self.classes[fact]
                if test.op == "exists":
                    patterns.append(cls())
                else:
                    patterns.append(cls(v=shared.setdefault(repr(test), experta.P(predicate(test)))))
            patterns += [experta.NOT(self.classes[fact]()) for fact in variant.absences]

            def action(engine: Any, _variant: Variant = variant) -> None:
                peer.on_fire(engine, _variant)

            members[f"r{i}"] = experta.Rule(*patterns)(action)
        self.engine = type("Rules", (experta.KnowledgeEngine,), members)()
        self.engine.reset()
        self.outcome = Outcome({})

    def on_fire(self, engine: Any, variant: Variant) -> None:
        before = len(self.outcome.new)
        self.outcome.fired(variant, self.compiled.derives)
        for fact, value in self.outcome.new[before:]:
            if fact in self.classes:
                engine.declare(self.classes[fact](v=value))

    def run(self, facts: Facts) -> Firings:
        self.outcome = Outcome(facts)
        self.engine.reset()
        self.engine.declare(*[self.classes[f](v=v) for f, v in facts.items() if f in self.classes])
        self.engine.run()
        return canonical(self.compiled, self.outcome.best, self.outcome.known)

    def close(self) -> None:
        pass


# ---- checks and timing -----------------------------------------------------------------------------------


def probe(compiled: CompiledRuleset) -> list[str]:
    """Every distinct test of the rule base on probe values: each translation against Test.holds."""
    import clips

    tests = list({repr(t): t for v in compiled.variants for _, t in v.positives if t.op != "exists"}.values())
    values: list[Any] = [True, False, 0, 1, -1, 0.5, 10**12, "", "x", "TRUE", MULTI, ["a"], []]

    def add(t: Test) -> None:
        if t.op == "and":
            for s in t.value:
                add(s)
        elif is_number(t.value):
            values.extend([t.value, t.value - 1, t.value + 1, t.value + 0.001, t.value - 0.001, float(t.value)])
        else:
            values.extend([t.value, f"{t.value}_"] if isinstance(t.value, str) else [t.value])

    for t in tests:
        add(t)
    values = list({(type(v).__name__, repr(v)): v for v in values}.values())
    problems = [f"experta {t!r} on {x!r}" for t in tests for x in values if predicate(t)(x) != t.holds(x)]
    env = clips.Environment()
    env.build("(defglobal ?*hits* = (create$))")
    env.build("(deftemplate p (slot v))")
    for i, t in enumerate(tests):
        env.build(f"(defrule t{i} {clips_pattern('p', t, '?x')} => (bind ?*hits* (create$ ?*hits* {i})))")
    for x in values:
        env.reset()
        env.assert_string(f"(p (v {clips_value(x)}))")
        env.run()
        hits = set(env.find_global("hits").value)
        problems += [f"CLIPS {t!r} on {x!r}" for i, t in enumerate(tests) if (i in hits) != t.holds(x)]
    return problems


def difference(expected: Firings, got: Firings) -> str:
    missing = [r for r in expected.fired if r not in got.fired]
    extra = [r for r in got.fired if r not in expected.fired]
    parts = [f"missing {missing[:4]}"] if missing else []
    parts += [f"extra {extra[:4]}"] if extra else []
    if expected.derived != got.derived:
        parts.append("derived facts differ")
    return "; ".join(parts) or "bindings or alternatives differ"


def timed_runs(
    engines: dict[str, Any],
    inputs: list[Facts],
    expected: list[Firings],
    runs: int,
    label: str,
    mismatches: dict[str, list[str]],
) -> dict[str, list[list[float]]]:
    """µs per call: times[engine][run][scenario]; the order of engines rotates from run to run."""
    names = list(engines)
    times: dict[str, list[list[float]]] = {n: [] for n in names}
    clock = time.perf_counter
    for r in range(runs):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            run, per = engines[name].run, []
            gc.collect()
            for i, facts in enumerate(inputs):
                start = clock()
                result = run(facts)
                per.append((clock() - start) * 1e6)
                if result != expected[i]:
                    mismatches[name].append(f"{label}[{i}] run {r}: {difference(expected[i], result)}")
            times[name].append(per)
    return times


def median_of_medians(runs: list[list[float]]) -> float:
    return statistics.median(statistics.median(col) for col in zip(*runs, strict=True))


def fmt(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=ROOT / "rules")
    parser.add_argument("--shipped", type=Path, default=ROOT / "scenarios")
    parser.add_argument("--generated", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5, help="timed runs over the shipped scenarios")
    parser.add_argument("--gen-runs", type=int, default=2, help="timed runs over the generated scenarios")
    parser.add_argument("--no-experta", action="store_true", help="leave experta out (it takes most of the time)")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    rulebase = load_rulebase(args.rules)
    oracle = Advisor(rulebase, "reference")
    compiled = oracle.compiled
    from advisor.inference.durable.engine import DurableEngine

    builds: dict[str, Callable[[], Any]] = {
        "durable": lambda: DurableEngine(compiled),
        "reference": lambda: ReferenceEngine(compiled),
        "clips": lambda: ClipsPeer(compiled),
    }
    if not args.no_experta:
        builds["experta"] = lambda: ExpertaPeer(compiled)
    engines, setup_ms = {}, {}
    for name, build in builds.items():
        start = time.perf_counter()
        engines[name] = build()
        setup_ms[name] = (time.perf_counter() - start) * 1e3
    problems = probe(compiled)

    files, _ = find_scenarios([str(args.shipped)])
    sets = {
        "shipped": engine_inputs(oracle, [load_scenario(rulebase, f).answers for f in files]),
        "generated": engine_inputs(oracle, generate(rulebase, args.generated, seed=args.seed)),
    }
    expected = {label: [engines["reference"].run(f) for f in inputs] for label, inputs in sets.items()}
    for engine in engines.values():  # warm-up, untimed
        for facts in sets["shipped"][:20] + sets["generated"][:5]:
            engine.run(facts)
    gc.collect()
    gc.freeze()

    mismatches: dict[str, list[str]] = {name: [] for name in engines}
    medians: dict[str, dict[str, float]] = {}
    for label, inputs in sets.items():
        runs = args.runs if label == "shipped" else args.gen_runs
        times = timed_runs(engines, inputs, expected[label], runs, label, mismatches)
        medians[label] = {name: median_of_medians(t) for name, t in times.items()}
    for engine in engines.values():
        engine.close()

    versions = {
        p: importlib.metadata.version(p)
        for p in ("durable-rules", "clipspy", "experta")
        if p != "experta" or not args.no_experta
    }
    print(
        f"{len(rulebase.rules)} rules -> {len(compiled.variants)} variants (one peer rule each), "
        f"{len(tested_facts(compiled))} tested facts; Python {sys.version.split()[0]}, "
        + ", ".join(f"{p} {v}" for p, v in versions.items())
    )
    for label, inputs in sets.items():
        fired = statistics.fmean(len(r.fired) for r in expected[label])
        print(f"{label}: {len(inputs)} scenarios, mean {fired:.1f} rules fired")
    print("setup (build from the compiled rules): " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in setup_ms.items()))
    print()
    print(f"{'engine':<10} {'shipped':>10} {'/durable':>9} {'generated':>11} {'/durable':>9}")
    for name in engines:
        s, g = medians["shipped"][name], medians["generated"][name]
        print(
            f"{name:<10} {fmt(s):>10} {s / medians['shipped']['durable']:>8.2f}x "
            f"{fmt(g):>11} {g / medians['generated']['durable']:>8.2f}x"
        )
    bad = {name: found for name, found in mismatches.items() if found}
    if problems:
        bad["translation probe"] = problems
    print()
    if bad:
        print("INVALID: mismatches, so these figures do not count")
        for name, found in bad.items():
            print(f"  {name}: {len(found)}; first: " + " | ".join(found[:3]))
    else:
        print("mismatches: none (every timed call of every engine returned the reference engine's Firings)")
    ratios = " ".join(
        f"clips/durable {label} = {medians[label]['clips'] / medians[label]['durable']:.2f}" for label in sets
    )
    print(f"{ratios}{' INVALID' if bad else ''}; wall time {time.perf_counter() - began:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
