"""Hostile-input benchmark: seconds to reject (or accept) scenario files built to be slow, each just under
the 2 MiB file limit, read and checked as `advisor evaluate` does (no engine run for rejected files).

Every case must finish in well under a few seconds; the tests only guard against hangs, timings live here.

    python bench/hostile_bench.py [--size 2000000] [--rules tests/hostile/rules_valid] [--only NAME]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from advisor.app.batch import evaluate_file
from advisor.inference.evaluation import Advisor

HEAD = "title: hostile\nanswers:\n  size_kb: 1\n"


def _fill(unit: str, size: int, prefix: str = "", suffix: str = "") -> str:
    return prefix + unit * max(1, (size - len(prefix) - len(suffix)) // len(unit)) + suffix


def cases(size: int) -> dict[str, Callable[[], str]]:
    half = size // 2
    return {
        "open brackets [[[[": lambda: _fill("[", size, HEAD + "x: "),
        "balanced brackets [[..]]": lambda: HEAD + "x: " + "[" * half + "]" * half,
        "open braces {{{{": lambda: _fill("{", size, HEAD + "x: "),
        "block sequences - - - -": lambda: _fill("- ", size, HEAD + "x:\n"),
        "complex keys ? ? ? ?": lambda: _fill("? ", size, HEAD + "x:\n  "),
        "long flow sequence [a, a, ...]": lambda: _fill("a, ", size, HEAD + "x: [", "a]\n"),
        "many empty flows [[], [], ...]": lambda: _fill("[], ", size, HEAD + "x: [", "[]]\n"),
        "many anchors and aliases": lambda: HEAD + "x:\n" + "".join(
            f"  - &a{i} v\n  - *a{i}\n" for i in range(size // 30)),
        "one very long line": lambda: _fill("ab ", size, HEAD + "title2: "),
        "one 2 MB scalar": lambda: _fill("x", size, "title: t\nanswers: {}\nnote: "),
        "100k unknown keys": lambda: "title: t\nanswers:\n" + "".join(
            f"  k{i}: 1\n" for i in range(min(100_000, size // 12))),
        "75k misspelt questions": lambda: "title: t\nanswers:\n" + "".join(
            f"  size_k{i}: 1\n" for i in range(min(75_000, size // 16))),
        "misplaced brackets in quotes": lambda: _fill("'[[[[', ", size, HEAD + "x: [", "a]\n"),
        "brackets after a plain apostrophe": lambda: HEAD + "note: it's\nx: " + "[" * (size // 2),
        "multi-choice with 100k items": lambda: "title: t\nanswers:\n  sources: [" + ", ".join(
            ["iot"] * min(100_000, size // 5)) + "]\n",
        "multi-choice with 100k bad items": lambda: "title: t\nanswers:\n  sources: [" + ", ".join(
            ["iotx"] * min(100_000, size // 6)) + "]\n",
        "2 MB title": lambda: _fill("t", size, "title: ", "\nanswers: {}\n"),
        "50k bad top-level keys": lambda: "title: t\nanswers: {}\n" + "".join(
            f"extra{i}: 1\n" for i in range(min(50_000, size // 14))),
        "syntax error after 2 MB": lambda: _fill("  some text here\n", size - 20, "title: t\nanswers: {}\nd: >\n")
        + "x: : :\n- a\n",
        "unterminated quote": lambda: _fill("[", size, HEAD + 'x: "'),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2_000_000)
    parser.add_argument("--rules", type=Path, default=Path("tests/hostile/rules_valid"))
    parser.add_argument("--only", default=None, help="run only cases whose name contains this")
    args = parser.parse_args()
    advisor = Advisor.from_folder(args.rules, "reference")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in cases(args.size).items():
            if args.only and args.only not in name:
                continue
            path = Path(tmp) / "case.yaml"
            path.write_text(make(), encoding="utf-8")
            started = time.perf_counter()
            outcome = evaluate_file(advisor, path)
            seconds = time.perf_counter() - started
            first = outcome.diagnostics[0].render().split(": ", 1)[1][:70] if outcome.diagnostics else "evaluated"
            more = f" (+{len(outcome.diagnostics) - 1})" if len(outcome.diagnostics) > 1 else ""
            print(f"{seconds:7.3f} s  {name:36} {first}{more}", flush=True)


if __name__ == "__main__":
    main()
