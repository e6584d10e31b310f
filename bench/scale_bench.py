"""Scale benchmark: `advisor evaluate` over 10,000 scenario files, and memory over 100,000 evaluations.

    .venv/bin/python bench/scale_bench.py [--files 10000] [--runs 3] [--jobs N] [--rules DIR] [--random]
                                          [--format json] [--work DIR]
                                          [--evaluations 100000] [--full-advice] [--skip-batch] [--skip-memory]

1. Writes --files scenario files into a temporary folder (under --work, default the system's temporary
   folder), then times, end to end as a subprocess, `advisor evaluate DIR --format F --output OUTDIR`
   (--runs times, median reported; pending disk writes are flushed before each run).
   The files are variations of the shipped scenarios, each one different: its numbers scaled by a
   random factor within the question's range, and now and then one answer left out. That is the kind
   of file a team writes. --random draws the answers from the whole questionnaire instead, as
   bench/fuzz.py does: about half of the 164 questions answered, far heavier than a real scenario.
2. Measures this process's RSS before and after --evaluations in-process evaluations on one Advisor
   (durable engine). By default each evaluation is the engine part (calculators + one engine session,
   opened and deleted: where a leak would be); --full-advice builds the whole advice each time (slower).

Prints one JSON object with the results.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz import random_answers, rss_mb  # noqa: E402

from advisor.app.batch import default_jobs  # noqa: E402
from advisor.inference.evaluation import Advisor  # noqa: E402
from advisor.models.advice import ScenarioRef  # noqa: E402
from advisor.sources.rulebase import load_rulebase  # noqa: E402

ADVISOR = str(Path(sys.executable).with_name("advisor"))


def write_scenarios(rules: Path, folder: Path, count: int, seed: int, drawn: bool) -> None:
    rulebase = load_rulebase(rules)
    rnd = random.Random(seed)
    shipped = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    for i in range(count):
        if drawn:
            data = {"title": f"Generated scenario {i}", "answers": random_answers(rulebase, rnd)}
        else:
            base = shipped[i % len(shipped)]
            data = {"title": f"{base['title']} (variation {i})", "description": base.get("description", ""),
                    "answers": varied(rulebase, base["answers"], rnd)}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (folder / f"bench-{i:05}.scenario.yaml").write_text(text, encoding="utf-8")


def varied(rulebase: Any, answers: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """The answers with every number scaled by a random factor (kept in range) and, one time in four,
    one answer left out."""
    out = dict(answers)
    for qid, value in answers.items():
        question = rulebase.questions.get(qid)
        if question is None or question.type != "number" or not isinstance(value, int | float):
            continue
        scaled = value * rnd.uniform(0.5, 2.0)
        low = question.min if question.min is not None else -math.inf
        high = question.max if question.max is not None else math.inf
        scaled = min(max(scaled, low), high)
        if question.integer:
            whole = round(scaled)
            if math.isfinite(low):
                whole = max(whole, math.ceil(low))
            if math.isfinite(high):
                whole = min(whole, math.floor(high))
            out[qid] = whole
        else:
            out[qid] = round(scaled, 3)
    if out and rnd.random() < 0.25:
        del out[rnd.choice(sorted(out))]
    return out


def time_batch(rules: Path, folder: Path, out: Path, jobs: int | None, fmt: str) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    args = [ADVISOR, "evaluate", str(folder), "--rules", str(rules), "--format", fmt, "--output", str(out)]
    if jobs:
        args += ["--jobs", str(jobs)]
    os.sync()  # the previous run's reports (hundreds of MB) must not be written back during this one
    time.sleep(1)
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"advisor evaluate failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, sum(1 for _ in out.iterdir())


def work_folder(parser: argparse.ArgumentParser, folder: Path | None) -> Path | None:
    """--work as given, made when missing (with its parents); a folder that cannot be made ends the benchmark with
    argparse's usage message, not a traceback."""
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            parser.error(f"--work {folder}: cannot make the folder ({exc.strerror or exc})")
    return folder


def memory(rules: Path, evaluations: int, full: bool, seed: int) -> dict[str, object]:
    rulebase = load_rulebase(rules)
    advisor = Advisor(rulebase, "durable")
    rnd = random.Random(seed)
    pool = [advisor.check(random_answers(rulebase, rnd)) for _ in range(1000)]
    ref = ScenarioRef(id="bench", title="bench")

    def one(i: int) -> None:
        answers = pool[i % len(pool)]
        if full:
            advisor.advise(answers, ref)
        else:
            advisor.infer(answers)

    for i in range(len(pool)):  # warm-up: caches and allocator pools fill here
        one(i)
    gc.collect()
    before = rss_mb()
    samples = []
    start = time.perf_counter()
    for i in range(evaluations):
        one(i)
        if (i + 1) % max(evaluations // 10, 1) == 0:
            samples.append(round(rss_mb(), 1))
    elapsed = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    advisor.close()
    return {"evaluations": evaluations, "what": "full advice" if full else "calculators + engine session",
            "rss_mb_before": round(before, 1), "rss_mb_after": round(after, 1),
            "rss_mb_growth": round(after - before, 1), "rss_mb_samples": samples,
            "ms_per_evaluation": round(elapsed / max(evaluations, 1) * 1e3, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="passed to advisor evaluate (default: its own)")
    parser.add_argument("--rules", type=Path, default=ROOT / "rules")
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--full-advice", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--random", action="store_true", help="answers drawn from the whole questionnaire")
    parser.add_argument("--format", dest="fmt", choices=["json", "markdown", "text"], default="json")
    parser.add_argument("--work", type=Path, default=None, help="folder for the scenarios and reports")
    args = parser.parse_args()
    args.work = work_folder(parser, args.work)

    result: dict[str, object] = {"cpus": os.cpu_count(), "default_jobs": default_jobs(), "rules": str(args.rules)}
    rulebase = load_rulebase(args.rules)
    result["rule_base"] = {"digest": rulebase.digest, "questions": len(rulebase.questions),
                           "decisions": len(rulebase.decisions), "rules": len(rulebase.rules)}
    if not args.skip_batch:
        with tempfile.TemporaryDirectory(prefix="advisor-bench-", dir=args.work) as tmp:
            folder, out = Path(tmp) / "scenarios", Path(tmp) / "out"
            folder.mkdir()
            start = time.perf_counter()
            write_scenarios(args.rules, folder, args.files, args.seed, args.random)
            generated = time.perf_counter() - start
            times, written = [], 0
            for _ in range(args.runs):
                elapsed, written = time_batch(args.rules, folder, out, args.jobs, args.fmt)
                times.append(round(elapsed, 2))
            size = sum(p.stat().st_size for p in out.iterdir())
            result["batch"] = {"files": args.files, "answers": "drawn at random" if args.random else
                               "shipped scenarios, varied", "format": args.fmt, "work": str(args.work or "tmp"),
                               "generated_in_s": round(generated, 1), "runs_s": times,
                               "median_s": statistics.median(times), "reports_written": written,
                               "report_mb_total": round(size / 1e6, 1),
                               "files_per_s": round(args.files / statistics.median(times))}
    if not args.skip_memory:
        result["memory"] = memory(args.rules, args.evaluations, args.full_advice, args.seed)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
