"""The same input gives the same bytes: across processes with different hash seeds, across worker
counts, and across engines; and evaluation leaks neither engine sessions nor rulesets (issue 6)."""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advisor.app.batch import MAX_CHUNK, _chunks, map_files
from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.render.json_format import render_json_batch
from advisor.sources.rulebase import RuleBase, load_rulebase
from tests.conftest import engine_masked

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from fuzz import random_answers, rss_mb  # noqa: E402  (the same generator as the long fuzz run)

FIXTURE_RULES = ROOT / "tests" / "hostile" / "rules_valid"
SHIPPED_RULES = ROOT / "rules"
ADVISOR = str(Path(sys.executable).with_name("advisor"))


def write_scenarios(rulebase: RuleBase, folder: Path, count: int, seed: int = 7) -> list[Path]:
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"gen-{i:05}.scenario.yaml"
        text = yaml.safe_dump({"title": f"Generated {i}", "answers": random_answers(rulebase, rnd)}, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def advisor_run(*args: str, seed: str = "0", cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([ADVISOR, *args], capture_output=True, env=env, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def fixture_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fixture-batch")
    write_scenarios(load_rulebase(FIXTURE_RULES), folder, 250)
    return folder


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_two_hash_seeds_give_the_same_bytes(fixture_batch: Path, fmt: str) -> None:
    files = sorted(fixture_batch.iterdir())[:40]  # in-process path; the pool is compared below
    args = ["evaluate", *map(str, files), "--rules", str(FIXTURE_RULES), "--format", fmt, "--color", "never"]
    first, second = advisor_run(*args, seed="1"), advisor_run(*args, seed="2")
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert first.stdout == second.stdout
    assert first.stdout


def test_two_hash_seeds_give_the_same_bytes_on_the_shipped_rules(tmp_path: Path) -> None:
    """Whatever the knowledge base holds today: generated scenarios plus the shipped ones."""
    folder = tmp_path / "batch"
    write_scenarios(load_rulebase(SHIPPED_RULES), folder, 20)
    args = ["evaluate", str(folder), "--rules", str(SHIPPED_RULES), "--format", "json"]
    first, second = advisor_run(*args, seed="1"), advisor_run(*args, seed="2")
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert first.stdout == second.stdout
    reference = advisor_run(*args, "--engine", "reference", seed="3")
    # and the pure-Python oracle agrees byte for byte, but for the name of the engine that ran
    assert engine_masked(reference.stdout) == engine_masked(first.stdout)


def test_the_pool_gives_the_same_bytes_as_one_process(fixture_batch: Path, tmp_path: Path) -> None:
    base = ["evaluate", str(fixture_batch), "--rules", str(FIXTURE_RULES), "--format", "json"]
    one, two = advisor_run(*base, "--jobs", "1"), advisor_run(*base, "--jobs", "2", seed="5")
    assert one.returncode == 0, one.stderr.decode()[-2000:]
    assert one.stdout == two.stdout
    assert len(json.loads(one.stdout)) == 250
    out1, out2 = tmp_path / "one", tmp_path / "two"
    advisor_run(*base, "--jobs", "1", "--output", str(out1))
    advisor_run(*base, "--jobs", "2", "--output", str(out2))
    names = sorted(p.name for p in out1.iterdir())
    assert len(names) == 250 and names == sorted(p.name for p in out2.iterdir())
    assert all((out1 / n).read_bytes() == (out2 / n).read_bytes() for n in names)


def test_streamed_json_array_equals_the_batch_renderer(fixture_batch: Path) -> None:
    files = sorted(fixture_batch.iterdir())[:5]
    proc = advisor_run("evaluate", *map(str, files), "--rules", str(FIXTURE_RULES), "--format", "json",
                       cwd=fixture_batch)
    advisor = Advisor.from_folder(FIXTURE_RULES, "auto")
    try:
        from advisor.app.batch import evaluate_files

        cwd = os.getcwd()
        os.chdir(fixture_batch)  # sources are shown relative to the working directory
        try:
            advices = [o.advice for o in evaluate_files(advisor, files) if o.advice is not None]
        finally:
            os.chdir(cwd)
    finally:
        advisor.close()
    assert proc.stdout.decode() == render_json_batch(advices)


def test_map_files_keeps_input_order_in_the_pool(fixture_batch: Path) -> None:
    advisor = Advisor.from_folder(FIXTURE_RULES, "reference")
    files = sorted(fixture_batch.iterdir())[:60]
    seen: list[int] = []
    names = list(map_files(advisor, files, _name, jobs=2, progress=seen.append, in_process_below=0))
    assert names == [f.name for f in files]
    assert seen[-1] == 60 and seen == sorted(seen)


@pytest.mark.parametrize("count", [1, 17, 201, 10_000])
def test_pool_tasks_cover_every_file_once_and_shrink_towards_the_end(count: int) -> None:
    chunks = _chunks(count, 2)
    assert chunks[0][0] == 0 and chunks[-1][1] == count
    assert all(stop == start for (_, stop), (start, _) in itertools.pairwise(chunks))
    sizes = [stop - start for start, stop in chunks]
    assert min(sizes) >= 1 and max(sizes) <= MAX_CHUNK and sizes == sorted(sizes, reverse=True)


def _name(_advisor: Advisor, path: Path) -> str:
    return path.name


# ---- memory ------------------------------------------------------------------------------------

def test_memory_stays_flat_over_many_evaluations() -> None:
    """Evaluations share one engine session, reset after each and replaced every few hundred: 5,000 of
    them (about 20 replacements) must not grow memory (a leaked session costs megabytes, and the engine
    dies at 1,024 live ones)."""
    rulebase = load_rulebase(FIXTURE_RULES)
    advisor = Advisor(rulebase, "auto")
    rnd = random.Random(3)
    batches = [[advisor.check(random_answers(rulebase, rnd)) for _ in range(500)] for _ in range(2)]
    ref = ScenarioRef(id="m", title="memory")
    for answers in batches[0]:  # warm-up: caches and allocator pools fill here
        advisor.advise(answers, ref)
    gc.collect()
    before = rss_mb()
    for _ in range(10):
        for answers in batches[1]:
            advisor.advise(answers, ref)
    gc.collect()
    grown = rss_mb() - before
    advisor.close()
    assert grown < 8, f"RSS grew by {grown:.1f} MB over 5,000 evaluations"


def test_memory_stays_flat_over_reloads() -> None:
    """The TUI rebuilds the Advisor on every rule edit: closing one must free its engine ruleset and
    the session its evaluations were using."""
    rulebase = load_rulebase(FIXTURE_RULES)
    for _ in range(5):
        Advisor(rulebase, "auto").close()
    gc.collect()
    before = rss_mb()
    for _ in range(60):
        advisor = Advisor(rulebase, "auto")
        advisor.infer(advisor.check({"size_kb": 5000}))
        advisor.close()
    gc.collect()
    grown = rss_mb() - before
    assert grown < 10, f"RSS grew by {grown:.1f} MB over 60 reloads"
