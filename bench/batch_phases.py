"""CPU per file of each phase of a batch worker's job (`advisor evaluate DIR --format json --output OUT`), in one
process: read the scenario, load it (read + answers checked), evaluate (load + advice + review), render the JSON
report, write it (create + write), and the whole job as the batch runs it.

    .venv/bin/python bench/batch_phases.py [--files 1000] [--engine durable] [--work DIR] [--rounds 3]

With PYTHONPATH=OTHER_CHECKOUT it measures that checkout's `advisor` package (on this checkout's rules and
scenarios), for a before/after. The files are the shipped scenarios varied as in bench/scale_bench.py, written
under --work (default: the system's temporary folder). Each phase runs over all files in turn, after 50 files of
warm-up, for --rounds rounds; the figure is the median of the rounds, CPU time of this process
(time.process_time, user + system) per file in milliseconds. The write phase is mostly system time and moves
with the machine's file system load.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The advisor first: scale_bench puts this checkout first on sys.path, and PYTHONPATH must decide which package runs.
from advisor.app.batch import evaluate_file
from advisor.app.batch_reports import EvaluateJob
from advisor.inference.evaluation import Advisor
from advisor.render.json_format import render_json
from advisor.render.registry import FILE_SETTINGS
from advisor.sources.answers import load_scenario
from advisor.sources.yaml_source import read_yaml_file

try:  # an older checkout (PYTHONPATH=OLD, for a before/after) writes the report's text, encoded
    from advisor.render.json_format import render_json_bytes
except ImportError:  # pragma: no cover - older versions only
    def render_json_bytes(advice: Any) -> bytes:
        return render_json(advice).encode("utf-8")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_bench import work_folder, write_scenarios  # noqa: E402


def per_file(run: Callable[[Any], Any], items: list[Any]) -> float:
    start = time.process_time()
    for item in items:
        run(item)
    return (time.process_time() - start) / len(items) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--engine", default="durable")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    args.work = work_folder(parser, args.work)
    with tempfile.TemporaryDirectory(prefix="advisor-batch-phases-", dir=args.work) as tmp:
        folder, out = Path(tmp) / "scenarios", Path(tmp) / "out"
        folder.mkdir()
        out.mkdir()
        write_scenarios(ROOT / "rules", folder, args.files, args.seed, drawn=False)
        files = sorted(folder.glob("*.yaml"))
        advisor = Advisor.from_folder(ROOT / "rules", args.engine)
        job = EvaluateJob("json", out, False, None, FILE_SETTINGS)
        for path in files[:50]:
            job(advisor, path)
        gc.freeze()  # as a batch worker: the rule base is out of the collector's reach
        names = iter(range(10**9))

        def write(data: bytes) -> None:
            with open(out / f"phase-{next(names)}", "xb") as handle:
                handle.write(data)

        samples: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            advices = [evaluate_file(advisor, path).advice for path in files]
            reports = [render_json_bytes(advice) for advice in advices if advice is not None]
            phases: dict[str, tuple[Callable[[Any], Any], list[Any]]] = {
                "read_yaml_file": (read_yaml_file, files),
                "load_scenario": (lambda path: load_scenario(advisor.rulebase, path), files),
                "evaluate_file": (lambda path: evaluate_file(advisor, path), files),
                "render_json_bytes": (render_json_bytes, [a for a in advices if a is not None]),
                "write_report": (write, reports),
                "whole_job": (lambda path: job(advisor, path), files),
            }
            del advices, reports
            for name, (run, items) in phases.items():
                samples.setdefault(name, []).append(per_file(run, items))
        result = {"files": len(files), "engine": args.engine, "rounds": args.rounds,
                  "ms_per_file_cpu": {name: round(statistics.median(values), 3) for name, values in samples.items()}}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
