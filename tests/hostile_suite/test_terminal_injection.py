"""Terminal and markup injection: text from a user's files is shown, never acted on.

Every text read from a user's file (scenario title, description, file name and so scenario id, answer keys
and values echoed in messages, a team's own rule-base texts, saved baselines, drafts) can hold escape
sequences: OSC window titles and clipboard writes (OSC 52), hyperlinks (OSC 8), screen clears, 8-bit C1
controls (U+009B is a CSI on its own), BEL, backspace and carriage-return overwrites, NUL, bidi overrides,
rich markup (`[/]` used to crash the text report) and Markdown/HTML. These tests write such files in
tmp_path and run every output path: `evaluate` as text, JSON and Markdown to stdout and with --output,
`explain`, `adr`, the error messages, baseline diffs, and the TUI (Pilot). Each output must hold no raw
control character, and the visible form (see advisor/shared/safe_text.py) must be there: the person can still
see that something odd was in the file. JSON keeps the exact data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt
from rich.console import Console

from advisor.app.cli import main
from advisor.app.exit_codes import ExitCode
from advisor.inference.evaluation import Advisor
from advisor.shared import safe_text

TESTS = Path(__file__).resolve().parent.parent
RULES = TESTS / "hostile" / "rules_valid"
TUI_RULES = TESTS / "tui" / "fixtures" / "rules"
ADVISOR = str(Path(sys.executable).with_name("advisor"))

# name -> (payload, how it must be shown)
PAYLOADS: dict[str, tuple[str, str]] = {
    "csi_clear_screen": ("\x1b[2J", r"\x1b[2J"),
    "osc0_window_title": ("\x1b]0;pwned\x07", r"\x1b]0;pwned\x07"),
    "osc52_clipboard": ("\x1b]52;c;cm0gLXJmIH4=\x07", r"\x1b]52;c;cm0gLXJmIH4=\x07"),
    "osc8_hyperlink": ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
                       "\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"),
    "c1_csi_8bit": ("\x9b2J", r"\x9b2J"),
    "c1_other": ("\x85\x90\x9d", r"\x85\x90\x9d"),
    "bell": ("ding\x07", r"ding\x07"),
    "backspace": ("rm\x08\x08ok", r"rm\x08\x08ok"),
    "carriage_return_overwrite": ("safe\rEVIL", r"safe\rEVIL"),
    "nul": ("a\x00b", r"a\x00b"),
    "delete": ("a\x7fb", r"a\x7fb"),
    "bidi_override": ("\u202eevil\u202c", r"\u202eevil\u202c"),
    "bidi_isolate": ("\u2066abc\u2069", r"\u2066abc\u2069"),
    "line_separator": ("a\u2028b", r"a\u2028b"),
}
ESCAPES = ("csi_clear_screen", "osc0_window_title", "osc52_clipboard", "c1_csi_8bit")
"""Payloads that can be part of a file name (no NUL, no slash)."""

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
"""What must never reach the output: every control character but newline and tab, bidi controls, line
separators and lone surrogates."""
RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")
TEXTUAL_OWN = re.compile(r"\x1b\[[0-9;]*[mH]")
"""The sequences rich and Textual write themselves: colours (SGR) and, for Textual, cursor positions."""

BASE_ANSWERS: dict[str, Any] = {"size_kb": 5000, "replay": True, "ordering": "strict", "sources": ["iot", "web"],
                                "consumers": 6}
"""Answers that decide the stream decision (MSK), so every section and an ADR are written."""


def assert_inert(text: str, where: str = "output") -> None:
    match = RAW.search(text)
    assert match is None, (f"raw {match.group()!r} in {where}: "
                           f"{text[max(0, match.start() - 80):match.start() + 80]!r}")


def write_scenario(folder: Path, name: str, title: str, description: str = "",
                   answers: dict[str, Any] | None = None) -> Path:
    """A scenario file; texts as YAML double-quoted scalars (JSON's escapes are YAML's), so every control
    character reaches the model through an escape, as a person could write it."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"title: {json.dumps(title)}"]
    if description:
        lines.append(f"description: {json.dumps(description)}")
    lines.append("answers:")
    lines += [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in (answers or BASE_ANSWERS).items()]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str, columns: int = 400) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def output_files(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_text(encoding="utf-8")


# ---- the sanitiser itself ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PAYLOADS))
def test_line_shows_each_payload_and_sends_nothing(name: str) -> None:
    payload, shown = PAYLOADS[name]
    text = safe_text.line(f"before {payload} after")
    assert_inert(text)
    assert text == f"before {shown} after"
    assert safe_text.line(text) == text  # idempotent: showing it twice adds nothing


def test_block_keeps_newlines_and_tabs_and_shows_the_rest() -> None:
    assert safe_text.block("a\n\tb\r\x1b[2Jc") == "a\n\tb\\r\\x1b[2Jc"
    assert safe_text.line("a\n\tb") == "a\\n\\tb"


def test_ordinary_text_comes_back_unchanged() -> None:
    for text in ("Kinesis Data Streams — 1 MB › § 2.1 é ü 😀 C:\\path\\x1b", "", "tab-free words"):
        assert safe_text.line(text) is text and safe_text.block(text) is text and safe_text.json_text(text) is text


def test_an_undecodable_file_name_byte_is_shown_not_written() -> None:
    name = os.fsdecode(b"bad\x9b2J")  # a lone surrogate per byte that is not UTF-8
    assert safe_text.line(name) == "bad\\udc9b2J"
    safe_text.line(name).encode("utf-8")  # printable on any terminal, strict UTF-8 included


@pytest.mark.parametrize("markup", ["Kinesis [/] MSK", "[link=https://evil.example]x[/link]", "[bold red]alarm[/]"])
def test_rich_text_is_never_read_as_markup(markup: str) -> None:
    console = Console(record=True, width=200, force_terminal=True, color_system="truecolor")
    console.print(safe_text.rich_text(markup + " \x1b]0;t\x07"))
    console.print(safe_text.markup(markup))  # the markup-string form: escaped, so shown, not applied
    assert console.export_text(clear=False).count(markup) == 2
    out = console.export_text(styles=True)
    assert "\x1b]8" not in out and "\x1b]0" not in out and r"\x1b]0;t\x07" in out


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<https://evil.example>", "<!-- hidden -->",
    "[click](javascript:alert(1))", "![pixel](https://evil.example/p.png)", "[click][ref]\n\n[ref]: /x",
    "[ref]: https://evil.example", "# Approved by security", "text\n===", "```\ncode",
])
def test_markdown_cannot_open_html_links_images_or_headings(text: str) -> None:
    for safe in (safe_text.md_line(text), safe_text.md_block(text)):
        html = MarkdownIt("commonmark").render(safe)
        assert set(re.findall(r"<[^>]*>", html)) <= {"<p>", "</p>"}, html  # paragraphs of text, nothing else


def test_markdown_keeps_ordinary_text() -> None:
    for text in ("records <= 256 KB and a < b", "year=/month=/day=/[entity]: queries", "s3_bucket * 2",
                 "Terms & Concepts", "under 1 MB (Kinesis)"):
        assert safe_text.md_line(text) == text and safe_text.md_cell(text) == text


def test_markdown_block_neutralises_line_starts() -> None:
    text = "intro\n# Heading\n```\n[ref]: https://evil.example\n---\n===\n  ## indented\nend"
    assert safe_text.md_block(text) == ("intro\n\\# Heading\n\\```\n\\[ref]: https://evil.example\n\\---\n\\===\n"
                                        "  \\## indented\nend")


def test_markdown_cells_and_code_spans() -> None:
    assert safe_text.md_cell("a | b\nc") == "a \\| b c"
    assert safe_text.md_code("plain") == "`plain`"
    assert safe_text.md_code("a`b") == "`` a`b ``"
    assert safe_text.md_code("x\x1b]0;t\x07") == "`x\\x1b]0;t\\x07`"


def test_front_matter_values_stay_one_yaml_scalar() -> None:
    assert safe_text.front_matter_value("stream-iot_1") == "stream-iot_1"
    value = safe_text.front_matter_value("x\nstatus: accepted\x1b]0;t\x07")
    assert "\n" not in value and yaml.safe_load(f"scenario: {value}") == {"scenario": "x\nstatus: accepted\x1b]0;t\x07"}


def test_json_text_escapes_what_json_writers_leave_raw() -> None:
    data = {"t": "\x7f\x85\x9b2J\u202eevil\u2066\u2028 — é"}
    dumped = json.dumps(data, ensure_ascii=False)
    assert RAW.search(dumped)  # json.dumps, like pydantic-core, writes these as they are
    fixed = safe_text.json_text(dumped)
    assert_inert(fixed)
    assert json.loads(fixed) == data and "— é" in fixed


# ---- advisor evaluate ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("name", list(PAYLOADS))
def test_evaluate_shows_each_payload_in_each_format(tmp_path: Path, name: str, fmt: str) -> None:
    payload, shown = PAYLOADS[name]
    title, description = f"Title {payload} end", f"Description {payload} end"
    path = write_scenario(tmp_path, "s.yaml", title, description)
    code, out, err = run("evaluate", str(path), "--rules", str(RULES), "--format", fmt)
    assert code == ExitCode.OK, err
    assert_inert(out, "stdout")
    assert_inert(err, "stderr")
    if fmt == "json":
        scenario = json.loads(out)["scenario"]
        assert (scenario["title"], scenario["description"]) == (title, description)  # the exact data
    else:
        assert f"Title {shown} end" in out


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_evaluate_output_folder_reports_and_messages_are_inert(tmp_path: Path, fmt: str) -> None:
    hostile = "".join(PAYLOADS[n][0] for n in ESCAPES)
    write_scenario(tmp_path / "in", f"evil{hostile}.yaml", f"T{hostile}", f"D{hostile}\n# heading")
    out_dir = tmp_path / f"out{PAYLOADS['osc0_window_title'][0]}"  # the message names this folder
    code, out, err = run("evaluate", str(tmp_path / "in"), "--rules", str(RULES), "--format", fmt,
                         "--output", str(out_dir))
    assert code == ExitCode.OK, err
    assert_inert(out, "stdout")
    assert_inert(err, "stderr")
    assert r"out\x1b]0;pwned\x07" in err
    reports = list(output_files(out_dir))
    assert len(reports) == 1
    report_path, report = reports[0]
    assert report_path.name == f"evil{hostile}." + {"text": "txt", "json": "json", "markdown": "md"}[fmt]
    assert_inert(report, "report")
    if fmt == "json":
        assert json.loads(report)["scenario"]["id"] == f"evil{hostile}"
    else:
        assert r"evil\x1b[2J\x1b]0;pwned\x07" in report


def test_a_markup_title_is_text_not_a_crash(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "k.yaml", "Kinesis [/] MSK [link=https://evil.example]x[/link] [bold red]y")
    for color in ("never", "always"):
        code, out, err = run("evaluate", str(path), "--rules", str(RULES), "--color", color)
        assert code == ExitCode.OK, err
        assert "internal error" not in err
        plain = RICH_SGR.sub("", out)
        assert "Kinesis [/] MSK [link=https://evil.example]x[/link] [bold red]y" in plain
        assert "\x1b]8" not in out  # no live hyperlink


def test_colour_output_holds_only_rich_own_colour_codes(tmp_path: Path) -> None:
    hostile = "".join(payload for payload, _ in PAYLOADS.values())
    path = write_scenario(tmp_path, "c.yaml", f"T{hostile}", f"D{hostile}")
    for command in (["evaluate"], ["explain"]):
        code, out, err = run(*command, str(path), "--rules", str(RULES), "--color", "always")
        assert code == ExitCode.OK, err
        assert "\x1b[" in out  # colours are on...
        assert_inert(RICH_SGR.sub("", out), " ".join(command))  # ...and they are the only escapes


# ---- explain and adr -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_explain_is_inert(tmp_path: Path, fmt: str) -> None:
    hostile = "".join(payload for payload, _ in PAYLOADS.values())
    path = write_scenario(tmp_path, f"x{PAYLOADS['osc52_clipboard'][0]}.yaml", f"T{hostile}", f"D{hostile}")
    code, out, err = run("explain", str(path), "--rules", str(RULES), "--format", fmt)
    assert code == ExitCode.OK, err
    assert_inert(out, "stdout")
    assert_inert(err, "stderr")
    if fmt == "json":
        assert json.loads(out)["scenario"]["title"] == f"T{hostile}"
    else:
        assert r"x\x1b]52;c;cm0gLXJmIH4=\x07" in out  # the scenario id, from the file name


def test_explain_rejects_an_unknown_decision_without_echoing_it_raw(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "s.yaml", "T")
    code, out, err = run("explain", str(path), "--rules", str(RULES), "--decision", "x\x1b]0;pwned\x07")
    assert code == 2
    assert_inert(out + err)
    assert r"x\x1b]0;pwned\x07" in err


def test_adr_records_are_inert_and_the_front_matter_stays_yaml(tmp_path: Path) -> None:
    hostile = "".join(payload for payload, _ in PAYLOADS.values())
    name = f"adr\nstatus: accepted{PAYLOADS['osc0_window_title'][0]}"
    path = write_scenario(tmp_path, f"{name}.yaml", f"T{hostile} <script>x</script>",
                          f"D{hostile}\n# Approved\n[ref]: javascript:alert(1)")
    code, out, err = run("adr", str(path), "--rules", str(RULES), "--output", str(tmp_path / "adr"))
    assert code == ExitCode.OK, err
    assert_inert(out + err)
    records = list(output_files(tmp_path / "adr"))
    assert records and all(re.fullmatch(r"\d{4}-[a-z0-9-]+\.md", p.name) for p, _ in records)
    for _, text in records:
        assert_inert(text, "ADR")
        front = yaml.safe_load(text.split("---\n")[1])
        assert front["status"] == "proposed" and front["scenario"] == name  # the id is one scalar, exactly
        assert "\n# Approved" not in text and "\\# Approved" in text
        assert not re.search(r"(?<!\\)<script>", text) and "\\<script>" in text


# ---- error messages ------------------------------------------------------------------------------------
def test_an_unknown_question_key_is_shown_not_sent(tmp_path: Path) -> None:
    key = "size\x1b]0;pwned\x07\x9b2J"
    path = write_scenario(tmp_path, "k.yaml", "T", answers={key: 1})
    code, out, err = run("evaluate", str(path), "--rules", str(RULES))
    assert code == ExitCode.INVALID_INPUT
    assert_inert(out + err)
    # the key fails the id pattern before it is looked up; both the path and the quoted key are shown
    assert r"k.yaml:3:3: string_pattern_mismatch: answers.size\x1b]0;pwned\x07\x9b2J: 'size\x1b]0;pwned" in err


def test_an_invalid_answer_value_is_shown_not_sent(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "v.yaml", "T", answers={"ordering": "strict\x1b[2J\u202e", "sources": ["x\x9b"]})
    code, out, err = run("evaluate", str(path), "--rules", str(RULES))
    assert code == ExitCode.INVALID_INPUT
    assert_inert(out + err)
    assert r"strict\x1b[2J\u202e" in err and r"x\x9b" in err


def test_an_unknown_top_level_key_is_shown_not_sent(tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_text('title: T\n"ans\\e]0;pwned\\awers": {}\nanswers: {}\n', encoding="utf-8")
    code, out, err = run("evaluate", str(path), "--rules", str(RULES))
    assert code == ExitCode.INVALID_INPUT
    assert_inert(out + err)
    assert r"ans\x1b]0;pwned\x07wers" in err


@pytest.mark.parametrize("name", ESCAPES)
def test_a_hostile_file_name_in_a_diagnostic(tmp_path: Path, name: str) -> None:
    payload, shown = PAYLOADS[name]
    bad = tmp_path / f"broken{payload}[red].yaml"  # a file name cannot hold a slash, so no [/]
    bad.write_text("title: [unclosed\n", encoding="utf-8")
    code, out, err = run("evaluate", str(tmp_path), "--rules", str(RULES))
    assert code == ExitCode.INVALID_INPUT
    assert_inert(out + err)
    assert f"broken{shown}[red].yaml:2:1: yaml_syntax" in err


def test_a_path_argument_that_matches_nothing_is_shown_not_sent(tmp_path: Path) -> None:
    code, out, err = run("evaluate", str(tmp_path / "nope\x1b]0;pwned\x07.yaml"), "--rules", str(RULES))
    assert code == ExitCode.INVALID_INPUT
    assert_inert(out + err)
    assert r"nope\x1b]0;pwned\x07.yaml" in err


def test_click_usage_errors_quote_the_command_line_safely(tmp_path: Path) -> None:
    folder = tmp_path / "dir\x1b]0;pwned\x07"  # `advisor explain scenarios/*` can pass such a name
    folder.mkdir()
    for args in (["explain", str(folder)], ["evaluate", "--x\x1b]0;pwned\x07", "a.yaml"]):
        code, out, err = run(*args)
        assert code == 2
        assert_inert(out + err)
        assert r"\x1b]0;pwned\x07" in err


# ---- baselines -----------------------------------------------------------------------------------------
def test_baseline_diff_lines_quote_the_saved_file_safely(tmp_path: Path) -> None:
    write_scenario(tmp_path / "in", "b.yaml", "T")
    saved = tmp_path / "saved"
    code, _, err = run("evaluate", str(tmp_path / "in"), "--rules", str(RULES), "-f", "json", "-o", str(saved))
    assert code == ExitCode.OK, err
    report = saved / "b.json"
    data = json.loads(report.read_text(encoding="utf-8"))
    stream = next(d for d in data["decisions"] if d["id"] == "stream")
    stream["recommended"]["label"] = "MSK\x1b]0;pwned\x07\u202e"  # someone edited the saved advice
    stream["alternatives"] = [{"option": "x\x9b2J", "label": "X", "summary": "", "score": 0, "verdicts": []}]
    data["decisions"].append({"id": "gone\x1b[2J", "status": "recommended", "recommended": {"label": "L\x07"}})
    report.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (saved / "other\x1b]0;x\x07.json").write_text("{}", encoding="utf-8")  # listed as not evaluated
    code, out, err = run("evaluate", str(tmp_path / "in"), "--rules", str(RULES), "--baseline", str(saved))
    assert code == ExitCode.FINDINGS
    assert_inert(out + err)
    for shown in (r"MSK\x1b]0;pwned\x07\u202e -> MSK", r"x\x9b2J", r"gone\x1b[2J", r"other\x1b]0;x\x07"):
        assert shown in out


# ---- a team's own rule base ------------------------------------------------------------------------------
HOSTILE_RULE_TEXTS = {
    "title: Stream service": 'title: "Stream [/] | <b>x</b> [y](javascript:alert(1)) \\e]0;pwned\\a"',
    "{id: msk, label: MSK, summary: Kafka}": '{id: msk, label: "MSK \\x9b2J [bold]", summary: "Kafka\\e[2J"}',
    "reasoning: Kinesis and SQS cap the record size well below these messages.":
        'reasoning: "Kinesis \\e]52;c;eA==\\a caps [link=https://evil.example]it[/link]\\n# Approved"',
    'prompt: "Largest message (KB)?"': 'prompt: "Largest \\u202emessage\\u202c (KB)?"',
}


@pytest.fixture
def hostile_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    for path in rules.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for old, new in HOSTILE_RULE_TEXTS.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return rules


@pytest.mark.parametrize("command", [("evaluate",), ("evaluate", "-f", "markdown"), ("explain",),
                                     ("explain", "-f", "markdown"), ("adr",)])
def test_rule_base_texts_are_inert(tmp_path: Path, hostile_rules: Path, command: tuple[str, ...]) -> None:
    path = write_scenario(tmp_path, "s.yaml", "T")
    extra = ["--output", str(tmp_path / "adr")] if command[0] == "adr" else []
    code, out, err = run(command[0], str(path), "--rules", str(hostile_rules), *command[1:], *extra)
    assert code == ExitCode.OK, err
    texts = [out, err] + [text for _, text in output_files(tmp_path / "adr")]
    for text in texts:
        assert_inert(text)
    everything = "\n".join(texts)
    assert r"MSK \x9b2J [bold]" in everything and r"\x1b]0;pwned\x07" in everything


def test_lint_of_a_hostile_rule_base_is_inert(hostile_rules: Path) -> None:
    code, out, err = run("lint", "--rules", str(hostile_rules))
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    assert_inert(out + err)


# ---- Markdown reports: no HTML, link, image or heading from the input -------------------------------------
def _tokens(text: str) -> list[Any]:
    flat = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        flat.append(token)
        flat += token.children or []
    return flat


def test_markdown_report_holds_no_html_links_or_extra_headings(tmp_path: Path, hostile_rules: Path) -> None:
    injection = ("<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) "
                 "![p](https://evil.example/p.png) <https://evil.example> [r]")
    description = f"{injection}\n# Approved by security\n[r]: javascript:alert(1)\n```\n| a | b |"
    plain = write_scenario(tmp_path, "plain.yaml", "Plain", "Plain words.")
    hostile = write_scenario(tmp_path, "evil.yaml", f"Evil {injection} | # x", description)
    reports = []
    for path in (plain, hostile):
        code, out, err = run("evaluate", str(path), "--rules", str(hostile_rules), "-f", "markdown")
        assert code == ExitCode.OK, err
        reports.append(out)
    tokens = _tokens(reports[1])
    kinds = {t.type for t in tokens}
    assert not kinds & {"html_inline", "html_block", "link_open", "image", "code_block"}
    # the only fence is our own architecture picture; labels in it are Mermaid-escaped (no tag, quote, backtick)
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"] * len(fences)
    assert not any(c in t.content for t in fences for c in '<>`') and all(
        line.count('"') in (0, 2) for t in fences for line in t.content.splitlines())
    headings = [t for t in tokens if t.type == "heading_open"]
    assert len(headings) == len([t for t in _tokens(reports[0]) if t.type == "heading_open"])
    # the decision title holds a `|`: every row of the summary table keeps its four cells
    cells, rows = 0, []
    for token in tokens:
        if token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            rows.append(cells)
    summary_table = rows[:2]  # the header and the stream decision's row
    assert summary_table == [4, 4]


# ---- real processes: the bytes on stdout and stderr ---------------------------------------------------------
def _process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([ADVISOR, *args], capture_output=True, timeout=120,
                          env={**os.environ, "COLUMNS": "300", **(env or {})}, check=False)


def _inert_bytes(data: bytes, where: str) -> str:
    text = data.decode("utf-8")  # strict: a raw 8-bit C1 byte (not UTF-8) fails here
    assert_inert(text, where)
    return text


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_process_stdout_and_stderr_bytes_are_inert(tmp_path: Path, fmt: str) -> None:
    hostile = "".join(payload for payload, _ in PAYLOADS.values())
    write_scenario(tmp_path, "ok.yaml", f"T{hostile}", f"D{hostile}")
    write_scenario(tmp_path, f"bad{PAYLOADS['osc0_window_title'][0]}.yaml", "T", answers={f"k{hostile}": 1})
    done = _process("evaluate", str(tmp_path), "--rules", str(RULES), "-f", fmt)
    assert done.returncode == ExitCode.INVALID_INPUT
    assert b"\x1b" not in done.stdout + done.stderr and b"\x07" not in done.stdout + done.stderr
    out = _inert_bytes(done.stdout, "stdout")
    err = _inert_bytes(done.stderr, "stderr")
    assert r"bad\x1b]0;pwned\x07.yaml" in err and r"k\x1b[2J\x1b]0;pwned\x07" in err
    if fmt == "json":
        assert json.loads(out)[0]["scenario"]["title"] == f"T{hostile}"


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, fmt: str, locale: str) -> None:
    raw_name = b"bad\x9b2J\x1b]0;x\x07"  # 0x9b alone is an 8-bit CSI, and not UTF-8
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        (folder / os.fsdecode(raw_name + b".yaml")).write_text("title: T\nanswers: {size_kb: 5}\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    done = _process("evaluate", str(folder), "--rules", str(RULES), "-f", fmt, env={"LC_ALL": locale})
    assert done.returncode == ExitCode.OK, done.stderr
    assert b"\x9b" not in done.stdout and b"\x1b" not in done.stdout
    out = _inert_bytes(done.stdout, "stdout")
    _inert_bytes(done.stderr, "stderr")
    if fmt == "json":
        assert json.loads(out)[0]["scenario"]["id"] == os.fsdecode(raw_name)  # the exact name, escaped in JSON
    else:
        assert r"bad\udc9b2J\x1b]0;x\x07" in out


# ---- the TUI ------------------------------------------------------------------------------------------
SIZE = (120, 40)
TUI_ANSWERS = {"ingestion_mode": "streaming", "max_record_size_kb": 2048}
TUI_TITLE = "Kinesis [/] MSK [link=https://evil.example]x[/link] \x1b]0;pwned\x07 \x9b2J \u202eevil"
TUI_TITLE_SHOWN = r"Kinesis [/] MSK [link=https://evil.example]x[/link] \x1b]0;pwned\x07 \x9b2J \u202eevil"


def screen_output(app: Any) -> str:
    """What Textual would write to the terminal for the current screen (and the screens under a dialog)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)


def assert_screen_inert(app: Any) -> str:
    """Checks the screen's output and returns its text without Textual's own sequences (rows run on)."""
    out = screen_output(app)
    assert "\x1b]" not in out  # no OSC at all: window title, clipboard, hyperlink
    text = TEXTUAL_OWN.sub("", out)
    assert_inert(text, "the screen")
    return text


async def settle(pilot: Any, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


@pytest.fixture
def tui_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    from advisor.tui.app import AdvisorApp

    monkeypatch.setenv("ADVISOR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("ADVISOR_NOTES", raising=False)
    advisors: list[Advisor] = []

    def make(rules: Path = TUI_RULES, **kwargs: Any) -> AdvisorApp:
        advisors.append(Advisor.from_folder(rules))
        kwargs.setdefault("cursor_blink", False)
        kwargs.setdefault("offer_draft", False)
        return AdvisorApp(advisors[-1], **kwargs)

    yield make
    for advisor in advisors:
        advisor.close()


async def test_tui_header_and_advice_show_a_hostile_scenario(tmp_path: Path, tui_app: Callable[..., Any]) -> None:
    from advisor.tui.screens.main import MainScreen

    path = write_scenario(tmp_path, "evil[red]\x1b]0;f\x07.scenario.yaml", TUI_TITLE, "D\x1b[2J", TUI_ANSWERS)
    app = tui_app(scenario=path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main.session.title == TUI_TITLE  # the data is kept exactly
        assert TUI_TITLE_SHOWN in app.main.sub_title and r"evil[red]\x1b]0;f\x07.scenario.yaml" in app.main.sub_title
        out = assert_screen_inert(app)
        assert "Kinesis [/] MSK [link=https://evil.example]x[/link]" in out  # literal, not markup
        assert r"Opened " in out  # the notification naming the file is on screen, plain
        assert "Amazon MSK" in out  # the advice is there too


async def test_tui_problem_dialog_for_a_hostile_file(tmp_path: Path, tui_app: Callable[..., Any]) -> None:
    from advisor.tui.screens.dialogs import ConfirmDialog

    path = write_scenario(tmp_path, "bad[red]\x1b]0;f\x07.yaml", "T", answers={"k\x1b]52;c;eA==\x07[/]": 1})
    app = tui_app(scenario=path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        out = assert_screen_inert(app)
        assert "Could not open" in out
        assert r"bad[red]\x1b]0;f\x07.yaml" in app.screen.title_text  # the dialog's title names the file
        assert r"k\x1b]52;c;eA==\x07[/]" in app.screen.message


async def test_tui_open_dialog_lists_and_opens_hostile_file_names(tmp_path: Path, tui_app: Callable[..., Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import DirectoryTree

    from advisor.tui.screens.dialogs import OpenDialog
    from advisor.tui.screens.main import MainScreen

    monkeypatch.chdir(tmp_path)
    name = "x[red][bold]\x1b]0;f\x07\x9b.yaml"
    write_scenario(tmp_path / "scenarios", name, TUI_TITLE, "", TUI_ANSWERS)
    app = tui_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+o")
        await settle(pilot, 5)
        dialog = app.screen
        assert isinstance(dialog, OpenDialog)
        out = assert_screen_inert(app)
        assert r"x[red][bold]\x1b]0;f\x07\x9b.yaml" in out
        tree = dialog.query_one(DirectoryTree)
        node = next(n for n in tree.root.children if n.data is not None and n.data.path.name == name)
        tree.select_node(node)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main.session.source is not None and app.main.session.source.name == name  # the real file
        assert app.main.session.title == TUI_TITLE
        assert_screen_inert(app)


async def test_tui_save_dialog_shows_the_visible_form_and_keeps_the_data(tmp_path: Path,
                                                                        tui_app: Callable[..., Any]) -> None:
    from textual.widgets import Input

    from advisor.tui.screens.dialogs import SaveDialog

    path = write_scenario(tmp_path, "s\x1b]0;f\x07.scenario.yaml", TUI_TITLE, "line one\nline two\x1b[2J",
                          TUI_ANSWERS)
    app = tui_app(scenario=path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.main.session.dirty = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        assert dialog.query_one("#scenario-title", Input).value == TUI_TITLE_SHOWN
        assert dialog.query_one("#scenario-description", Input).value == r"line one\nline two\x1b[2J"
        assert_screen_inert(app)
        await pilot.click("#btn-go")
        await pilot.pause()
        assert not isinstance(app.screen, SaveDialog), str(dialog.query_one("#dialog-error").render())
        assert_screen_inert(app)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))  # saved to the same file, untouched fields exact
    assert data["title"] == TUI_TITLE and data["description"] == "line one\nline two\x1b[2J"


async def test_tui_draft_offer_names_a_hostile_source_safely(tmp_path: Path, tui_app: Callable[..., Any]) -> None:
    from advisor.tui.draft import DraftStore, draft_key
    from advisor.tui.screens.dialogs import ConfirmDialog

    state = DraftStore(tmp_path / "state", draft_key(None)).folder  # the draft of a new scenario in this folder
    write_scenario(state, "draft.scenario.yaml", TUI_TITLE, "", TUI_ANSWERS)
    (state / "draft.json").write_text(json.dumps({"source": "/x/[/]\x1b]0;pwned\x07\u202e.yaml", "saved_at": 0}),
                                      encoding="utf-8")
    app = tui_app(offer_draft=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        out = assert_screen_inert(app)
        assert r"[/]\x1b]0;pwned\x07\u202e.yaml" in out
        await pilot.click("#btn-restore")
        await pilot.pause()
        assert app.main.session.title == TUI_TITLE
        assert_screen_inert(app)


async def test_tui_cited_passage_from_hostile_notes(tmp_path: Path, tui_app: Callable[..., Any]) -> None:
    from textual.widgets import Tree

    notes = tmp_path / "notes"
    notes.mkdir()
    lines = [f"line {n}" for n in range(1, 401)]
    lines[359] = "# 1.5 MSK \x1b]0;pwned\x07 [/]"
    lines[360] = "MSK \x1b]52;c;eA==\x07 takes \x9b2J large [link=https://evil.example]messages[/link] \u202eevil"
    (notes / "001_3a3c0835dfb19cbf.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = tui_app(notes_dir=notes)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.session.replace(title="T", description="", raw=TUI_ANSWERS, source=None, dirty=True)
        await app.main.reload()
        await settle(pilot)
        app.main.show_reasoning("streaming_ingestion")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        nodes, stack = [], [tree.root]
        while stack:  # in display order: the first one is the recommendation's, which is open
            node = stack.pop(0)
            nodes.append(node)
            stack[:0] = list(node.children)
        citation = next(n for n in nodes if n.data is not None and n.data.citation is not None
                        and n.data.citation.start == 361)
        tree.move_cursor(citation)
        await settle(pilot)
        out = assert_screen_inert(app)
        assert r"1.5 MSK \x1b]0;pwned\x07 [/]" in out  # the heading above the passage
        assert r"MSK \x1b]52;c;eA==\x07 takes \x9b2J" in out


@pytest.fixture
def hostile_tui_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "tui-rules"
    shutil.copytree(TUI_RULES, rules)
    edits = {
        "area: {id: workload, title: Workload, order: 0}":
            'area: {id: workload, title: "Work [/]\\e]0;t\\a", order: 0}',
        "prompt: How does the data arrive?": 'prompt: "How does \\e[2J the data [bold]arrive?"',
        "{id: streaming, label: As a continuous stream}": '{id: streaming, label: "As a stream \\x9b2J [/]"}',
        "title: Streaming ingestion service": 'title: "Streaming [/] ingestion \\e]0;pwned\\a"',
        "{id: msk, label: Amazon MSK, summary: Managed Apache Kafka}":
            '{id: msk, label: "Amazon MSK [link=https://evil.example]x[/link]", summary: "Kafka \\u202eevil"}',
    }
    for path in rules.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for old, new in edits.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return rules


async def test_tui_with_a_hostile_rule_base(tui_app: Callable[..., Any], hostile_tui_rules: Path) -> None:
    from advisor.tui.screens.reasoning import ReasoningScreen

    app = tui_app(rules=hostile_tui_rules)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        out = assert_screen_inert(app)
        assert r"Work [/]\x1b]0;t\x07" in out and r"How does \x1b[2J the data [bold]arrive?" in out
        app.session.replace(title="T", description="", raw=TUI_ANSWERS, source=None, dirty=True)
        await app.main.reload()
        await pilot.pause()
        out = assert_screen_inert(app)
        assert "[link=https://evil.example]x[/link]" in out  # the label, literal (it wraps after "Amazon MSK")
        app.main.show_reasoning("streaming_ingestion")
        await pilot.pause()
        assert isinstance(app.screen, ReasoningScreen)
        out = assert_screen_inert(app)
        assert r"Streaming [/] ingestion \x1b]0;pwned\x07" in out
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")  # the command palette lists questions and decisions
        await settle(pilot)
        out = assert_screen_inert(app)
        await pilot.press(*"stream")
        await settle(pilot)
        assert_screen_inert(app)


# ---- structure: one sanitiser, used wherever text is shown ----------------------------------------------
def test_every_output_module_goes_through_the_sanitiser() -> None:
    package = TESTS.parent / "advisor"
    shown_by = ["app/cli.py", "shared/diagnostics.py", "app/batch_reports.py", "analysis/baseline.py",
                "app/pytest_plugin.py",
                *[f"render/{p.name}" for p in (package / "render").glob("*.py") if p.name not in ("__init__.py",
                                                                                              "common.py",
                                                                                              "registry.py")],
                "tui/app.py", "tui/commands.py", "tui/screens/dialogs.py", "tui/screens/main.py",
                "tui/screens/reasoning.py", "tui/widgets/advice_list.py", "tui/widgets/choices.py",
                "tui/widgets/citation_panel.py", "tui/widgets/question_card.py", "tui/widgets/questionnaire.py",
                "tui/widgets/reasoning_tree.py"]
    missing = [name for name in shown_by if "safe_text" not in (package / name).read_text(encoding="utf-8")]
    assert not missing
