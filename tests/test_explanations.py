"""Why-not, what-if (every reported change re-evaluated), decision records and baseline diffs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from syrupy.assertion import SnapshotAssertion

from advisor.analysis.whatif import answers_of, explain, explain_what_if
from advisor.app.adr_files import write_records
from advisor.app.cli import main
from advisor.app.exit_codes import ExitCode
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice, ScenarioRef
from advisor.render.adr import render_adrs
from advisor.shared.atomic_write import write_all_atomic
from advisor.shared.diagnostics import InvalidInput
from advisor.sources.answers import Answers, load_scenario
from advisor.sources.discovery import find_scenarios
from tests.conftest import SCENARIOS
from tests.test_advice_snapshots import MarkdownText

FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"
SCENARIO_FILES, _ = find_scenarios([str(SCENARIOS)])


@pytest.fixture(scope="module")
def core() -> Advisor:
    return Advisor.from_folder(FIXTURE, "reference", "tests/fixtures/rules_core")  # as reports name it


def apply(answers: Answers, changes: list) -> Answers:  # type: ignore[type-arg]
    known = dict(answers.known)
    for change in changes:
        if change.after is None:
            known.pop(change.question, None)
        else:
            known[change.question] = change.after
    return Answers(known, answers.unknown)


def assert_what_ifs_hold(adv: Advisor, advice: Advice, answers: Answers) -> int:
    checked = 0
    for d in advice.decisions:
        for w in d.what_if:
            again = adv.advise(apply(answers, w.changes), ScenarioRef(id="x", title="x"))
            new = next(x for x in again.decisions if x.id == d.id)
            assert (new.status, new.recommended.option if new.recommended else None) == (w.status, w.recommended), \
                f"{advice.scenario.id}/{d.id}: {w.summary}"
            assert (new.status, w.recommended) != (d.status, d.recommended.option if d.recommended else None)
            if new.recommended:
                assert w.label == new.recommended.label, f"{advice.scenario.id}/{d.id}: {w.summary}"
            checked += 1
    return checked


def test_a_numeric_what_if_lands_on_the_threshold_the_rule_uses(core: Advisor) -> None:
    answers = core.check({"size_kb": 5000})
    advice = explain_what_if(core, core.advise(answers, ScenarioRef(id="x", title="x")), answers)
    stream = next(d for d in advice.decisions if d.id == "stream")
    assert [w.summary for w in stream.what_if] == ["if size_kb were 1,024 KB (now 5,000 KB): Kinesis Data Streams"]
    assert stream.fragile_on == ["size_kb"]
    assert assert_what_ifs_hold(core, advice, answers) == 1


def test_why_not_names_the_excluding_rule_and_the_score_gap(core: Advisor) -> None:
    advice = core.advise(core.check({"size_kb": 10, "replay": True, "sources": ["db"]}), ScenarioRef(id="x", title="x"))
    stream = next(d for d in advice.decisions if d.id == "stream")
    why = {w.option: w.reason for w in stream.why_not}
    assert why["sqs"] == "scored -2 against 3 for Kinesis Data Streams; weighed down by STRM-002"
    assert why["msk"] == "scored 0 against 3 for Kinesis Data Streams"
    oversized = core.advise(core.check({"size_kb": 5000}), ScenarioRef(id="x", title="x"))
    assert next(d for d in oversized.decisions if d.id == "stream").why_not[0].reason == "ruled out by STRM-001"


def test_a_decision_no_change_can_move_says_so(core: Advisor) -> None:
    answers = core.check({"size_kb": 10, "ordering": "strict", "topics": ["stream"]})
    advice = explain_what_if(core, core.advise(answers, ScenarioRef(id="x", title="x")), answers)
    stream = next(d for d in advice.decisions if d.id == "stream")
    assert stream.what_if_checked
    assert_what_ifs_hold(core, advice, answers)


def test_answers_round_trip_through_the_advice(core: Advisor) -> None:
    answers = core.check({"size_kb": 10, "sources": ["iot", "web"], "replay": "unknown"})
    advice = core.advise(answers, ScenarioRef(id="x", title="x"))
    assert answers_of(advice) == answers


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.name.split(".")[0] for p in SCENARIO_FILES])
def test_every_shipped_what_if_is_true_when_re_evaluated(reference_advisor: Advisor, path: Path) -> None:
    loaded = load_scenario(reference_advisor.rulebase, path)
    advice = explain(reference_advisor, reference_advisor.evaluate(loaded))
    assert_what_ifs_hold(reference_advisor, advice, loaded.answers)
    for d in advice.decisions:
        assert d.what_if_checked


def test_adr_records_are_madr_shaped(core: Advisor, snapshot: SnapshotAssertion) -> None:
    answers = core.check({"size_kb": 5000, "replay": True, "duration_s": 1200})
    advice = explain_what_if(core, core.advise(answers, ScenarioRef(id="big", title="Big messages")), answers)
    records = render_adrs(advice)
    assert list(records) == ["0001-stream-service.md", "0002-workflow-type.md"]
    for name, text in records.items():
        for heading in ("## Context and Problem Statement", "## Decision Drivers", "## Considered Options",
                        "## Decision Outcome", "### Consequences", "## More Information"):
            assert heading in text, (name, heading)
        assert text == snapshot(name=name, extension_class=MarkdownText)


def test_adr_command_writes_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    scenario = tmp_path / "big.yaml"
    scenario.write_text("title: Big\nanswers:\n  size_kb: 5000\n", encoding="utf-8")
    out = tmp_path / "adr"
    runner = CliRunner()
    first = runner.invoke(main, ["adr", str(scenario), "--rules", str(FIXTURE), "--output", str(out)])
    assert first.exit_code == ExitCode.OK, first.stderr
    assert sorted(p.name for p in out.iterdir()) == ["0001-stream-service.md"]
    again = runner.invoke(main, ["adr", str(scenario), "--rules", str(FIXTURE), "-o", str(out)])
    assert again.exit_code == ExitCode.INVALID_INPUT and "pass --force" in again.stderr
    assert "0001-stream-service.md" in again.stderr


def _adr(*args: str) -> Result:
    return CliRunner().invoke(main, ["adr", *args, "--rules", str(FIXTURE)])


def test_adr_numbering_continues_after_the_records_in_the_folder(tmp_path: Path) -> None:
    scenario = tmp_path / "big.yaml"
    scenario.write_text("title: Big\nanswers:\n  size_kb: 5000\n  duration_s: 1200\n", encoding="utf-8")
    out = tmp_path / "docs" / "decisions"
    out.mkdir(parents=True)
    kept = {"0001-record-architecture-decisions.md": "# Record architecture decisions\n",
            "0007-use-postgres.md": "# Use Postgres\n", "README.md": "index\n", "0003-notes.txt": "not a record\n"}
    for name, text in kept.items():
        (out / name).write_text(text, encoding="utf-8")
    result = _adr(str(scenario), "--output", str(out))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([*kept, "0008-stream-service.md", "0009-workflow-type.md"])
    for name, text in kept.items():
        assert (out / name).read_text(encoding="utf-8") == text  # records by hand or other tools are untouched

    # Again: both decisions have records; nothing is written without --force...
    before = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    refused = _adr(str(scenario), "--output", str(out))
    assert refused.exit_code == ExitCode.INVALID_INPUT
    assert "0008-stream-service.md" in refused.stderr and "0009-workflow-type.md" in refused.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == before
    # ...and with it, each record is replaced in place, keeping its number.
    replaced = _adr(str(scenario), "--output", str(out), "--force")
    assert replaced.exit_code == ExitCode.OK, replaced.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert "0008-stream-service.md (replaced)" in replaced.stdout


@pytest.mark.parametrize("second_slug", ["beta", "alpha"])
def test_two_adr_runs_into_one_folder_at_once_never_share_a_number_or_a_record(tmp_path: Path,
                                                                          second_slug: str) -> None:
    """Run A has read the folder and chosen 0001 when run B starts: B must wait for A's records, then
    number after them (or, for the same decision, find A's record), never write a second 0001."""
    out = tmp_path / "adr"
    a_chose, release_a = threading.Event(), threading.Event()
    errors: dict[str, BaseException] = {}

    def paused_write(folder: Path, files: dict[Path, str]) -> None:
        a_chose.set()
        release_a.wait(timeout=30)
        write_all_atomic(files)

    def run(name: str, slug: str, write: Callable[[Path, dict[Path, str]], None]) -> None:
        try:
            write_records(out, [(slug, f"# {name}\n")], False, write)
        except BaseException as exc:  # looked at below
            errors[name] = exc

    a = threading.Thread(target=run, args=("A", "alpha", paused_write))
    b = threading.Thread(target=run, args=("B", second_slug, lambda _f, files: write_all_atomic(files)))
    a.start()
    assert a_chose.wait(timeout=30)
    b.start()
    b.join(timeout=1)  # unlocked, B would finish here, writing its own 0001; locked, it waits for A
    release_a.set()
    a.join()
    b.join()
    assert "A" not in errors
    if second_slug == "beta":
        assert "B" not in errors
        assert sorted(p.name for p in out.iterdir()) == ["0001-alpha.md", "0002-beta.md"]
    else:
        assert isinstance(errors.get("B"), InvalidInput)  # the decision has a record now: --force to replace
        assert sorted(p.name for p in out.iterdir()) == ["0001-alpha.md"]
        assert (out / "0001-alpha.md").read_text(encoding="utf-8") == "# A\n"


@pytest.mark.parametrize("command", ["explain", "adr", "ask", "serve"])
def test_a_folder_given_where_a_scenario_file_is_expected_is_a_located_error(tmp_path: Path, command: str) -> None:
    out = ["--output", str(tmp_path / "adr")] if command == "adr" else []
    result = CliRunner().invoke(main, [command, str(tmp_path), *out, "--rules", str(FIXTURE)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.startswith(f"{tmp_path}:1:1: is_a_folder: a folder, where `advisor {command}` expects "
                                    "one scenario file (*.yaml)"), result.stderr
    assert "Usage:" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "adr").exists()


def test_adr_takes_the_output_option_evaluate_takes(tmp_path: Path) -> None:
    result = _adr(str(tmp_path / "x.yaml"), "--out", str(tmp_path / "adr"))
    assert result.exit_code == ExitCode.INVALID_INPUT and "--output" in result.stderr


def test_baseline_exits_1_and_names_the_changed_decision(tmp_path: Path) -> None:
    scenario = tmp_path / "s.scenario.yaml"
    scenario.write_text("title: S\nanswers:\n  size_kb: 5000\n", encoding="utf-8")
    base = tmp_path / "base"
    runner = CliRunner()
    saved = runner.invoke(main, ["evaluate", str(scenario), "--rules", str(FIXTURE), "-f", "json", "-o", str(base)])
    assert saved.exit_code == 0, saved.stderr
    same = runner.invoke(main, ["evaluate", str(scenario), "--rules", str(FIXTURE), "--baseline", str(base)])
    assert same.exit_code == ExitCode.OK, same.stdout
    assert "0 of 1 scenario(s) changed" in same.stdout
    scenario.write_text("title: S\nanswers:\n  size_kb: 10\n", encoding="utf-8")
    changed = runner.invoke(main, ["evaluate", str(scenario), "--rules", str(FIXTURE), "--baseline", str(base)])
    assert changed.exit_code == ExitCode.FINDINGS
    assert "s / stream:" in changed.stdout
    assert "outcome: MSK -> Kinesis Data Streams" in changed.stdout
    assert "excluded: -fifo, -kds, -sqs" in changed.stdout


def test_a_broken_baseline_file_is_invalid_input(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("title: S\nanswers: {size_kb: 1}\n", encoding="utf-8")
    base = tmp_path / "base"
    base.mkdir()
    (base / "s.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(scenario), "--rules", str(FIXTURE), "--baseline", str(base)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "not a saved advice JSON file" in result.stderr


def test_a_baseline_file_holding_another_scenario_is_invalid_input(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("title: S\nanswers: {size_kb: 1}\n", encoding="utf-8")
    base = tmp_path / "base"
    runner = CliRunner()
    assert runner.invoke(main, ["evaluate", str(scenario), "--rules", str(FIXTURE), "-f", "json", "-o", str(base)]
                         ).exit_code == ExitCode.OK
    (base / "s.json").rename(base / "t.json")
    (tmp_path / "t.yaml").write_text("title: T\nanswers: {size_kb: 1}\n", encoding="utf-8")
    result = runner.invoke(main, ["evaluate", str(tmp_path / "t.yaml"), "--rules", str(FIXTURE),
                                  "--baseline", str(base)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "t.json" in result.stderr and "holds the advice of scenario 's', not 't'" in result.stderr


def test_saved_scenarios_left_out_of_the_run_are_listed_but_are_not_changes(tmp_path: Path) -> None:
    for name, size in (("a", 1), ("b", 5000), ("c", 10)):
        (tmp_path / f"{name}.yaml").write_text(f"title: {name}\nanswers: {{size_kb: {size}}}\n", encoding="utf-8")
    base = tmp_path / "base"
    runner = CliRunner()
    files = [str(tmp_path / f"{n}.yaml") for n in "abc"]
    assert runner.invoke(main, ["evaluate", *files, "--rules", str(FIXTURE), "-f", "json", "-o", str(base)]
                         ).exit_code == ExitCode.OK
    result = runner.invoke(main, ["evaluate", files[0], "--rules", str(FIXTURE), "--baseline", str(base)])
    assert result.exit_code == ExitCode.OK, result.stdout
    assert "0 of 1 scenario(s) changed" in result.stdout
    assert "2 saved scenario(s) were not evaluated: b, c" in result.stdout


def test_explain_prints_trace_why_not_and_what_if(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("title: S\nanswers:\n  size_kb: 5000\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(scenario), "--rules", str(FIXTURE), "--color", "never",
                                       "--decision", "stream"])
    assert result.exit_code == ExitCode.OK, result.stderr
    for text in ("Why MSK", "Why not", "ruled out by STRM-001", "What if", "size_kb were 1,024 KB"):
        assert text in result.stdout
    bad = CliRunner().invoke(main, ["explain", str(scenario), "--rules", str(FIXTURE), "--decision", "nope"])
    assert bad.exit_code == ExitCode.INVALID_INPUT


def test_json_explanations_are_deterministic(core: Advisor) -> None:
    answers = core.check({"size_kb": 5000, "duration_s": 100})
    runs = {json.dumps(explain_what_if(core, core.advise(answers, ScenarioRef(id="x", title="x")),
                                       answers).model_dump(mode="json")) for _ in range(3)}
    assert len(runs) == 1


def test_what_if_labels_come_from_the_decision_itself(core: Advisor) -> None:
    # Option ids repeat across decisions (e.g. "standard"); a what-if must name this decision's option.
    answers = core.check({"duration_s": 100})
    advice = explain_what_if(core, core.advise(answers, ScenarioRef(id="x", title="x")), answers)
    wf = next(d for d in advice.decisions if d.id == "wf")
    labels = {o.label for o in core.rulebase.decision("wf").options}
    assert wf.what_if and all(w.label in labels for w in wf.what_if)
