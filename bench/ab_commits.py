"""Before/after on a shared machine: two versions of the advisor package measured alternately, medians of CPU time.

    python bench/ab_commits.py BASE [NEW] [--rounds 3] [--engine durable]

BASE and NEW are git revisions (NEW defaults to this working tree as it is). Each revision's `advisor`
package is exported to a temporary folder, then bench/phase_times.py runs once per revision per round,
alternating (base, new, base, new...), so load from other work on the machine falls on both alike. Both read
the rules and scenarios of this checkout. Prints each run's figures and then the median per figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision, "advisor"],
                             check=True, capture_output=True).stdout
    target = into / revision.replace("/", "_")
    target.mkdir()
    archive_path = into / f"{target.name}.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(target, filter="data")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("new", nargs="?")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", default="durable")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="advisor-ab-") as tmp:
        trees = {"base": export(args.base, Path(tmp))}
        trees["new"] = export(args.new, Path(tmp)) if args.new else ROOT
        results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                env = {**os.environ, "PYTHONPATH": str(tree), "ADVISOR_NO_CACHE": "1"}
                out = subprocess.run([sys.executable, str(ROOT / "bench" / "phase_times.py"), "--engine", args.engine],
                                     check=True, capture_output=True, text=True, env=env).stdout
                figures = json.loads(out.strip().splitlines()[-1])
                print(name, json.dumps(figures), flush=True)
                results[name].append(figures)
    medians = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]
                      if isinstance(runs[0][key], int | float)} for name, runs in results.items()}
    print(json.dumps(medians, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
