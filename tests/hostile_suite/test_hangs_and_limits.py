"""Hostile input that used to hang or crawl: deep or huge YAML, tens of thousands of errors, rule bases past
the durable-rules engine's fixed tables, pathological globs and options.

Every case runs the real `advisor` command in a subprocess. Its `timeout` is only a hang guard (generous,
for a loaded machine); the timings themselves are measured by bench/hostile_bench.py, never asserted.
Each case must exit 0, 1 or 2 with a clear message, print no traceback and no raw control character.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import engine_masked, requires_durable

HOSTILE = Path(__file__).parent.parent / "hostile"
RULES = HOSTILE / "rules_valid"
ADVISOR = str(Path(sys.executable).with_name("advisor"))
HANG_GUARD_S = 120
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
VALID = "title: Valid\nanswers:\n  size_kb: 5000\n  replay: true\n"


@dataclass
class Run:
    code: int
    out: str
    err: str


def advisor(*args: str, cwd: Path | None = None) -> Run:
    done = subprocess.run([ADVISOR, *args], capture_output=True, timeout=HANG_GUARD_S, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1"})
    run = Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    assert run.code in (0, 1, 2), run.err[-2000:]
    for text in (run.out, run.err):
        assert "Traceback" not in text
        assert "internal error" not in text
        assert not CONTROL.search(text), repr(CONTROL.search(text))
    return run


def lines_of_kind(run: Run, kind: str) -> list[str]:
    return [line for line in run.err.splitlines() if f": {kind}: " in line]


# ---- scenario files built to be slow: (file text, expected exit, kind of the first problem, check) ----------

Check = Callable[[Run], None]


def _first_at(kind: str, line: int, column: int) -> Check:
    def check(run: Run) -> None:
        found = lines_of_kind(run, kind)
        assert found, run.err[:2000]
        assert f"case.yaml:{line}:{column}: {kind}: " in found[0], found[0][:300]
    return check


def _capped(kind: str, shown: int, left_out: int) -> Check:
    def check(run: Run) -> None:
        assert len(lines_of_kind(run, kind)) == shown, run.err[:2000]
        more = lines_of_kind(run, "more_problems")
        assert len(more) == 1 and f"... and {left_out:,} more problems in this file" in more[0], more
    return check


def _kind(kind: str) -> Check:
    def check(run: Run) -> None:
        assert lines_of_kind(run, kind), run.err[:2000]
    return check


def _short_output(kind: str) -> Check:
    def check(run: Run) -> None:
        assert lines_of_kind(run, kind), run.err[:2000]
        assert len(run.err) < 10_000  # the 2 MB value is not echoed back
    return check


def _evaluated(run: Run) -> None:
    assert run.code == 0 and "Stream service" in run.out, run.err[:2000]


HEAD = "title: hostile\nanswers:\n  size_kb: 1\n"
MB2 = 2_000_000

SCENARIOS: dict[str, tuple[Callable[[], str], int, Check]] = {
    "2 MB of open flow brackets is too deep at the 100th bracket": (
        lambda: HEAD + "x: " + "[" * (MB2 - 40), 2, _first_at("yaml_too_deep", 4, 103)),
    "balanced flow brackets 500k deep": (
        lambda: HEAD + "x: " + "[" * 500_000 + "]" * 500_000, 2, _first_at("yaml_too_deep", 4, 103)),
    "2 MB of open flow braces": (
        lambda: HEAD + "x: " + "{" * (MB2 - 40), 2, _first_at("yaml_too_deep", 4, 103)),
    "flow brackets separated by spaces": (
        lambda: HEAD + "x: " + "[ " * 900_000, 2, _first_at("yaml_too_deep", 4, 202)),
    "flow brackets after non-ASCII text keep the right column": (
        lambda: "title: \u00e9\u00e9\u00e9 \u4e2d\u6587\nanswers: {}\nx: " + "[" * 5_000, 2,
        _first_at("yaml_too_deep", 3, 103)),
    "block sequences - - - - 1M deep": (
        lambda: HEAD + "x:\n" + "- " * 900_000, 2, _first_at("yaml_too_deep", 5, 199)),
    "complex keys ? ? ? ? 1M deep": (
        lambda: HEAD + "x:\n  " + "? " * 900_000, 2, _kind("yaml_too_deep")),
    "block nesting then flow nesting add up past the limit": (
        lambda: HEAD + "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "[" * 5_000,
        2, _kind("yaml_too_deep")),
    "flow sequence of 600k scalars holds too many values": (
        lambda: HEAD + "x: [" + "a, " * 600_000 + "a]\n", 2, _kind("yaml_too_large")),
    "400k empty flow sequences": (
        lambda: HEAD + "x: [" + "[], " * 400_000 + "[]]\n", 2, _kind("yaml_too_large")),
    "150k mapping keys": (
        lambda: "title: t\nanswers:\n" + "".join(f"  k{i}: 1\n" for i in range(150_000)), 2,
        _kind("yaml_too_large")),
    "75k misspelt questions list 50 and count the rest": (
        lambda: "title: t\nanswers:\n" + "".join(f"  size_k{i}: 1\n" for i in range(75_000)), 2,
        _capped("unknown_question", 50, 74_950)),
    "50k unknown top-level keys list 50 and count the rest": (
        lambda: "title: t\nanswers: {}\n" + "".join(f"extra{i}: 1\n" for i in range(50_000)), 2,
        _capped("extra_forbidden", 50, 49_950)),
    "10k answers to the same question as duplicate keys": (
        lambda: "title: t\nanswers:\n" + "  size_kb: 1\n" * 10_000, 2, _capped("duplicate_key", 50, 9_949)),
    "10k answers to the same question in a list": (
        lambda: "title: t\nanswers:\n" + "  - {size_kb: 1}\n" * 10_000, 2, _kind("dict_type")),
    "30k unsupported tags": (
        lambda: "title: t\nanswers:\n" + "".join(f"  q{i}: !!python/none x\n" for i in range(30_000)), 2,
        _capped("yaml_tag", 50, 29_950)),
    "30k out-of-range answers to number questions": (
        lambda: "title: t\nanswers:\n  size_kb: -1\n  consumers: 99\n  other: {a: [" + "1, " * 30_000 + "1]}\n",
        2, _kind("value_type")),
    "multi-choice answer with 100k valid items": (
        lambda: VALID + "  sources: [" + ", ".join(["iot", "web"] * 50_000) + "]\n", 0, _evaluated),
    "multi-choice answer with 100k misspelt items": (
        lambda: "title: t\nanswers:\n  sources: [" + ", ".join(["iotx"] * 100_000) + "]\n", 2,
        _kind("invalid_answer")),
    "2 MB title": (lambda: "title: " + "t" * (MB2 - 30) + "\nanswers: {}\n", 2, _short_output("string_too_long")),
    "2 MB single-choice answer": (
        lambda: "title: t\nanswers:\n  ordering: " + "x" * (MB2 - 40) + "\n", 2, _short_output("invalid_answer")),
    "2 MB description on one line is accepted": (
        lambda: VALID + "description: " + "ab " * 600_000 + "\n", 0, _evaluated),
    "40k anchors and aliases": (
        lambda: VALID + "description: ok\nx:\n" + "".join(f"  - &a{i} v\n  - *a{i}\n" for i in range(40_000)),
        2, _kind("extra_forbidden")),
    "syntax error after 1.5 MB of valid YAML": (
        lambda: "title: t\nanswers: {}\ndescription: >\n" + "  some text here\n" * 90_000 + "x: : :\n- a\n", 2,
        _kind("yaml_syntax")),
    "unterminated quote swallowing 1 MB of brackets": (
        lambda: HEAD + 'x: "' + "[" * 1_000_000, 2, _kind("yaml_syntax")),
    "brackets inside quoted strings are not nesting": (
        lambda: VALID + "description: '" + "[" * 1_000_000 + "'\n", 0, _evaluated),
    "1.9 MB of comments only": (lambda: "# just a comment\n" * 110_000, 2, _kind("empty_file")),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_slow_scenario_file_is_answered_promptly(name: str, tmp_path: Path) -> None:
    make, code, check = SCENARIOS[name]
    (tmp_path / "case.yaml").write_text(make(), encoding="utf-8")
    run = advisor("evaluate", "--rules", str(RULES), "case.yaml", cwd=tmp_path)
    assert run.code == code, run.err[:2000]
    check(run)


# ---- many files, patterns and options ------------------------------------------------------------------------

def test_batch_of_broken_files_prints_at_most_1000_problems_and_counts_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(30):  # 30 files x 80 problems: 50 listed per file, 1,500 lines in all
        (folder / f"bad{i:02}.yaml").write_text(
            "title: t\nanswers:\n" + "".join(f"  nope{j}: 1\n" for j in range(80)), encoding="utf-8")
    (folder / "zz_ok.yaml").write_text(VALID, encoding="utf-8")
    run = advisor("evaluate", "--rules", str(RULES), "batch", cwd=tmp_path)
    assert run.code == 2
    assert len(run.err.splitlines()) <= 1001
    assert re.search(r"\.\.\. and [0-9,]+ more problems not shown \(at most 1,000 are printed per run\)", run.err)
    assert "Stream service" in run.out  # the valid file of the batch is still evaluated


def test_folder_with_50k_files_that_are_not_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    for i in range(50_000):
        (folder / f"f{i}.txt").touch()
    run = advisor("evaluate", "--rules", str(RULES), "junk", cwd=tmp_path)
    assert run.code == 2 and "no_scenarios" in run.err


def test_repeated_globstars_on_a_deep_tree(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*(f"d{i}" for i in range(40)))
    deep.mkdir(parents=True)
    (deep / "case.yaml").write_text(VALID, encoding="utf-8")
    run = advisor("evaluate", "--rules", str(RULES), "**/**/**/**/**/**/**/*.yaml", cwd=tmp_path)
    assert run.code == 0 and run.out.count("Valid (case)") == 1


def test_huge_jobs_count_on_a_pooled_batch(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(250):  # above the in-process threshold, so workers are started
        (folder / f"s{i:03}.yaml").write_text(VALID, encoding="utf-8")
    run = advisor("evaluate", "--rules", str(RULES), "--jobs", "1000000", "--format", "json", "many", cwd=tmp_path)
    assert run.code == 0 and run.out.count('"scenario"') >= 250


def test_huge_jobs_count_starts_a_few_workers_per_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.app import batch

    started: list[int] = []
    monkeypatch.setattr(batch, "_pooled", lambda paths, job, advisor, jobs, progress: started.append(jobs) or iter([]))
    monkeypatch.setattr(batch, "default_jobs", lambda: 2)
    list(batch.map_files(None, [Path(f"s{i}.yaml") for i in range(250)], lambda a, p: p,  # type: ignore[arg-type]
                         jobs=1_000_000))
    assert started == [2 * batch.WORKERS_PER_CPU]


# ---- rule bases past the durable engine's fixed tables -------------------------------------------------------

def _rule_base(tmp_path: Path, questions: int, rules: int, joined: int = 1) -> Path:
    """rules_valid plus `questions` yes/no questions and `rules` derivation rules, each joining `joined` of them."""
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    (root / "questions" / "many.yaml").write_text(
        "area: {id: many, title: Many, order: 5}\nquestions:\n" + "".join(
            f"  - {{id: q{i}, prompt: 'Question {i}?', type: boolean}}\n" for i in range(questions)),
        encoding="utf-8")
    (root / "derivations" / "many.yaml").write_text(
        _generated_rules(rules, "MANY", "many", lambda r: [f"q{(r + k) % questions}" for k in range(joined)],
                         "Generated to fill the engine tables."), encoding="utf-8")
    return root


def _generated_rules(count: int, name: str, derived: str, tested: Callable[[int], list[str]], reasoning: str) -> str:
    """A derivation file of `count` rules NAME-000...: rule r derives `<derived>_r` when every fact tested(r)
    is true."""
    body = ["rules:\n"]
    for r in range(count):
        tests = ", ".join(f"{{fact: {fact}, equals: true}}" for fact in tested(r))
        body.append(f"  - id: {name}-{r:03}\n    title: {name.title()} {r}\n    when: {{all: [{tests}]}}\n"
                    f"    derive: [{{fact: {derived}_{r}}}]\n    reasoning: {reasoning}\n"
                    "    citations: [{note: 001_3a3c0835dfb19cbf.txt, section: 1.1.1 Data stream, lines: [79, 79]}]\n")
    return "".join(body)


def _scenario_answering(tmp_path: Path, questions: int) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(VALID + "".join(f"  q{i}: {'true' if i % 3 else 'false'}\n" for i in range(questions)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", [pytest.param("durable", marks=requires_durable), "reference"])
def test_600_questions_each_tested_by_its_own_rule_evaluates(tmp_path: Path, engine: str) -> None:
    rules = _rule_base(tmp_path, 600, 600)
    scenario = _scenario_answering(tmp_path, 600)
    run = advisor("evaluate", "--rules", str(rules), "--engine", engine, "--format", "json", str(scenario))
    assert run.code == 0, run.err[:2000]
    assert run.out.count('"many_') == 400  # every rule whose question is answered true derived its fact


@requires_durable
def test_600_question_rule_base_gives_the_same_advice_on_both_engines(tmp_path: Path) -> None:
    rules = _rule_base(tmp_path, 1200, 700)
    scenario = _scenario_answering(tmp_path, 1200)
    outputs = [advisor("evaluate", "--rules", str(rules), "--engine", engine, "--format", "json", str(scenario))
               for engine in ("durable", "reference")]
    assert outputs[0].code == outputs[1].code == 0
    assert engine_masked(outputs[0].out) == engine_masked(outputs[1].out)


def _joining_derived(rules: Path, joins: int, joined: int) -> Path:
    """`joins` more rules, each testing `joined` of the facts _rule_base's rules derive (many_0, many_1...)."""
    (rules / "derivations" / "joins.yaml").write_text(
        _generated_rules(joins, "JOIN", "joined", lambda r: [f"many_{(r + k) % joined}" for k in range(joined)],
                         "Generated to join derived facts."), encoding="utf-8")
    return rules


@requires_durable
def test_rule_joining_20_derived_facts_is_refused_with_its_location(tmp_path: Path) -> None:
    # Answers all travel in one wide fact (one pattern however many a rule tests); each derived fact a rule
    # tests is a pattern of its own, and the engine joins at most 16.
    rules = _joining_derived(_rule_base(tmp_path, 30, 30), 3, 20)
    run = advisor("evaluate", "--rules", str(rules), "--engine", "durable", str(_scenario_answering(tmp_path, 30)))
    assert run.code == 2
    found = lines_of_kind(run, "engine_capacity")
    assert len(found) == 3 and "derivations/joins.yaml:4:11: engine_capacity:" in found[0], run.err
    assert "joins 20 facts" in found[0] and "--engine reference" in found[0]


@requires_durable
def test_rule_testing_20_answers_gives_the_same_advice_on_both_engines(tmp_path: Path) -> None:
    rules = _rule_base(tmp_path, 30, 30, joined=20)
    scenario = _scenario_answering(tmp_path, 30)
    outputs = [advisor("evaluate", "--rules", str(rules), "--engine", engine, "--format", "json", str(scenario))
               for engine in ("durable", "reference")]
    assert outputs[0].code == outputs[1].code == 0, outputs[0].err[:2000]
    assert engine_masked(outputs[0].out) == engine_masked(outputs[1].out)


def test_rule_joining_20_facts_evaluates_on_the_reference_engine(tmp_path: Path) -> None:
    rules = _rule_base(tmp_path, 30, 3, joined=20)
    run = advisor("evaluate", "--rules", str(rules), "--engine", "reference", str(_scenario_answering(tmp_path, 30)))
    assert run.code == 0, run.err[:2000]


def test_lint_reports_a_rule_the_engine_cannot_hold(tmp_path: Path) -> None:
    rules = _joining_derived(_rule_base(tmp_path, 30, 30), 3, 17)
    run = advisor("lint", "--rules", str(rules))
    assert run.code == 1
    found = lines_of_kind(run, "engine_capacity")
    assert [line.split(": engine_capacity")[0][-len("joins.yaml:4:11"):] for line in found][:1] == ["joins.yaml:4:11"]
    assert len(found) == 3


def test_lint_has_no_capacity_finding_for_a_large_rule_base_that_fits_in_shards(tmp_path: Path) -> None:
    run = advisor("lint", "--rules", str(_rule_base(tmp_path, 600, 600)))
    assert run.code in (0, 1) and not lines_of_kind(run, "engine_capacity")


def test_rule_file_with_5000_misspelt_rule_keys(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    (root / "derivations" / "typos.yaml").write_text("rules:\n" + "".join(
        f"  - {{id: TYPO-{i:03}, titel: x, when: {{fact: replay, equals: true}}, derive: [{{fact: t{i}}}], "
        "reasoning: a reasoning long enough, citations: []}\n" for i in range(5_000)), encoding="utf-8")
    run = advisor("lint", "--rules", str(root))
    assert run.code == 2
    listed = [line for line in run.err.splitlines() if "typos.yaml:" in line and ": more_problems: " not in line]
    assert len(listed) == 50 and lines_of_kind(run, "extra_forbidden")
    assert "did you mean 'title'?" in run.err
    assert len(lines_of_kind(run, "more_problems")) == 1


def test_rule_file_with_999_rules_testing_unknown_facts(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    (root / "derivations" / "unknown.yaml").write_text("rules:\n" + "".join(
        f"  - {{id: UNKN-{i:03}, title: Rule number {i}, when: {{fact: size_kbb{i}, gt: 1}}, derive: [{{fact: u{i}}}], "
        "reasoning: a reasoning long enough, "
        "citations: [{note: 001_3a3c0835dfb19cbf.txt, section: 1.1.1 Data stream, lines: [79, 79]}]}\n"
        for i in range(999)), encoding="utf-8")
    run = advisor("evaluate", "--rules", str(root), str(_scenario_answering(tmp_path, 0)))
    assert run.code == 2
    assert len(lines_of_kind(run, "unknown_fact")) == 50
    assert "did you mean 'size_kb'?" in run.err
    assert "... and 949 more problems in this file" in run.err
