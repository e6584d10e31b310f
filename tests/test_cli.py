"""The command line: exit codes, stdout is data only, stderr carries located diagnostics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from advisor.app.cli import main
from advisor.app.exit_codes import ExitCode

FIXTURE_RULES = str(Path(__file__).parent / "fixtures" / "rules_core")
GOOD = "title: Big messages\nanswers:\n  size_kb: 5000\n  replay: true\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_evaluate_prints_json_for_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "big.scenario.yaml", GOOD)
    code, out, err = run("evaluate", str(path), "--rules", FIXTURE_RULES, "--format", "json")
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["scenario"]["id"] == "big"
    stream = next(d for d in data["decisions"] if d["id"] == "stream")
    assert stream["recommended"]["option"] == "msk"


def test_a_folder_gives_a_json_array_and_a_bad_file_fails_alone(tmp_path: Path) -> None:
    write(tmp_path, "a.scenario.yaml", GOOD)
    write(tmp_path, "b.scenario.yaml", "title: Bad\nanswers:\n  size_kb: lots\n")
    code, out, err = run("evaluate", str(tmp_path), "--rules", FIXTURE_RULES, "--format", "json")
    assert code == ExitCode.INVALID_INPUT
    assert [a["scenario"]["id"] for a in json.loads(out)] == ["a"]
    assert "b.scenario.yaml:3:12: invalid_answer: size_kb: expected a number in KB" in err
    assert "Traceback" not in err


def test_an_unknown_question_is_located_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.yaml", "title: Typo\nanswers:\n  size_kbb: 5\n")
    code, _, err = run("evaluate", str(path), "--rules", FIXTURE_RULES)
    assert code == ExitCode.INVALID_INPUT
    assert "typo.yaml:3:3: unknown_question: 'size_kbb' is not a question; did you mean 'size_kb'?" in err


def test_a_missing_path_is_invalid_input(tmp_path: Path) -> None:
    code, _, err = run("evaluate", str(tmp_path / "nope.yaml"), "--rules", FIXTURE_RULES)
    assert code == ExitCode.INVALID_INPUT
    assert "no such file or folder" in err


def test_markdown_reports_go_to_the_output_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "big.scenario.yaml", GOOD)
    out_dir = tmp_path / "out"
    code, out, err = run("evaluate", str(path), "--rules", FIXTURE_RULES, "-f", "markdown", "-o", str(out_dir))
    assert code == ExitCode.OK, err
    assert out == ""
    report = (out_dir / "big.md").read_text(encoding="utf-8")
    assert report.startswith("# Advice: Big messages")
    assert "001_3a3c0835dfb19cbf.txt § 1.1.1 Data stream L79" in report


def test_text_output_names_the_recommendation(tmp_path: Path) -> None:
    path = write(tmp_path, "big.scenario.yaml", GOOD)
    code, out, _ = run("evaluate", str(path), "--rules", FIXTURE_RULES, "--color", "never")
    assert code == ExitCode.OK
    assert "MSK" in out and "STRM-001" in out


def test_invalid_rules_exit_2_with_locations(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "questions").mkdir(parents=True)
    (rules / "decisions").mkdir()
    (rules / "questions" / "q.yaml").write_text(
        "area: {id: a, title: A}\nquestions:\n  - {id: x, prompt: X, type: boolean}\n", encoding="utf-8")
    (rules / "decisions" / "d.yaml").write_text(
        "id: d\ntitle: Dee\nquestion: Which one?\narea: a\noptions:\n  - {id: o1, label: One, summary: One}\n"
        "  - {id: o2, label: Two, summary: Two}\nfallback: {ask: [x]}\nrules:\n  - id: DD-001\n"
        "    title: A rule on a typo\n    when: {fact: xx, equals: true}\n    recommend: [o1]\n"
        "    reasoning: This names a question that does not exist.\n"
        "    citations: [{note: a.txt, section: S, lines: [1, 1]}]\n", encoding="utf-8")
    path = write(tmp_path, "s.yaml", "title: S\nanswers: {x: true}\n")
    code, _, err = run("evaluate", str(path), "--rules", str(rules))
    assert code == ExitCode.INVALID_INPUT
    assert "decisions/d.yaml:12:18: unknown_fact: 'xx' is not a question, calculator or derived fact; did you " \
           "mean 'x'?" in err


def test_lint_reports_findings_with_exit_1() -> None:
    code, out, err = run("lint", "--rules", FIXTURE_RULES)
    assert code == ExitCode.FINDINGS
    assert "missing_tests" in err
    assert "2 decisions, 11 rules" in out


def test_lint_of_the_shipped_rules_is_clean(notes_dir: Path) -> None:
    code, out, err = run("lint", "--notes", str(notes_dir))
    assert code == ExitCode.OK, err
    assert "0 finding(s)" in out


SCHEMAS_MADE_WITH_PYDANTIC = (2, 12)
"""The committed schemas are written with a current pydantic; older releases allowed by pyproject.toml word
the same schema differently (descriptions of nested models, `allOf` around a lone `$ref`, `propertyNames`)."""


def _schema_shape(node: Any) -> Any:
    """A schema without the parts older pydantic releases write differently: what editors validate stays."""
    if isinstance(node, dict):
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict) and set(all_of[0]) == {"$ref"}:
            node = {**{k: v for k, v in node.items() if k != "allOf"}, "$ref": all_of[0]["$ref"]}
        return {k: _schema_shape(v) for k, v in sorted(node.items()) if k not in ("description", "propertyNames")}
    if isinstance(node, list):
        return [_schema_shape(v) for v in node]
    return node


def test_schemas_are_up_to_date(tmp_path: Path) -> None:
    import pydantic

    root = Path(__file__).resolve().parent.parent
    if tuple(int(p) for p in pydantic.VERSION.split(".")[:2]) >= SCHEMAS_MADE_WITH_PYDANTIC:
        code, _, err = run("schema", "--check", "--out", str(root / "schemas"))
        assert code == ExitCode.OK, err
        return
    code, _, err = run("schema", "--out", str(tmp_path))
    assert code == ExitCode.OK, err
    for made in sorted(tmp_path.glob("*.json")):
        committed = json.loads((root / "schemas" / made.name).read_text(encoding="utf-8"))
        assert _schema_shape(json.loads(made.read_text(encoding="utf-8"))) == _schema_shape(committed), made.name


def test_usage_errors_exit_2() -> None:
    code, _, _ = run("evaluate", "x.yaml", "--format", "pdf")
    assert code == ExitCode.INVALID_INPUT


def test_without_a_terminal_bare_advisor_shows_help_and_ask_refuses() -> None:
    code, out, _ = run()
    assert code == ExitCode.OK and "evaluate" in out
    code, _, err = run("ask")
    assert code == ExitCode.INVALID_INPUT and "interactive terminal" in err and "advisor serve" in err


def test_serve_runs_ask_with_the_same_files_as_absolute_paths(tmp_path: Path, monkeypatch: Any) -> None:
    import shlex
    import sys

    from advisor.tui.web import served_command

    monkeypatch.chdir(tmp_path)
    command = shlex.split(served_command(Path("my.scenario.yaml"), Path("rules"), None))
    assert command == [sys.executable, "-m", "advisor", "ask", str(tmp_path / "my.scenario.yaml"),
                       "--rules", str(tmp_path / "rules")]


def test_serve_on_a_port_in_use_is_a_usage_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--rules", FIXTURE_RULES, "--host", "127.0.0.1", "--port", str(port))
    assert code == ExitCode.INVALID_INPUT, err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
