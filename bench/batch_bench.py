"""Batch benchmark: `advisor evaluate DIR --format json --output OUT` over 10,000 scenario files, with the
CPU time and peak memory of the whole process tree, and optionally against another checkout, interleaved.

    .venv/bin/python bench/batch_bench.py [--files 10000] [--runs 3] [--jobs N] [--work DIR]
                                          [--compare OTHER_CHECKOUT] [--one-file-runs 20]

The files are the shipped scenarios varied as in bench/scale_bench.py (numbers scaled within range, now and
then an answer left out), written under --work (default: the system's temporary folder), never into the
repository; each run writes its reports to a folder of its own (about 1.2 GB per 10,000 files), all removed at
the end. Each run is a fresh subprocess (`python -m advisor`, with the rule base cache in a folder of
its own that the first, unmeasured, run fills); reported per run:

- wall: elapsed time of the command;
- user and sys: CPU seconds of the command and every worker it started (os.wait4);
- peak RSS: the largest resident size of any one of those processes (ru_maxrss).

With --compare DIR, the same runs are made with DIR's `advisor` package first on PYTHONPATH (e.g. an older
commit unpacked with `git archive`), alternating with this checkout's, so both see the same machine load.
--one-file-runs N also times `advisor evaluate ONE.yaml --format json` N times (warm cache) and without
the cache, the same way. On a shared machine wall times move with the load: compare CPU times, and
medians of interleaved runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_bench import work_folder, write_scenarios  # noqa: E402


def run(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """One command: wall, user, sys (the command and its workers) and peak RSS (MB, the largest of them).
    Run from the system's temporary folder: `python -m` puts the working folder first on sys.path, which
    would load this checkout's package whatever PYTHONPATH says."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors, cwd=tempfile.gettempdir())
        # wait4: this command's own usage, its waited-for workers included (not earlier runs')
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {errors.read()[-2000:].decode()}")
    return {"wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def environment(checkout: Path | None, cache: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "ADVISOR_NO_CACHE")}
    env["PYTHONPATH"] = str(checkout if checkout is not None else ROOT)
    if cache is None:
        env["ADVISOR_NO_CACHE"] = "1"
    else:
        env["ADVISOR_CACHE_DIR"] = str(cache)
    return env


def medians(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(s[key] for s in samples), 3) for key in samples[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="passed to advisor evaluate (default: its own)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the scenarios and reports")
    parser.add_argument("--compare", type=Path, default=None, help="another checkout, run interleaved")
    parser.add_argument("--one-file-runs", type=int, default=0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    args.work = work_folder(parser, args.work)

    versions: dict[str, Path | None] = {"this": None}
    if args.compare is not None:
        versions["compare"] = args.compare.resolve()
    result: dict[str, object] = {"cpus": os.cpu_count(), "files": args.files, "jobs": args.jobs or "default"}
    with tempfile.TemporaryDirectory(prefix="advisor-batch-bench-", dir=args.work) as tmp:
        folder = Path(tmp) / "scenarios"
        folder.mkdir()
        write_scenarios(ROOT / "rules", folder, args.files, args.seed, drawn=False)
        one = folder / "bench-00007.scenario.yaml"
        caches = {name: Path(tmp) / f"cache-{name}" for name in versions}
        command = [sys.executable, "-m", "advisor", "evaluate"]
        options = ["--jobs", str(args.jobs)] if args.jobs else []
        samples: dict[str, dict[str, list[dict[str, float]]]] = {name: {} for name in versions}
        for name, checkout in versions.items():  # fills each version's cache; not measured
            run([*command, str(one), "--format", "json"], environment(checkout, caches[name]))
        for number in range(args.runs):
            for name, checkout in versions.items():
                # A new folder per run, all removed at the end: deleting the last run's 10,000 reports just before
                # would make this one's creations slow on ext4 without a journal, which steps over inodes deleted
                # in the last minute when it looks for a free one (see the README's performance section).
                out = Path(tmp) / f"out-{name}-{number}"
                os.sync()  # the previous run's reports must not be written back during this one
                batch = [*command, str(folder), "--format", "json", "--output", str(out), *options]
                samples[name].setdefault("batch", []).append(run(batch, environment(checkout, caches[name])))
        for _ in range(args.one_file_runs):
            for name, checkout in versions.items():
                single = [*command, str(one), "--format", "json"]
                samples[name].setdefault("one_file_warm_cache", []).append(
                    run(single, environment(checkout, caches[name])))
        for _ in range(min(args.one_file_runs, 5)):
            for name, checkout in versions.items():
                single = [*command, str(one), "--format", "json"]
                samples[name].setdefault("one_file_no_cache", []).append(run(single, environment(checkout, None)))
    result["medians"] = {name: {what: medians(runs) for what, runs in by.items()} for name, by in samples.items()}
    result["runs"] = {what: len(runs) for what, runs in samples["this"].items()}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
