"""Hostile and careless input to the recently added features (review mode, the field map and AWS sources,
summary and HTML reports, ADR files, the sanitiser's invisible characters): each case here was a
misleading message, a traceback or unsanitised output before its fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from advisor.app.cli import main
from advisor.models.field_map import FieldMapFile
from advisor.shared.diagnostics import InvalidInput
from advisor.sources.validation import validate_document
from advisor.sources.yaml_source import parse_yaml_text

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x80-\x9f]")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text and "internal error" not in text, text[-2000:]
        assert not RAW_CONTROL.search(text), repr(RAW_CONTROL.search(text))
    return result


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_STATE_DIR", str(tmp_path / "state"))


def _review(tmp_path: Path, current: str) -> Result:
    path = tmp_path / "design.yaml"
    path.write_text(f"title: t\nanswers: {{}}\ncurrent:\n  streaming_ingestion: {current}\n", encoding="utf-8")
    return invoke("review", str(path))


# --- review mode: a current choice of the wrong shape gets one message that says what is wrong ---

def test_a_current_choice_that_is_not_an_id_names_only_the_id_rule(tmp_path: Path) -> None:
    result = _review(tmp_path, "'Not An Id'")
    assert result.exit_code == 2
    assert "is not valid here: ids are lower_snake_case" in result.stderr
    # before: also 'Input should be a valid list, got str' (a text is a valid shape here)
    assert "valid list" not in result.stderr
    assert result.stderr.count("design.yaml:4:") == 1


def test_an_empty_list_of_current_choices_says_it_is_empty(tmp_path: Path) -> None:
    result = _review(tmp_path, "[]")
    assert result.exit_code == 2
    assert "at least 1 item" in result.stderr
    assert "valid string" not in result.stderr  # before: 'Input should be a valid string, got list []'


def test_a_mapping_as_current_choice_names_the_accepted_shapes_in_words(tmp_path: Path) -> None:
    result = _review(tmp_path, "{a: 1}")
    assert result.exit_code == 2
    assert "expected one of: text, a list of texts" in result.stderr
    assert "constrained-str" not in result.stderr  # before: pydantic's internal union tags


# --- field map and AWS sources: two wrong fields are two errors, and patterns are worded ---

FIELD_MAP = """\
area: analytics
title: Analytics
choices:
  - id: warehouse
    choice: Store analytics data in a warehouse or a lake
    sources:
      - {url: %s, title: %s, read: %s}
    covered_by:
      - {decision: storage_architecture}
"""


def _field_map_problems(url: str, title: str, read: str) -> list[str]:
    doc = parse_yaml_text(FIELD_MAP % (url, title, read), Path("analytics.yaml"))
    with pytest.raises(InvalidInput) as caught:
        validate_document(doc, FieldMapFile)
    return [d.render() for d in caught.value.diagnostics]


def test_two_wrong_fields_of_one_source_are_two_located_errors() -> None:
    problems = _field_map_problems("https://docs.aws.amazon.com/a.html", "[x]", "[1]")
    # before: one error at the source, 'expected one of: title, read, got list ['x']'
    assert len(problems) == 2, problems
    assert any("sources[0].title" in p and "valid string" in p for p in problems), problems
    assert any("sources[0].read" in p and "valid string" in p for p in problems), problems
    assert not any("expected one of" in p for p in problems), problems


@pytest.mark.parametrize(("url", "read", "wording"), [
    ("'javascript:alert(1)'", "2026-12", "an AWS page address"),
    ("https://docs.aws.amazon.com/a.html", "2026-13", "as YYYY-MM"),
])
def test_an_aws_source_pattern_is_worded_not_a_regex(url: str, read: str, wording: str) -> None:
    problems = _field_map_problems(url, "A page title", read)
    assert len(problems) == 1 and wording in problems[0], problems
    assert "String should match pattern" not in problems[0]


def test_every_id_pattern_of_the_models_has_wording() -> None:
    from advisor.sources.schema import SCHEMAS
    from advisor.sources.validation import PATTERN_HINTS

    patterns: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for model in SCHEMAS.values():
        walk(model.model_json_schema(by_alias=True))
    assert patterns, "no patterns found in the schemas"
    assert sorted(patterns - set(PATTERN_HINTS)) == []


# --- invisible characters: zero-width and bidi marks are shown, not passed through ---

INVISIBLE = ["\u200b", "\u200e", "\u200f", "\u061c", "\u2060", "\ufeff", "\u00ad", "\U000e0041"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_the_sanitiser_shows_invisible_characters(char: str) -> None:
    from advisor.shared import safe_text

    text = f"pay{char}ments"
    for shown in (safe_text.line(text), safe_text.block(text), safe_text.md_line(text), safe_text.md_cell(text)):
        assert char not in shown  # before: passed through, so 'pay?ments' read as 'payments'
        assert shown.startswith("pay\\") and shown.endswith("ments")
    expected = "\\U000e0041" if char == "\U000e0041" else f"\\u{ord(char):04x}" if ord(char) > 0xff else "\\xad"
    assert safe_text.line(text) == f"pay{expected}ments"


def test_joiners_that_scripts_and_emoji_need_are_kept() -> None:
    from advisor.shared import safe_text

    for text in ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\U0001f469\u200d\U0001f4bb", "caf\u00e9"):
        assert safe_text.line(text) is text


def test_json_text_escapes_invisible_characters_and_parses_back() -> None:
    import json

    from advisor.shared import safe_text

    data = {"title": "a\u200bb\U000e0041c\ufeff"}
    text = safe_text.json_text(json.dumps(data, ensure_ascii=False))
    assert not any(char in text for char in ("\u200b", "\U000e0041", "\ufeff"))
    assert "\\udb40\\udc41" in text  # a character above U+FFFF is a surrogate pair in JSON
    assert json.loads(text) == data


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "summary", "json"])
def test_a_zero_width_title_reaches_no_output_raw(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "zw.yaml"
    path.write_text("title: \"Pay\u200bments \u200fand\u2060 tags\U000e0041\"\nanswers: {}\n", encoding="utf-8")
    result = invoke("evaluate", str(path), "--format", fmt)
    assert result.exit_code == 0, result.output
    for char in ("\u200b", "\u200f", "\u2060", "\U000e0041"):
        assert char not in result.stdout, (fmt, char)
    assert "Pay\\u200bments" in result.stdout


# --- serve: a server that cannot start never claims to be serving ---

FIXTURE_RULES = str(Path(__file__).resolve().parent.parent / "fixtures" / "rules_core")


def test_serve_on_a_taken_port_prints_no_serving_banner() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("serve", "--rules", FIXTURE_RULES, "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Serving" not in result.stdout and "Ctrl+C" not in result.stdout  # before: the banner, then the error


def test_serve_with_a_host_name_holding_escapes_sends_none_to_the_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    result = invoke("serve", "--rules", FIXTURE_RULES, "--host", "\x1b]0;pwned\x07\x1b[2Jbad", "--port", "8999")
    out, err = capfd.readouterr()  # textual-serve prints its banner to the real stdout
    assert result.exit_code == 2
    assert "cannot listen on \\x1b]0;pwned\\x07\\x1b[2Jbad:8999" in result.stderr
    assert "\x1b" not in out + err + result.stdout  # before: the banner wrote the raw escapes


def test_serve_refuses_an_invalid_scenario_before_serving(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: t\nanswers:\n  size_kb: huge\n", encoding="utf-8")
    import socket

    with socket.socket() as taken:  # should the check regress, the server fails to start rather than run
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = invoke("serve", str(broken), "--rules", FIXTURE_RULES, "--host", "127.0.0.1", "--port", port)
    assert result.exit_code == 2
    assert "broken.yaml:3:12: invalid_answer" in result.stderr  # before: served, each tab showing the problem
    assert "cannot listen" not in result.stderr


# --- decision files: a check across fields points at the line it is about ---

SHIPPED_RULES = Path(__file__).resolve().parent.parent.parent / "rules"


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    ("- options: [cross_region_copy, cross_account_copy]", "- options: [cross_region_copy, nope_copy]",
     "combinations[0].options", "combination names unknown options: nope_copy"),
    ("- options: [cross_region_copy, cross_account_copy]", "- options: [cross_region_copy, cross_region_copy]",
     "combinations[0].options", "a combination lists an option twice"),
    ("  - id: cross_account_copy", "  - id: no_copy", "options[2].id", "duplicate option ids: no_copy"),
])
def test_a_cross_field_problem_in_a_decision_is_located_at_its_line(
        tmp_path: Path, old: str, new: str, where: str, message: str) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, rules)
    decision = rules / "decisions" / "backup_copy_scope.yaml"
    text = decision.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    decision.write_text(changed, encoding="utf-8")
    line = max(n for n, x in enumerate(changed.splitlines(), 1) if x.endswith(new.strip()))  # the changed line
    scenario = tmp_path / "s.yaml"
    scenario.write_text("title: t\nanswers: {}\n", encoding="utf-8")
    result = invoke("evaluate", str(scenario), "--rules", str(rules))
    assert result.exit_code == 2
    problem = next(p for p in result.stderr.splitlines() if message in p)
    # before: every such problem pointed at line 3, column 1 (the start of the decision's mapping)
    assert f"backup_copy_scope.yaml:{line}:" in problem and f"{where}: " in problem, problem


# --- answers: a list where the question wants something else is judged against the question ---

@pytest.mark.parametrize(("value", "expected"), [
    ("[1, 2]", "max_record_size_kb: expected a number in KB (or unknown), got [1, 2]"),
    ("[true]", "max_record_size_kb: expected a number in KB (or unknown), got [True]"),
])
def test_a_list_of_numbers_for_a_number_question_says_a_number_is_expected(
        tmp_path: Path, value: str, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"title: t\nanswers:\n  ingestion_mode: streaming\n  max_record_size_kb: {value}\n",
                    encoding="utf-8")
    result = invoke("evaluate", str(path))
    assert result.exit_code == 2
    assert expected in result.stderr, result.stderr
    assert "valid string" not in result.stderr  # before: 'Input should be a valid string, got int 1' per item


def test_a_number_in_a_list_of_choices_is_named_as_not_a_choice(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: t\nanswers:\n  topics: [streaming_ingestion, 7]\n", encoding="utf-8")
    result = invoke("evaluate", str(path))
    assert result.exit_code == 2
    assert "topics: 7 is not a choice" in result.stderr, result.stderr


# --- schema --check: says which schemas are missing and the command that writes them for these rules ---

def test_schema_check_names_missing_schemas_and_the_command_for_these_rules(tmp_path: Path) -> None:
    result = invoke("schema", "--rules", FIXTURE_RULES, "--check", "--out", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "missing: decision.schema.json" in result.stderr
    # before: "run 'advisor schema'", which writes the bundled rule base's schemas into ./schemas
    assert f"run advisor schema --rules {FIXTURE_RULES} --out {tmp_path / 'nowhere'}" in result.stderr
    written = invoke("schema", "--rules", FIXTURE_RULES, "--out", str(tmp_path / "nowhere"))
    assert written.exit_code == 0
    assert invoke("schema", "--rules", FIXTURE_RULES, "--check", "--out", str(tmp_path / "nowhere")).exit_code == 0


# --- baseline: a saved report that cannot be read is not "a saved scenario that was not evaluated" ---

def test_an_unreadable_saved_report_is_not_called_not_evaluated(tmp_path: Path) -> None:
    scenario = tmp_path / "pipeline.yaml"
    scenario.write_text("title: Pipeline\nanswers:\n  ingestion_mode: streaming\n", encoding="utf-8")
    saved = tmp_path / "baseline"
    assert invoke("evaluate", str(scenario), "--format", "json", "--output", str(saved)).exit_code == 0
    (saved / "pipeline.json").write_bytes(b"\xff\xfe{")
    result = invoke("evaluate", str(scenario), "--baseline", str(saved))
    assert result.exit_code == 2
    assert "pipeline.json:1:1: baseline: cannot read the saved advice" in result.stderr
    # before: "0 of 0 scenario(s) changed" and "1 saved scenario(s) were not evaluated: pipeline"
    assert "were not evaluated" not in result.stdout
    assert "0 of 1 scenario(s) changed" in result.stdout and "1 could not be compared" in result.stdout


# --- lint: a notes folder that does not exist is one message, not one per citation ---

@pytest.mark.parametrize("from_env", [False, True])
def test_lint_with_a_missing_notes_folder_says_so_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       from_env: bool) -> None:
    missing = tmp_path / "no-notes"
    if from_env:
        monkeypatch.setenv("ADVISOR_NOTES", str(missing))
        result = invoke("lint", "--rules", FIXTURE_RULES)
    else:
        monkeypatch.delenv("ADVISOR_NOTES", raising=False)
        result = invoke("lint", "--rules", FIXTURE_RULES, "--notes", str(missing))
    assert result.exit_code == 2  # before: exit 1 with a 'note file ... not found in' finding per citation
    assert "no-notes:1:1: notes_folder: notes folder not found" in result.stderr
    assert "not found in" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("content", "says"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "1:1: notes_file: a binary file, not a note"),
    ("# Kinesis\nshards\n".encode("utf-16"), "1:1: notes_file: the note is UTF-16 or UTF-32"),
    (b"# Kinesis\nsha\xe8rds\n", "2:4: notes_file: byte 0xe8 is not valid UTF-8"),
], ids=["binary", "utf-16", "latin-1"])
def test_lint_with_a_note_file_that_is_not_utf8_text_says_so_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  content: bytes, says: str) -> None:
    monkeypatch.delenv("ADVISOR_NOTES", raising=False)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "001_kinesis.txt").write_text("# Kinesis\nshards\n", encoding="utf-8")
    (notes / "002_broken.txt").write_bytes(content)
    result = invoke("lint", "--rules", FIXTURE_RULES, "--notes", str(notes))
    # before: read with replacement characters, and its citations checked against garbled lines
    assert result.exit_code == 2
    assert f"notes/002_broken.txt:{says}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_lint_locates_a_calculator_citation_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_NOTES", raising=False)
    notes = tmp_path / "notes"
    notes.mkdir()
    result = invoke("lint", "--rules", FIXTURE_RULES, "--notes", str(notes))
    found = [line for line in result.stderr.splitlines() if "shards.yaml" in line and "citation:" in line]
    assert found, result.stderr
    # before: every calculator citation finding pointed at line 1, column 1 of the file
    assert any("shards.yaml:7:" in line and "shards_doubled" not in line for line in found), found
    assert any("shards.yaml:13:" in line and "shards_doubled" in line for line in found), found


# --- pyproject.toml that is not UTF-8: its rules setting is not skipped silently ---

@pytest.mark.parametrize(("content", "says"), [
    ('[tool.advisor]\nrules = "team-rules"\n'.encode("utf-16"), "the file is UTF-16"),
    (b'[tool.advisor]\nrules = "r\xe8gles"\n', "the file is not UTF-8"),
])
def test_a_pyproject_that_is_not_utf8_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         content: bytes, says: str) -> None:
    monkeypatch.delenv("ADVISOR_RULES", raising=False)
    (tmp_path / "pyproject.toml").write_bytes(content)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("title: t\nanswers: {}\n", encoding="utf-8")
    result = invoke("evaluate", str(scenario), "--format", "summary")
    # before: exit 0 with the bundled rules, the team's rules setting skipped without a word
    assert result.exit_code == 2
    assert f"pyproject.toml:1:1: pyproject: not valid TOML: {says}" in result.stderr


# --- rule test files: a misspelt option or rule id is a finding, not a case that passes forever ---

def test_lint_names_unknown_ids_in_rule_test_expectations(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, rules)
    tests = rules / "decisions" / "glue_worker_type.test.yaml"
    text = tests.read_text(encoding="utf-8")
    old = "expect: {recommended: g025x, fired: [GLUEW-001]}"
    assert old in text
    tests.write_text(text.replace(old, "expect: {recommended: g025x, fired: [GLUEW-001], not_fired: [GLUEW-091], "
                                       "not_excluded: [g1xx]}"), encoding="utf-8")
    result = invoke("lint", "--rules", str(rules))
    assert result.exit_code == 1
    mine = [line for line in result.stderr.splitlines() if "glue_worker_type" in line]
    # before: nothing at all; both expectations passed whatever the rules did
    assert any("unknown_rule" in line and "no rule GLUEW-091" in line for line in mine), mine
    assert any("unknown_option" in line and "'g1xx' is not an option of glue_worker_type" in line for line in mine)


def test_lint_does_not_call_an_invalid_test_file_missing(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, rules)
    tests = rules / "decisions" / "glue_worker_type.test.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("fired: [GLUEW-001]", "fired: [bad id]", 1),
                     encoding="utf-8")
    result = invoke("lint", "--rules", str(rules))
    assert result.exit_code == 1
    assert "glue_worker_type.test.yaml:" in result.stderr
    assert "no test file decisions/glue_worker_type.test.yaml" not in result.stderr  # before: said it was missing
