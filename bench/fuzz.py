"""Differential fuzzing: random scenarios through the durable-rules engine and the pure-Python oracle.

    .venv/bin/python bench/fuzz.py [N] [--rules DIR] [--seed S] [--json]

Draws N scenarios (default 100,000) from the questionnaire of the rules folder (every question may be
left out, answered `unknown`, or answered with a valid value, edge values included) and evaluates each
with both engines. For every scenario the engines' complete output is compared (rules fired with their
alternative and bindings, derived facts, calculated values: everything advice building reads, and
advice building is pure Python over it). Every --full-every'th scenario (default 10; 1 = all) also
builds the advice with each engine, compares the canonical JSON byte for byte and checks every
decision's final state (building and rendering a full advice costs ~30 ms here, three quarters of
the time of a full comparison, so a 100,000-scenario run would otherwise take about an hour).
Reports mismatches, crashes
(any exception), decisions that end in a state other than recommended, undecided-with-questions or
not_applicable, the time taken, and memory (RSS) at the start and the end.

Exit status: 0 when both engines agree everywhere and nothing crashed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.analysis.sampling import random_answers  # noqa: E402
from advisor.inference.evaluation import Advisor  # noqa: E402
from advisor.models.advice import Advice, ScenarioRef  # noqa: E402
from advisor.render.json_format import render_json  # noqa: E402
from advisor.sources.answers import Answers  # noqa: E402
from advisor.sources.rulebase import load_rulebase  # noqa: E402


def status_problems(advisor: Advisor, answers: Answers, advice: Advice) -> list[str]:
    """Decisions that end anywhere but recommended, undecided with something to ask, out of scope with a
    reason, or not_applicable.

    An undecided decision with nothing to ask is accepted only when more answers cannot help: every
    option is excluded (exclusions are final), or every question feeding it is already answered. The
    summary then names the exclusions, tie or conflict.
    """
    problems = []
    for d in advice.decisions:
        if d.status == "recommended" and d.recommended is None:
            problems.append(f"{d.id}: recommended without an option")
        elif d.status == "undecided":
            # the questions the decision's rules read (scoping questions like `topics` are not asked)
            asks = getattr(advisor, "_decision_asks", None) or advisor._decision_questions
            feeding = asks[d.id]
            all_excluded = not d.alternatives and d.recommended is None and bool(d.excluded)
            if not d.ask and not all_excluded and not all(q in answers.known for q in feeding):
                problems.append(f"{d.id}: undecided without questions to ask")
            if not d.summary:
                problems.append(f"{d.id}: undecided without a summary")
        elif d.status == "out_of_scope":
            # a rule said the workload is beyond what the options cover: a final answer if it says why
            if not d.summary:
                problems.append(f"{d.id}: out of scope without a reason")
        elif d.status not in ("recommended", "not_applicable"):
            problems.append(f"{d.id}: status {d.status}")
    return problems


def engine_output(advisor: Advisor, answers: Answers) -> tuple[Any, ...]:
    """Everything inference produces, with dict order made part of the comparison."""
    calculated, firings, warnings = advisor.infer(answers)
    return (list(calculated.items()), list(firings.fired.items()), list(firings.derived.items()), warnings)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        line = next(row for row in handle if row.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--rules", type=Path, default=ROOT / "rules")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--full-every", type=int, default=10, help="build and compare full advice every K scenarios")
    args = parser.parse_args()

    rulebase = load_rulebase(args.rules)
    durable, reference = Advisor(rulebase, "durable"), Advisor(rulebase, "reference")
    rnd = random.Random(args.seed)
    mismatches: list[dict[str, Any]] = []
    crashes: list[dict[str, Any]] = []
    bad_status: list[dict[str, Any]] = []
    statuses: dict[str, int] = {}
    full = 0
    rss_start = rss_mb()
    start = time.perf_counter()
    for i in range(args.n):
        if i and i % 10_000 == 0 and not args.json:
            print(f"{i:>7} scenarios, {time.perf_counter() - start:7.1f} s, RSS {rss_mb():.0f} MB, "
                  f"{len(mismatches)} mismatches, {len(crashes)} crashes", file=sys.stderr)
        raw = random_answers(rulebase, rnd)
        ref = ScenarioRef(id=f"fuzz-{i}", title="fuzz")
        try:
            answers = durable.check(raw)
            if engine_output(durable, answers) != engine_output(reference, answers):
                mismatches.append({"i": i, "answers": raw, "what": "engine output"})
                continue
            if i % args.full_every:
                continue
            a = durable.advise(answers, ref)
            b = reference.advise(answers, ref)
        except Exception as exc:  # a crash is a finding: keep the answers that caused it
            crashes.append({"i": i, "answers": raw, "error": repr(exc), "trace": traceback.format_exc(limit=5)})
            continue
        full += 1
        if render_json(a.model_copy(update={"engine": ""})) != render_json(b.model_copy(update={"engine": ""})):
            mismatches.append({"i": i, "answers": raw, "what": "advice"})
        for problem in status_problems(durable, answers, a):
            bad_status.append({"i": i, "problem": problem, "answers": raw})
        for d in a.decisions:
            key = "undecided_all_excluded" if d.status == "undecided" and not d.alternatives else d.status
            statuses[key] = statuses.get(key, 0) + 1
    elapsed = time.perf_counter() - start
    summary = {
        "scenarios": args.n, "full_advice_compared": full, "seed": args.seed, "rules": str(args.rules),
        "ruleset": rulebase.digest,
        "questions": len(rulebase.questions), "decisions": len(rulebase.decisions), "rules_count": len(rulebase.rules),
        "mismatches": len(mismatches), "crashes": len(crashes), "status_problems": len(bad_status),
        "decision_statuses": dict(sorted(statuses.items())),
        "seconds": round(elapsed, 1), "ms_per_scenario_both_engines": round(elapsed / max(args.n, 1) * 1e3, 2),
        "rss_mb_start": round(rss_start), "rss_mb_end": round(rss_mb()),
        "first_mismatch": mismatches[:1], "first_crash": crashes[:1], "first_status_problem": bad_status[:3],
    }
    print(json.dumps(summary, indent=2, default=str))
    durable.close()
    return 0 if not mismatches and not crashes and not bad_status else 1


if __name__ == "__main__":
    sys.exit(main())
