"""Odd but valid input, and operating-system failures, end cleanly: exit 0, 1 or 2 with a located or
one-line message, never a traceback, nothing lost, and no raw control character in any output.

Classes covered: numbers in every base and size (answers and rule files), calculator formulas that
fail at evaluation, paths the system refuses (too long, through a file, no permission), saved baselines
of the wrong shape, a closed or full stdout, a damaged TUI draft, and odd-but-valid scenarios.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from advisor.app.cli import main
from advisor.inference.evaluation import Advisor
from advisor.shared.diagnostics import InvalidInput
from advisor.tui.draft import DraftInfo, DraftStore
from tests.conftest import engine_masked, requires_durable

HOSTILE = Path(__file__).resolve().parent.parent / "hostile"
RULES = HOSTILE / "rules_valid"
VALID_SCENARIO = (HOSTILE / "scenarios" / "ok_valid.yaml").read_text(encoding="utf-8")
SHIPPED = Path(__file__).resolve().parent.parent.parent / "scenarios"
ADVISOR = str(Path(sys.executable).with_name("advisor"))
LONG_NAME = "n" * 300  # longer than any file system's 255-byte name limit
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x80-\x9f]")
OK, FINDINGS, INVALID = 0, 1, 2


def assert_clean(*outputs: str) -> None:
    for text in outputs:
        assert "Traceback" not in text, text[-2000:]
        assert "Exception ignored" not in text, text[-2000:]
        assert "internal error" not in text, text[-2000:]
        assert not RAW_CONTROL.search(text), repr(RAW_CONTROL.search(text))


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert_clean(result.stdout, result.stderr)
    assert result.exit_code in (OK, FINDINGS, INVALID), (result.exit_code, result.output[-2000:])
    return result


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_STATE_DIR", str(tmp_path / "state"))


def scenario(tmp_path: Path, body: str, name: str = "case.yaml") -> str:
    (tmp_path / name).write_text(body, encoding="utf-8")
    return name


# ---- numbers in answers, whatever their base and size --------------------------------------------------

def _answer(value: str) -> str:
    return f"title: Odd number\nanswers:\n  size_kb: {value}\n"


NUMBER_ANSWERS = [
    # (id, YAML value, exit, kind located at the value, words the message must hold)
    ("decimal-of-401-digits", "9" * 401, INVALID, "number_range", "401 digits"),
    ("decimal-beyond-the-float-range", "9" * 350, INVALID, "number_range", "beyond the largest"),
    ("negative-decimal-beyond-the-float-range", "-" + "9" * 350, INVALID, "number_range", "beyond the largest"),
    ("hex-of-5000-digits", "0x" + "f" * 5000, INVALID, "number_range", "digits"),
    ("octal-of-5000-digits", "0o" + "7" * 5000, INVALID, "number_range", "digits"),
    ("hex-beyond-the-float-range", "0x" + "f" * 300, INVALID, "number_range", "beyond the largest"),
    ("hex-within-floats-but-out-of-range", "0x" + "f" * 100, INVALID, "invalid_answer", "outside the accepted"),
    ("exponent-overflowing-to-infinity", "1e999999", INVALID, "invalid_answer", "finite"),
    ("underscore-grouped-digits", "1_000", INVALID, "invalid_answer", "separators"),
    ("comma-grouped-digits", "1,000", INVALID, "invalid_answer", "separators"),
    ("quoted-number", '"100"', INVALID, "invalid_answer", "without quotes"),
]


@pytest.mark.parametrize(("value", "code", "kind", "words"), [c[1:] for c in NUMBER_ANSWERS],
                         ids=[c[0] for c in NUMBER_ANSWERS])
def test_numbers_in_answers_are_bounded_and_located(tmp_path: Path, value: str, code: int, kind: str,
                                                     words: str) -> None:
    result = invoke("evaluate", "--rules", str(RULES), scenario(tmp_path, _answer(value)))
    assert result.exit_code == code
    assert f"case.yaml:3:12: {kind}: " in result.stderr and words in result.stderr, result.stderr


VALID_NUMBERS = [("small-hex", "0x10", 16), ("negative-zero", "-0", 0), ("negative-zero-float", "-0.0", 0),
                 ("fraction-of-390-digits", "1." + "1" * 390, 1.1111111111111112)]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in VALID_NUMBERS], ids=[c[0] for c in VALID_NUMBERS])
def test_odd_but_valid_numbers_are_evaluated(tmp_path: Path, value: str, expected: float) -> None:
    result = invoke("evaluate", "--rules", str(RULES), "-f", "json", scenario(tmp_path, _answer(value)))
    assert result.exit_code == OK, result.stderr
    answers = {a["question"]: a["value"] for a in json.loads(result.stdout)["answers"]}
    assert answers["size_kb"] == expected


# ---- numbers and formulas in a team's own rule files -------------------------------------------------

def rules_with(tmp_path: Path, file: str, old: str, new: str) -> str:
    folder = tmp_path / "rules"
    if not folder.exists():
        shutil.copytree(RULES, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(folder)


SHARDS = "calculators/shards.yaml"
RULE_FILE_NUMBERS = [
    # (id, file, text replaced, replacement, kind, file:line:col)
    ("threshold-of-400-digit-hex", "decisions/stream.yaml", "lte: 1024", "lte: 0x" + "f" * 398, "number_range",
     "decisions/stream.yaml:24:"),
    ("threshold-beyond-the-float-range", "decisions/stream.yaml", "lte: 1024", "lte: " + "9" * 320,
     "number_range", "decisions/stream.yaml:24:"),
    ("question-max-of-5000-digit-octal", "questions/core.yaml", "max: 1000000,", "max: 0o" + "7" * 5000 + ",",
     "number_range", "questions/core.yaml:5:"),
    ("question-max-beyond-the-limit", "questions/core.yaml", "max: 1000000,", "max: 1e300,", "number_range",
     "questions/core.yaml:5:"),
    ("formula-constant-overflowing-to-infinity", SHARDS, "formula: shards * 2", "formula: shards * 1e999",
     "number_range", "shards.yaml:11:14"),
    ("formula-constant-of-400-hex-digits", SHARDS, "formula: shards * 2", "formula: shards * 0x" + "f" * 400,
     "number_range", "shards.yaml:11:14"),
    ("formula-constant-of-4400-digits", SHARDS, "formula: shards * 2", "formula: shards * 1" + "0" * 440,
     "number_range", "shards.yaml:11:14"),
    ("round-to-a-fractional-digit-count", SHARDS, "formula: shards * 2", "formula: round(shards, 1.5)",
     "formula", "shards.yaml:11:14"),
    ("round-to-1e300-digits", SHARDS, "formula: shards * 2", "formula: round(shards, 1e300)", "formula",
     "shards.yaml:11:14"),
    ("round-to-a-computed-digit-count", SHARDS, "formula: shards * 2", "formula: round(shards, shards)",
     "formula", "shards.yaml:11:14"),
]


@pytest.mark.parametrize(("file", "old", "new", "kind", "where"), [c[1:] for c in RULE_FILE_NUMBERS],
                         ids=[c[0] for c in RULE_FILE_NUMBERS])
def test_numbers_in_rule_files_are_located_errors(tmp_path: Path, file: str, old: str, new: str, kind: str,
                                                  where: str) -> None:
    rules = rules_with(tmp_path, file, old, new)
    result = invoke("evaluate", "--rules", rules, scenario(tmp_path, VALID_SCENARIO))
    assert result.exit_code == INVALID
    assert where in result.stderr and f": {kind}: " in result.stderr, result.stderr


FAILING_FORMULAS = [
    # (id, formula for shards_doubled, the words of the warning); shards is 5 with the answers below
    ("floor-division-by-zero", "shards // 0", "division by zero"),
    ("modulo-by-zero", "shards % 0", "division by zero"),
    ("division-by-a-zero-answer", "shards / size_kb", "division by zero"),
    ("whole-product-beyond-the-float-range", "shards" + " * 1000000000000000" * 21, "not a finite number"),
    ("float-product-overflowing-to-infinity", "shards" + " * 1e15" * 21, "not a finite number"),
    ("ceil-of-infinity", "ceil(shards" + " * 1e15" * 21 + ")", "a number too large"),
    ("infinity-minus-infinity", "shards" + " * 1e15" * 21 + " - shards" + " * 1e15" * 21, "not a finite number"),
    ("round-of-nan", "round(shards" + " * 1e15" * 21 + " * 0)", "no defined result"),
]


@pytest.mark.parametrize("engine", [pytest.param("durable", marks=requires_durable), "reference"])
@pytest.mark.parametrize(("formula", "words"), [c[1:] for c in FAILING_FORMULAS], ids=[c[0] for c in FAILING_FORMULAS])
def test_a_formula_failing_at_evaluation_makes_its_fact_unknown_with_a_warning(tmp_path: Path, engine: str,
                                                                                 formula: str, words: str) -> None:
    rules = rules_with(tmp_path, SHARDS, "formula: shards * 2", f"formula: {formula}")
    body = "title: t\nanswers:\n  rate_mb_s: 5\n  size_kb: 0\n  topics: [stream]\n"
    result = invoke("evaluate", "--rules", rules, "--engine", engine, "-f", "json", scenario(tmp_path, body))
    assert result.exit_code == OK, result.stderr
    advice = json.loads(result.stdout)
    assert any(w.startswith("shards_doubled ") and words in w and "unknown" in w for w in advice["warnings"])
    derived = {d["fact"] for d in advice["derived"]}
    assert "shards" in derived and "shards_doubled" not in derived  # unknown, not a made-up number


def test_a_huge_whole_result_is_kept_as_the_engine_reads_it(tmp_path: Path) -> None:
    rules = rules_with(tmp_path, SHARDS, "formula: shards * 2",
                       "formula: shards * 1000000000000000 * 1000000000000000")
    body = "title: t\nanswers:\n  rate_mb_s: 5\n  topics: [stream]\n"
    durable = invoke("evaluate", "--rules", rules, "-f", "json", scenario(tmp_path, body))
    reference = invoke("evaluate", "--rules", rules, "--engine", "reference", "-f", "json", "case.yaml")
    assert durable.exit_code == reference.exit_code == OK
    assert engine_masked(durable.stdout) == engine_masked(reference.stdout)
    assert json.loads(durable.stdout)["warnings"] == []


# ---- paths the operating system refuses --------------------------------------------------------------

def _file_as_folder(tmp_path: Path) -> str:
    (tmp_path / "plain").write_text("a file, not a folder\n", encoding="utf-8")
    return "plain/inside"


REFUSED_PATHS: list[tuple[str, Callable[[str, str], list[str]], str]] = [
    # (id, args from (refused path, valid scenario), kind)
    ("scenario-name-too-long", lambda p, s: ["evaluate", "--rules", str(RULES), p + ".yaml"], "name_too_long"),
    ("scenario-name-too-long-beside-a-valid-one",
     lambda p, s: ["evaluate", "--rules", str(RULES), s, p + ".yaml"], "name_too_long"),
    ("glob-too-long", lambda p, s: ["evaluate", "--rules", str(RULES), p + "*.yaml"], "name_too_long"),
    ("output-folder-name-too-long", lambda p, s: ["evaluate", "--rules", str(RULES), s, "-o", p], "output"),
    ("rules-folder-name-too-long", lambda p, s: ["evaluate", "--rules", p, s], "name_too_long"),
    ("baseline-folder-name-too-long", lambda p, s: ["evaluate", "--rules", str(RULES), s, "--baseline", p],
     "name_too_long"),
    ("adr-out-name-too-long", lambda p, s: ["adr", "--rules", str(RULES), s, "--output", p], "name_too_long"),
    ("schema-out-name-too-long", lambda p, s: ["schema", "--out", p], "output"),
    ("schema-check-name-too-long", lambda p, s: ["schema", "--check", "--out", p], "name_too_long"),
    ("explain-scenario-name-too-long", lambda p, s: ["explain", "--rules", str(RULES), p + ".yaml"],
     "unreadable"),
    ("lint-rules-name-too-long", lambda p, s: ["lint", "--rules", p], "name_too_long"),
    ("lint-notes-name-too-long", lambda p, s: ["lint", "--rules", str(RULES), "--notes", p], "name_too_long"),
]


@pytest.mark.parametrize(("args", "kind"), [c[1:] for c in REFUSED_PATHS], ids=[c[0] for c in REFUSED_PATHS])
def test_a_name_too_long_is_a_located_error(tmp_path: Path, args: Callable[[str, str], list[str]],
                                            kind: str) -> None:
    result = invoke(*args(LONG_NAME, scenario(tmp_path, VALID_SCENARIO, "valid.yaml")))
    assert result.exit_code == INVALID
    assert re.search(rf"^{LONG_NAME}[^\n]*:1:1: {kind}: ", result.stderr, re.MULTILINE), result.stderr


def test_a_valid_scenario_beside_a_refused_name_is_still_evaluated(tmp_path: Path) -> None:
    result = invoke("evaluate", "--rules", str(RULES), "-f", "json", scenario(tmp_path, VALID_SCENARIO, "v.yaml"),
                    LONG_NAME + ".yaml")
    assert result.exit_code == INVALID
    assert [a["scenario"]["id"] for a in json.loads(result.stdout)] == ["v"]


THROUGH_A_FILE: list[tuple[str, Callable[[str, str], list[str]], str]] = [
    ("evaluate-output-through-a-file", lambda p, s: ["evaluate", "--rules", str(RULES), s, "-o", p], "output"),
    ("adr-out-through-a-file", lambda p, s: ["adr", "--rules", str(RULES), s, "--output", p], "output"),
    ("schema-out-through-a-file", lambda p, s: ["schema", "--out", p], "output"),
    ("explain-scenario-through-a-file", lambda p, s: ["explain", "--rules", str(RULES), p + ".yaml"],
     "unreadable"),
    ("rules-through-a-file", lambda p, s: ["evaluate", "--rules", p, s], "rules_folder"),
]


@pytest.mark.parametrize(("args", "kind"), [c[1:] for c in THROUGH_A_FILE], ids=[c[0] for c in THROUGH_A_FILE])
def test_a_path_through_a_file_is_a_located_error(tmp_path: Path, args: Callable[[str, str], list[str]],
                                                  kind: str) -> None:
    refused = _file_as_folder(tmp_path)
    result = invoke(*args(refused, scenario(tmp_path, VALID_SCENARIO, "valid.yaml")))
    assert result.exit_code == INVALID
    assert re.search(rf"^plain/inside[^\n]*:1:1: {kind}: ", result.stderr, re.MULTILINE), result.stderr
    assert (tmp_path / "plain").read_text(encoding="utf-8") == "a file, not a folder\n"  # nothing lost


def _deny(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Reading `name` fails with EACCES (simulated: the tests may run as root, which chmod cannot stop)."""
    real_open = Path.open

    def guarded_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == name:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", guarded_open)


def test_permission_denied_on_a_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario(tmp_path, VALID_SCENARIO, "secret.yaml")
    _deny(monkeypatch, "secret.yaml")
    result = invoke("evaluate", "--rules", str(RULES), "secret.yaml", scenario(tmp_path, VALID_SCENARIO, "v.yaml"))
    assert result.exit_code == INVALID
    assert "secret.yaml:1:1: unreadable: Permission denied" in result.stderr
    assert "v" in result.stdout  # the readable scenario of the batch is still evaluated


def test_permission_denied_on_a_rule_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = rules_with(tmp_path, SHARDS, "formula: shards * 2", "formula: shards * 2")
    _deny(monkeypatch, "shards.yaml")
    result = invoke("evaluate", "--rules", rules, scenario(tmp_path, VALID_SCENARIO))
    assert result.exit_code == INVALID
    assert "calculators/shards.yaml:1:1: unreadable: Permission denied" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_an_unlistable_subfolder_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "batch" / "locked").mkdir(parents=True)
    (tmp_path / "batch" / "a.yaml").write_text(VALID_SCENARIO, encoding="utf-8")
    (tmp_path / "batch" / "locked" / "b.yaml").write_text(VALID_SCENARIO, encoding="utf-8")
    (tmp_path / "batch" / "locked").chmod(0)
    try:
        result = invoke("evaluate", "--rules", str(RULES), "batch")
    finally:
        (tmp_path / "batch" / "locked").chmod(0o755)
    assert result.exit_code == INVALID
    assert "batch/locked:1:1: permission_denied: " in result.stderr


# ---- saved baselines of the wrong shape ------------------------------------------------------------------

BAD_BASELINES: list[tuple[str, bytes, str]] = [
    ("a-list", b"[]", "the top level: expected a JSON object"),
    ("a-number", b"5", "the top level: expected a JSON object"),
    ("scenario-a-number", b'{"scenario": 5}', "scenario: expected a JSON object"),
    ("scenario-id-a-number", b'{"scenario": {"id": 5}}', "scenario.id: expected a JSON string"),
    ("decisions-not-a-list", b'{"scenario": {"id": "v"}, "decisions": {"a": 1}}', "decisions: expected a JSON array"),
    ("decision-without-id", b'{"scenario": {"id": "v"}, "decisions": [{"status": "undecided"}]}',
     "decisions.0.id: missing"),
    ("excluded-option-a-number", b'{"scenario": {"id": "v"}, "decisions": [{"id": "d", "excluded": [{"option": 1}]}]}',
     "decisions.0.excluded.0.option: expected a JSON string"),
    ("trace-item-a-number", b'{"scenario": {"id": "v"}, "trace": [5]}', "trace.0: expected a JSON object"),
    ("nested-past-the-parser", b"[" * 100_000 + b"]" * 100_000, "RecursionError"),
    ("nan-literal", b'{"scenario": {"id": "v"}, "decisions": [], "x": NaN}', "NaN is not a JSON number"),
    ("invalid-utf8", b'{"scenario": {"id": "v\xff"}}', "UnicodeDecodeError"),
    ("larger-than-16-mib", b'{"scenario": {"id": "v"}, "pad": "' + b"x" * (17 * 1024 * 1024) + b'"}', "MiB"),
]


@pytest.mark.parametrize(("content", "words"), [c[1:] for c in BAD_BASELINES], ids=[c[0] for c in BAD_BASELINES])
def test_a_baseline_of_the_wrong_shape_is_a_located_error(tmp_path: Path, content: bytes, words: str) -> None:
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / "v.json").write_bytes(content)
    result = invoke("evaluate", "--rules", str(RULES), scenario(tmp_path, VALID_SCENARIO, "v.yaml"),
                    "--baseline", "baseline")
    assert result.exit_code == INVALID
    assert "baseline/v.json:1:1: baseline: " in result.stderr and words in result.stderr, result.stderr[:2000]


def test_a_baseline_with_extra_keys_still_compares(tmp_path: Path) -> None:
    scenario(tmp_path, VALID_SCENARIO, "v.yaml")
    assert invoke("evaluate", "--rules", str(RULES), "v.yaml", "-f", "json", "-o", "baseline").exit_code == OK
    saved = json.loads((tmp_path / "baseline" / "v.json").read_text(encoding="utf-8"))
    saved["added_by_a_later_version"] = {"x": [1, 2]}
    (tmp_path / "baseline" / "v.json").write_text(json.dumps(saved), encoding="utf-8")
    result = invoke("evaluate", "--rules", str(RULES), "v.yaml", "--baseline", "baseline")
    assert result.exit_code == FINDINGS and "v:" in result.stdout


# ---- a closed or full stdout -----------------------------------------------------------------------------

def _batch(tmp_path: Path, count: int = 220) -> str:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(count):
        (folder / f"s{i:03}.yaml").write_text(f"title: s{i}\nanswers:\n  size_kb: {i}\n  topics: [stream]\n",
                                             encoding="utf-8")
    return str(folder)


def _valid(tmp_path: Path) -> str:
    return scenario(tmp_path, VALID_SCENARIO, "v.yaml")


OUTPUT_COMMANDS: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("evaluate-one-text", lambda t: ["evaluate", "--rules", str(RULES), _valid(t)]),
    ("evaluate-one-json", lambda t: ["evaluate", "--rules", str(RULES), "-f", "json", _valid(t)]),
    ("evaluate-pool-text", lambda t: ["evaluate", "--rules", str(RULES), "--jobs", "2", _batch(t)]),
    ("evaluate-pool-json", lambda t: ["evaluate", "--rules", str(RULES), "--jobs", "2", "-f", "json", _batch(t)]),
    ("evaluate-pool-markdown", lambda t: ["evaluate", "--rules", str(RULES), "-j", "2", "-f", "markdown", _batch(t)]),
    ("explain-text", lambda t: ["explain", "--rules", str(RULES), "--color", "always", _valid(t)]),
    ("explain-json", lambda t: ["explain", "--rules", str(RULES), "-f", "json", _valid(t)]),
    ("lint", lambda t: ["lint", "--rules", str(RULES)]),
    ("schema", lambda t: ["schema", "--out", str(t / "schemas")]),
    ("help", lambda t: ["--help"]),
    ("subcommand-help", lambda t: ["evaluate", "--help"]),
    ("version", lambda t: ["--version"]),
]


def _run_with_stdout(args: list[str], stdout: int) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([ADVISOR, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300,
                            env={**os.environ, "COLUMNS": "100"})
    assert_clean(result.stderr)
    return result


@pytest.mark.parametrize("args", [c[1] for c in OUTPUT_COMMANDS], ids=[c[0] for c in OUTPUT_COMMANDS])
def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path: Path,
                                                              args: Callable[[Path], list[str]]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` after its line: every write now fails with EPIPE
    try:
        result = _run_with_stdout(args(tmp_path), write_end)
    finally:
        os.close(write_end)
    assert result.returncode == OK, result.stderr
    assert "cannot write" not in result.stderr  # lint's findings go to stderr, which is still open


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [c[1] for c in OUTPUT_COMMANDS], ids=[c[0] for c in OUTPUT_COMMANDS])
def test_a_full_disk_under_stdout_is_one_clear_line(tmp_path: Path, args: Callable[[Path], list[str]]) -> None:
    with open("/dev/full", "w") as full:
        result = _run_with_stdout(args(tmp_path), full.fileno())
    assert result.returncode == INVALID
    assert result.stderr.splitlines()[-1] == "advisor: cannot write the output: No space left on device"


@pytest.mark.parametrize("args", [c[1] for c in OUTPUT_COMMANDS], ids=[c[0] for c in OUTPUT_COMMANDS])
def test_a_closed_stdout_is_one_clear_line(tmp_path: Path, args: Callable[[Path], list[str]]) -> None:
    result = subprocess.run([ADVISOR, *args(tmp_path)], stderr=subprocess.PIPE, text=True, timeout=300,
                            preexec_fn=lambda: os.close(1))  # like `advisor ... >&-`
    assert_clean(result.stderr)
    assert result.returncode == INVALID
    assert result.stderr.splitlines()[-1] == "advisor: cannot write the output: standard output is closed"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("stderr", ["full", "closed"], ids=["stderr-on-a-full-disk", "stderr-closed"])
def test_invalid_input_with_nowhere_to_report_it_still_exits_2(tmp_path: Path, stderr: str) -> None:
    name = scenario(tmp_path, _answer("0x" + "f" * 5000))
    with open("/dev/full", "w") as full:
        result = subprocess.run([ADVISOR, "evaluate", "--rules", str(RULES), name], stdout=subprocess.PIPE,
                                stderr=full if stderr == "full" else None, text=True, timeout=300,
                                preexec_fn=(lambda: os.close(2)) if stderr == "closed" else None)
    assert result.returncode == INVALID
    assert_clean(result.stdout)


# ---- the TUI's draft -------------------------------------------------------------------------------------

def _draft(folder: Path, meta: object | None, *, raw_meta: str | None = None) -> DraftStore:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "draft.scenario.yaml").write_text("title: Draft\nanswers: {}\n", encoding="utf-8")
    if raw_meta is not None:
        (folder / "draft.json").write_text(raw_meta, encoding="utf-8")
    elif meta is not None:
        (folder / "draft.json").write_text(json.dumps(meta), encoding="utf-8")
    return DraftStore(folder)


ODD_TIMESTAMPS = [("huge", "1e308"), ("nan", "NaN"), ("far-past", "-1e20"), ("infinity", "Infinity"),
                  ("text", '"yesterday"'), ("list", "[1, 2]"), ("boolean", "true"), ("null", "null")]


@pytest.mark.parametrize("raw", [c[1] for c in ODD_TIMESTAMPS], ids=[f"saved-at-{c[0]}" for c in ODD_TIMESTAMPS])
def test_a_draft_with_an_odd_timestamp_is_offered_with_a_readable_time(tmp_path: Path, raw: str) -> None:
    store = _draft(tmp_path / "state", None, raw_meta=f'{{"source": null, "saved_at": {raw}}}')
    info = store.info()
    assert info is not None and math.isfinite(info.saved_at)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", info.saved_label())


def test_an_unusable_time_reads_as_unknown() -> None:
    assert DraftInfo(Path("d"), None, 1e308).saved_label() == "an unknown time"


SIDECARS = [("sidecar-not-json", "{not json"), ("sidecar-a-list", "[]"), ("sidecar-source-a-number", '{"source": 5}'),
            ("sidecar-nested-deeply", "[" * 100_000 + "]" * 100_000)]


@pytest.mark.parametrize("raw", [c[1] for c in SIDECARS], ids=[c[0] for c in SIDECARS])
def test_a_damaged_sidecar_still_offers_the_draft(tmp_path: Path, raw: str) -> None:
    info = _draft(tmp_path / "state", None, raw_meta=raw).info()
    assert info is not None and info.source is None


def test_a_draft_that_is_a_folder_is_not_offered(tmp_path: Path) -> None:
    (tmp_path / "state" / "draft.scenario.yaml").mkdir(parents=True)
    assert DraftStore(tmp_path / "state").info() is None


def test_a_state_folder_name_too_long_offers_nothing(tmp_path: Path) -> None:
    assert DraftStore(tmp_path / LONG_NAME).info() is None


def test_discarding_in_a_read_only_state_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _draft(tmp_path / "state", {"source": None, "saved_at": 0})

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

    monkeypatch.setattr(Path, "unlink", refuse)
    problem = store.clear()
    assert problem is not None and "could not remove the draft" in problem and "Permission denied" in problem
    assert store.path.is_file()  # still there, to be offered again


async def test_the_app_starts_with_a_damaged_draft_and_an_unopenable_scenario(tmp_path: Path) -> None:
    from advisor.tui.app import AdvisorApp
    from advisor.tui.draft import draft_key
    from advisor.tui.screens.dialogs import ConfirmDialog

    scenario = Path(LONG_NAME + ".yaml")
    _draft(DraftStore(tmp_path / "state", draft_key(scenario)).folder, None,
           raw_meta='{"source": null, "saved_at": 1e308}')  # the draft of the scenario being opened
    advisor = Advisor.from_folder(RULES, "reference")
    app = AdvisorApp(advisor, scenario=scenario, cursor_blink=False)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        await pilot.pause()
        messages = [s.message for s in app.screen_stack if isinstance(s, ConfirmDialog)]
        assert any("name too long" in m.lower() for m in messages), messages
        assert any("Unsaved answers" in m for m in messages), messages


def test_reading_a_scenario_with_a_name_too_long_is_invalid_input() -> None:
    from advisor.tui.scenario_io import read_scenario

    advisor = Advisor.from_folder(RULES, "reference")
    with pytest.raises(InvalidInput) as caught:
        read_scenario(advisor, Path(LONG_NAME + ".yaml"))
    assert caught.value.diagnostics[0].kind == "unreadable"


# ---- odd but valid scenarios, and extreme --jobs ---------------------------------------------------------

ODD_SCENARIOS = [
    # (id, scenario text, exit, words in stderr)
    ("no-answers", "title: t\nanswers: {}\n", OK, ""),
    ("empty-list-for-a-multi-choice", "title: t\nanswers:\n  sources: []\n", OK, ""),
    ("unicode-question-ids", "title: t\nanswers:\n  größe_kb: 5\n", INVALID, "string_pattern_mismatch"),
    ("title-of-100k-characters", "title: " + "x" * 100_000 + "\nanswers: {}\n", INVALID, "string_too_long"),
    ("scenario-id-at-the-length-limit", "id: " + "a" * 64 + "\ntitle: t\nanswers: {}\n", OK, ""),
    ("description-of-a-megabyte", "title: t\ndescription: " + "d" * 1_000_000 + "\nanswers: {}\n", OK, ""),
    ("choice-of-200k-characters", "title: t\nanswers:\n  ordering: " + "s" * 200_000 + "\n", INVALID,
     "invalid_answer"),
    ("emoji-and-right-to-left-title", 'title: "\U0001F600 \u05e9\u05dc\u05d5\u05dd"\nanswers: {}\n', OK, ""),
]


@pytest.mark.parametrize(("body", "code", "words"), [c[1:] for c in ODD_SCENARIOS], ids=[c[0] for c in ODD_SCENARIOS])
def test_odd_but_valid_scenarios(tmp_path: Path, body: str, code: int, words: str) -> None:
    result = invoke("evaluate", "--rules", str(RULES), "-f", "json", scenario(tmp_path, body))
    assert result.exit_code == code, result.stderr[:2000]
    assert words in result.stderr
    if code == OK:
        assert json.loads(result.stdout)["scenario"]["title"]


@pytest.mark.parametrize("jobs", ["0", "-1", "1e3", "many"], ids=lambda j: f"jobs-{j}-refused")
def test_unusable_jobs_are_a_usage_error(tmp_path: Path, jobs: str) -> None:
    result = invoke("evaluate", "--rules", str(RULES), "--jobs", jobs, _valid(tmp_path))
    assert result.exit_code == INVALID and "--jobs" in result.stderr


def test_an_enormous_jobs_count_is_capped(tmp_path: Path) -> None:
    folder = _batch(tmp_path)
    result = _run_with_stdout(["evaluate", "--rules", str(RULES), "-f", "json", "--jobs", "9" * 30, folder],
                              subprocess.PIPE)
    assert result.returncode == OK, result.stderr
    assert len(json.loads(result.stdout)) == 220
