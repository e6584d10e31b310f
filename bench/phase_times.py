"""CPU time per phase of one scenario's evaluation, medians: the figures bench/ab_commits.py compares.

    python bench/phase_times.py [--engine durable] [--runs 3] [--generated 60]

Prints one JSON line: inference and full advice per generated heavy scenario (bench_engine.generate, 60% of all
questions answered) and per shipped scenario, and what-if analysis (explain) per shipped scenario. The same
scenarios are evaluated in every run, so what an advisor keeps between evaluations helps from the second run on;
the `fresh` and `varied` figures evaluate each scenario once (new generated ones, and the shipped ones with their
numbers scaled as bench/scale_bench.py does for the batch), as a stream of different files would. CPU time of
this process (time.process_time), so other work on a shared machine moves it less than wall time. Reads the
rules and scenarios of this checkout; the advisor package is whichever is first on sys.path (ab_commits.py
points PYTHONPATH at an exported older version to compare).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import generate  # noqa: E402
from scale_bench import varied  # noqa: E402

from advisor.analysis.whatif import explain  # noqa: E402
from advisor.inference.evaluation import Advisor  # noqa: E402
from advisor.models.advice import ScenarioRef  # noqa: E402
from advisor.sources.answers import load_scenario  # noqa: E402
from advisor.sources.discovery import find_scenarios  # noqa: E402
from advisor.sources.rulebase import load_rulebase  # noqa: E402


def per_item_us(func: Callable[[Any], Any], items: list[Any], runs: int) -> int:
    return per_fresh_item_us(func, [items] * runs)


def per_fresh_item_us(func: Callable[[Any], Any], batches: list[list[Any]]) -> int:
    """CPU microseconds per item, median over the batches (one timed run each)."""
    out = []
    for items in batches:
        gc.collect()
        start = time.process_time()
        for item in items:
            func(item)
        out.append((time.process_time() - start) / len(items) * 1e6)
    return round(statistics.median(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="durable")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generated", type=int, default=60)
    args = parser.parse_args(argv)
    import advisor

    adv = Advisor(load_rulebase(ROOT / "rules"), args.engine)
    generated = generate(adv.rulebase, max(args.generated * 5, 1))[: args.generated]
    ref = ScenarioRef(id="bench", title="bench")
    files, _ = find_scenarios([str(ROOT / "scenarios")])
    shipped = [load_scenario(adv.rulebase, f) for f in files]
    for answers in generated[:10]:  # warm up (conditions are compiled after a few evaluations)
        adv.advise(answers, ref)
    figures: dict[str, Any] = {"advisor": str(Path(advisor.__file__).parent.parent), "engine": adv.engine_name}
    figures["generated_inference_us"] = per_item_us(adv.infer, generated, args.runs)
    figures["generated_full_advice_us"] = per_item_us(lambda a: adv.advise(a, ref), generated, args.runs)
    figures["shipped_inference_us"] = per_item_us(adv.infer, [s.answers for s in shipped], args.runs)
    figures["shipped_full_advice_us"] = per_item_us(adv.evaluate, shipped, args.runs)
    fresh = generate(adv.rulebase, args.generated * args.runs, seed=8)
    figures["generated_fresh_full_advice_us"] = per_fresh_item_us(
        lambda a: adv.advise(a, ref), [fresh[i::args.runs] for i in range(args.runs)])
    rnd = random.Random(5)
    raw = [yaml.safe_load(f.read_text(encoding="utf-8"))["answers"] for f in files]
    batches = [[adv.check(varied(adv.rulebase, r, rnd)) for r in raw] for _ in range(args.runs)]
    figures["varied_inference_us"] = per_fresh_item_us(adv.infer, batches)
    batches = [[adv.check(varied(adv.rulebase, r, rnd)) for r in raw] for _ in range(args.runs)]
    figures["varied_full_advice_us"] = per_fresh_item_us(lambda a: adv.advise(a, ref), batches)
    what_if = []
    for advice in [adv.evaluate(s) for s in shipped[::2]]:
        start = time.process_time()
        explain(adv, advice)
        what_if.append((time.process_time() - start) * 1e3)
    figures["shipped_what_if_ms_median"] = round(statistics.median(what_if), 2)
    figures["shipped_what_if_ms_max"] = round(max(what_if), 1)
    print(json.dumps(figures))
    adv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
