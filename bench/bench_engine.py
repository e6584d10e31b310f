"""Engine benchmark: medians over repeated runs in one process.

Reports load+compile time, per-scenario evaluation time (inference only, and the full Advice), throughput
over generated scenarios, and the same scenarios through the pure-Python reference engine, with the ratio
measured in the same run. Also checks that both engines agree on every generated scenario. Generated
scenarios answer 60% of all questions at random, far more than a real workload, so the shipped scenarios
are measured too (inference, full advice and what-if analysis per scenario, medians). Wall time: on a shared
machine compare versions with bench/ab_commits.py (CPU time, runs alternated) instead.

    python bench/bench_engine.py [--scenarios 10000] [--runs 5] [--rules rules] [--shipped scenarios]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.models.questionnaire import Question
from advisor.sources.answers import Answers
from advisor.sources.rulebase import RuleBase, load_rulebase


def thresholds(rulebase: RuleBase) -> dict[str, list[float]]:
    """Numbers the rules compare each fact with, so generated answers land on both sides of them."""
    from advisor.models.conditions import iter_tests

    found: dict[str, list[float]] = {}
    for entry in rulebase.rules:
        for test in iter_tests(entry.rule.when):
            values = test.operand if isinstance(test.operand, list) else [test.operand]
            for v in values:
                if isinstance(v, int | float) and not isinstance(v, bool):
                    found.setdefault(test.fact, []).append(float(v))
    return found


def random_answer(q: Question, rnd: random.Random, cuts: list[float]) -> Any:
    if q.type == "boolean":
        return rnd.random() < 0.5
    if q.type == "single":
        return rnd.choice(q.choices).id
    if q.type == "multi":
        return sorted({c.id for c in q.choices if rnd.random() < 0.3})
    low, high = float(q.min or 0), float(q.max or 0)
    if cuts and rnd.random() < 0.7:
        value = rnd.choice(cuts) * rnd.choice([0.5, 1, 1, 2])
    else:
        value = rnd.uniform(low, min(high, low + 10 ** rnd.uniform(0, 6)))
    value = min(max(value, low), high)
    return int(value) if q.integer else round(value, 3)


def generate(rulebase: RuleBase, count: int, seed: int = 7, answered: float = 0.6) -> list[Answers]:
    rnd = random.Random(seed)
    cuts = thresholds(rulebase)
    out = []
    for _ in range(count):
        known = {q.id: random_answer(q, rnd, cuts.get(q.id, []))
                 for q in rulebase.questions.values() if rnd.random() < answered}
        out.append(Answers({k: v for k, v in known.items() if v != []}))
    return out


def median_per_item(func: Any, items: list[Any], runs: int) -> tuple[float, list[float]]:
    per_run = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        for item in items:
            func(item)
        per_run.append((time.perf_counter() - start) / len(items) * 1e6)
    return statistics.median(per_run), per_run


def shipped_figures(durable: Advisor, reference: Advisor, folder: Path, runs: int) -> dict[str, Any]:
    from advisor.analysis.whatif import explain
    from advisor.sources.answers import load_scenario
    from advisor.sources.discovery import find_scenarios

    files, _ = find_scenarios([str(folder)])
    loaded = [load_scenario(durable.rulebase, f) for f in files]
    if not loaded:
        return {}
    answers = [s.answers for s in loaded]
    infer_d, _ = median_per_item(durable.infer, answers, runs)
    infer_r, _ = median_per_item(reference.infer, answers, runs)
    advice_d, _ = median_per_item(durable.evaluate, loaded, runs)
    what_if = []
    for scenario in loaded:
        advice = durable.evaluate(scenario)
        start = time.perf_counter()
        explain(durable, advice)
        what_if.append((time.perf_counter() - start) * 1e3)
    return {
        "shipped_scenarios": len(loaded),
        "shipped_inference_us_median_durable": round(infer_d),
        "shipped_inference_us_median_reference": round(infer_r),
        "shipped_durable_over_reference": round(infer_d / infer_r, 2),
        "shipped_full_advice_us_median_durable": round(advice_d),
        "shipped_full_advice_over_inference_durable": round(advice_d / infer_d, 2),
        "shipped_what_if_ms_median": round(statistics.median(what_if), 1),
        "shipped_what_if_ms_max": round(max(what_if), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=Path(__file__).resolve().parent.parent / "rules")
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shipped", type=Path, default=Path(__file__).resolve().parent.parent / "scenarios")
    args = parser.parse_args(argv)

    compile_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        adv = Advisor(load_rulebase(args.rules), "durable")
        compile_times.append((time.perf_counter() - start) * 1e3)
        adv.close()
    durable = Advisor(load_rulebase(args.rules), "durable")
    reference = Advisor(durable.rulebase, "reference")
    scenarios = generate(durable.rulebase, args.scenarios)

    mismatches = 0
    for answers in scenarios:
        if durable.infer(answers)[1] != reference.infer(answers)[1]:
            mismatches += 1
    ref = ScenarioRef(id="bench", title="bench")
    infer_durable, runs_durable = median_per_item(durable.infer, scenarios, args.runs)
    infer_reference, runs_reference = median_per_item(reference.infer, scenarios, args.runs)
    sample = scenarios[: max(1, len(scenarios) // 5)]
    advise_durable, _ = median_per_item(lambda a: durable.advise(a, ref), sample, args.runs)
    firings = statistics.mean(len(durable.infer(a)[1].fired) for a in sample)
    report = {
        "rules": len(durable.rulebase.rules),
        "engine_rules": len(durable.compiled.variants),
        "decisions": len(durable.rulebase.decisions),
        "questions": len(durable.rulebase.questions),
        "scenarios": len(scenarios),
        "mean_rules_fired": round(firings, 1),
        "load_compile_ms_median": round(statistics.median(compile_times), 1),
        "inference_us_median_durable": round(infer_durable),
        "inference_us_median_reference": round(infer_reference),
        "durable_over_reference": round(infer_durable / infer_reference, 2),
        "full_advice_us_median_durable": round(advise_durable),
        "full_advice_over_inference_durable": round(advise_durable / infer_durable, 2),
        "throughput_scenarios_per_s_durable": round(1e6 / infer_durable),
        "runs_us_durable": [round(r) for r in runs_durable],
        "runs_us_reference": [round(r) for r in runs_reference],
        "engine_mismatches": mismatches,
    }
    report.update(shipped_figures(durable, reference, args.shipped, args.runs))
    print(json.dumps(report, indent=2))
    durable.close()
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
