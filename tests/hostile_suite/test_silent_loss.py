"""Nothing is lost silently: no skipped folder or rule file without a word, no path that means nothing,
no foreign file overwritten, no half-written record, no worker or staging folder left by a signal, and
a TUI that never promises a draft it could not write.

Every case must end with exit 0, 1 or 2 (or 128 + a signal when one was sent), with no traceback and
no raw control character in what it printed.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.app.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL_RULES = ROOT / "tests" / "hostile" / "rules_valid"
SMALL_SCENARIO = ROOT / "tests" / "hostile" / "scenarios" / "ok_valid.yaml"
RULES = ROOT / "rules"
SCENARIOS = ROOT / "scenarios"
ADR_SCENARIO = SCENARIOS / "backup-ddb-regional-dr.scenario.yaml"
"""A shipped scenario with several decided decisions: its records are a set of files."""
TUI_RULES = ROOT / "tests" / "tui" / "fixtures" / "rules"
HANG_GUARD = 240  # seconds; only so a broken build cannot hang the suite

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x80-\x9f]")  # C0 but \t and \n (ESC included), and C1


def assert_clean(code: int, out: str, err: str, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    assert code in allowed, (code, out[-2000:], err[-2000:])
    assert "Traceback" not in out + err
    assert not CONTROL.search(out + err), repr(CONTROL.search(out + err))


def cli(*args: str | Path, cwd: Path | None = None) -> tuple[int, str, str]:
    """The advisor in this process (fast; monkeypatches apply)."""
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}")
    assert_clean(result.exit_code, result.stdout, result.stderr)
    return result.exit_code, result.stdout, result.stderr


def cli_unprivileged(*args: str | Path, cwd: Path) -> tuple[int, str, str]:
    """The advisor in a process for which chmod 000 really means unreadable (root reads anything)."""
    command = [sys.executable, "-m", "advisor", *map(str, args)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot drop the privilege to read anything")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        probe = subprocess.run([*command[:5], sys.executable, "-c", "import advisor"], cwd=cwd,
                               capture_output=True, text=True, timeout=HANG_GUARD)
        if probe.returncode != 0:  # e.g. the venv lies in a folder only root may enter
            pytest.skip(f"the unprivileged user cannot run this Python with advisor: {probe.stderr.strip()[-300:]}")
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=HANG_GUARD)
    assert_clean(done.returncode, done.stdout, done.stderr)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder the unprivileged child can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="advisor-loss-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def scenario(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(SMALL_SCENARIO, target)
    return target


def copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(SMALL_RULES, target)
    return target


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- 1. nothing skipped without saying so: folders of scenarios ------------------------------------------

def _scandir_refusing(name: str) -> Callable[..., object]:
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if os.fspath(path).endswith(name):  # type: ignore[call-overload]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[call-overload]
        return real(path)  # type: ignore[call-overload]

    return scandir


@pytest.mark.parametrize("layout", ["subfolder", "nested-two-deep", "beside-a-readable-sibling"])
def test_an_unreadable_folder_in_a_batch_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     layout: str) -> None:
    top = tmp_path / "batch"
    scenario(top, "top.yaml")
    hidden = {"subfolder": top / "locked", "nested-two-deep": top / "a" / "b" / "locked",
              "beside-a-readable-sibling": top / "locked"}[layout]
    scenario(hidden, "inside.yaml")
    if layout == "beside-a-readable-sibling":
        scenario(top / "open", "sibling.yaml")
    monkeypatch.setattr(os, "scandir", _scandir_refusing("locked"))
    code, out, err = cli("evaluate", top, "--rules", SMALL_RULES, "-f", "json")
    assert code == 2
    assert "locked:1:1: unreadable:" in err and "not evaluated" in err
    assert '"id": "top"' in out  # the readable scenarios are still evaluated
    if layout == "beside-a-readable-sibling":
        assert '"id": "sibling"' in out


def test_an_unreadable_top_folder_is_not_called_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario(tmp_path / "locked", "x.yaml")
    monkeypatch.setattr(os, "scandir", _scandir_refusing("locked"))
    code, _, err = cli("evaluate", tmp_path / "locked", "--rules", SMALL_RULES)
    assert code == 2
    assert "unreadable" in err and "no_scenarios" not in err


def test_a_chmod_000_folder_really_unreadable(public_dir: Path) -> None:
    top = public_dir / "batch"
    scenario(top, "top.yaml")
    scenario(top / "locked", "inside.yaml")
    shutil.copytree(SMALL_RULES, public_dir / "rules")
    (top / "locked").chmod(0)
    code, out, err = cli_unprivileged("evaluate", "batch", "--rules", "rules", cwd=public_dir)
    assert code == 2
    assert "batch/locked:1:1: unreadable:" in err
    assert "A valid scenario" in out


# ---- 1. nothing skipped without saying so: the rule folders --------------------------------------------

def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "gone.yaml")


def _folder(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize("make", [_fifo, _dangling, _folder], ids=["a-fifo", "a-dangling-symlink", "a-folder"])
def test_a_decision_entry_that_is_not_a_regular_file_is_an_error(tmp_path: Path, make: Callable[[Path], None]) -> None:
    rules = copy_rules(tmp_path)
    make(rules / "decisions" / "extra.yaml")
    code, out, err = cli("evaluate", SMALL_SCENARIO, "--rules", rules)
    assert code == 2 and out == ""
    assert "decisions/extra.yaml:1:1:" in err


@pytest.mark.parametrize("folder,name", [
    ("decisions", "stream.yml.bak"),
    ("decisions", "Stream2.YAML"),
    ("decisions", "Foo.json"),
    ("questions", "more.yaml~"),
    ("derivations", "README.txt"),
], ids=["backup-copy", "upper-case-extension", "json-file", "editor-backup-in-questions", "text-in-derivations"])
def test_other_files_in_rule_folders_are_named(tmp_path: Path, folder: str, name: str) -> None:
    rules = copy_rules(tmp_path)
    (rules / folder / name).write_text("id: whatever\n", encoding="utf-8")
    code, out, err = cli("evaluate", SMALL_SCENARIO, "--rules", rules)
    assert code == 0 and "A valid scenario" in out
    assert f"{folder}/{name}:1:1: ignored_file: not read as rules" in err


def test_a_subfolder_of_decisions_is_named(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    (rules / "decisions" / "archive").mkdir()
    shutil.copyfile(rules / "decisions" / "wf.yaml", rules / "decisions" / "archive" / "wf.yaml")
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", rules)
    assert code == 0 and "decisions/archive:1:1: ignored_file: not read as rules: a subfolder" in err


def test_hidden_files_in_rule_folders_stay_quiet(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    (rules / "decisions" / ".gitkeep").write_text("", encoding="utf-8")
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", rules)
    assert code == 0 and "ignored_file" not in err


def test_an_unreadable_decisions_folder_is_an_error(public_dir: Path) -> None:
    shutil.copytree(SMALL_RULES, public_dir / "rules")
    shutil.copyfile(SMALL_SCENARIO, public_dir / "s.yaml")
    (public_dir / "rules" / "decisions").chmod(0)
    code, out, err = cli_unprivileged("evaluate", "s.yaml", "--rules", "rules", cwd=public_dir)
    assert code == 2 and out == ""
    assert "rules/decisions:1:1: unreadable:" in err


# ---- 2. arguments that mean nothing ----------------------------------------------------------------------

EMPTY_ARGUMENTS = {
    "evaluate-empty-path": ["evaluate", ""],
    "evaluate-empty-path-among-real-ones": ["evaluate", str(SMALL_SCENARIO), ""],
    "evaluate-output-empty": ["evaluate", str(SMALL_SCENARIO), "--output", ""],
    "evaluate-rules-empty": ["evaluate", str(SMALL_SCENARIO), "--rules", ""],
    "evaluate-baseline-empty": ["evaluate", str(SMALL_SCENARIO), "--baseline", ""],
    "adr-out-empty": ["adr", str(SMALL_SCENARIO), "--output", ""],
    "adr-scenario-empty": ["adr", "", "--output", "records"],
    "explain-scenario-empty": ["explain", ""],
    "schema-out-empty": ["schema", "--out", ""],
    "lint-notes-empty": ["lint", "--notes", ""],
}


@pytest.mark.parametrize("args", list(EMPTY_ARGUMENTS.values()), ids=list(EMPTY_ARGUMENTS))
def test_an_empty_path_is_an_error_not_the_current_folder(tmp_path: Path, args: list[str]) -> None:
    shutil.copyfile(SMALL_SCENARIO, tmp_path / "here.yaml")  # what "" would have picked up
    before = files_in(tmp_path)
    code, _, err = cli(*args, cwd=tmp_path)
    assert code == 2
    assert "empty path" in err
    assert files_in(tmp_path) == before  # nothing written into the current folder


# ---- 2. option combinations that would silently ignore something -----------------------------------------

def test_baseline_with_output_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    assert cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", "json", "-o", saved)[0] == 0
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "--baseline", saved,
                       "-o", tmp_path / "new")
    assert code == 2 and "--baseline" in err and "--output" in err
    assert not (tmp_path / "new").exists()


def test_force_without_output_is_refused(tmp_path: Path) -> None:
    code, out, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "--force")
    assert code == 2 and out == "" and "--force" in err


def test_force_with_baseline_is_refused(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", "json", "-o", saved)
    code, out, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "--baseline", saved, "--force")
    assert code == 2 and out == "" and "--force only applies with --output" in err


def test_color_with_output_says_it_is_ignored(tmp_path: Path) -> None:
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "--color", "always", "-o", tmp_path / "o")
    assert code == 0 and "--color" in err and "ignored" in err
    assert "\x1b" not in (tmp_path / "o" / "ok_valid.txt").read_text(encoding="utf-8")


# ---- 3. --output replaces only what the advisor wrote ----------------------------------------------------

@pytest.mark.parametrize("fmt,ext,content", [
    ("json", "json", '{"mine": "hand-written fixture"}\n'),
    ("markdown", "md", "# My notes on ok_valid\n"),
    ("text", "txt", "meeting notes\n"),
    ("json", "json", ""),
], ids=["hand-written-json", "hand-written-markdown", "hand-written-text", "empty-file"])
def test_a_foreign_file_with_a_report_name_is_kept(tmp_path: Path, fmt: str, ext: str, content: str) -> None:
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    mine = out_dir / f"ok_valid.{ext}"
    mine.write_text(content, encoding="utf-8")
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", fmt, "-o", out_dir)
    assert code == 2
    assert f"ok_valid.{ext}:1:1: exists: not a report the advisor wrote; pass --force" in err
    assert mine.read_text(encoding="utf-8") == content
    assert sorted(p.name for p in out_dir.iterdir()) == [mine.name]  # no staging folder left either


def test_a_folder_with_a_report_name_is_kept(tmp_path: Path) -> None:
    out_dir = tmp_path / "reports"
    (out_dir / "ok_valid.json").mkdir(parents=True)
    (out_dir / "ok_valid.json" / "keep.txt").write_text("mine\n", encoding="utf-8")
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", "json", "-o", out_dir)
    assert code == 2 and "ok_valid.json:1:1: exists" in err
    assert (out_dir / "ok_valid.json" / "keep.txt").read_text(encoding="utf-8") == "mine\n"


def test_one_foreign_file_stops_the_whole_batch(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        scenario(batch, name)
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    (out_dir / "b.md").write_text("mine\n", encoding="utf-8")
    code, _, err = cli("evaluate", batch, "--rules", SMALL_RULES, "-f", "markdown", "-o", out_dir)
    assert code == 2 and "b.md" in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["b.md"]


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_reports_the_advisor_wrote_are_replaced_on_a_rerun(tmp_path: Path, fmt: str) -> None:
    out_dir = tmp_path / "reports"
    assert cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", fmt, "-o", out_dir)[0] == 0
    code, _, err = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", fmt, "-o", out_dir)
    assert code == 0 and "wrote 1 report(s)" in err


def test_force_replaces_a_foreign_file(tmp_path: Path) -> None:
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    (out_dir / "ok_valid.json").write_text("mine\n", encoding="utf-8")
    code, _, _ = cli("evaluate", SMALL_SCENARIO, "--rules", SMALL_RULES, "-f", "json", "-o", out_dir, "--force")
    assert code == 0
    assert (out_dir / "ok_valid.json").read_text(encoding="utf-8").startswith('{\n  "scenario"')


# ---- 4. atomic writes everywhere ---------------------------------------------------------------------------

def test_adr_into_a_read_only_folder_is_a_located_error(public_dir: Path) -> None:
    shutil.copytree(RULES, public_dir / "rules")
    shutil.copyfile(ADR_SCENARIO, public_dir / "s.yaml")
    (public_dir / "records").mkdir()
    (public_dir / "records").chmod(0o555)
    code, out, err = cli_unprivileged("adr", "s.yaml", "--rules", "rules", "--output", "records", cwd=public_dir)
    assert code == 2 and out == ""
    assert "records:1:1: output: cannot write here" in err
    assert list((public_dir / "records").iterdir()) == []


def test_adr_out_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "records").write_text("not a folder\n", encoding="utf-8")
    code, _, err = cli("adr", ADR_SCENARIO, "--output", tmp_path / "records")
    assert code == 2 and "is a file" in err
    assert (tmp_path / "records").read_text(encoding="utf-8") == "not a folder\n"


def _fail_on_nth_write(monkeypatch: pytest.MonkeyPatch, n: int, error: int) -> None:
    """The n-th temporary file of a set fails as a full disk would."""
    import advisor.shared.atomic_write as atomic_write

    real = atomic_write._stage
    calls = {"count": 0}

    def stage(path: Path, text: str) -> str:
        calls["count"] += 1
        if calls["count"] == n:
            raise OSError(error, os.strerror(error), str(path))
        return real(path, text)

    monkeypatch.setattr(atomic_write, "_stage", stage)


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EDQUOT, errno.EIO], ids=["disk-full", "quota", "io-error"])
def test_adr_force_keeps_the_old_records_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              error: int) -> None:
    records = tmp_path / "records"
    assert cli("adr", ADR_SCENARIO, "--output", records)[0] == 0
    for record in records.iterdir():
        record.write_text(f"old {record.name}\n", encoding="utf-8")
    before = files_in(records)
    assert len(before) >= 2
    _fail_on_nth_write(monkeypatch, 2, error)
    code, out, err = cli("adr", ADR_SCENARIO, "--output", records, "--force")
    assert code == 2 and "records:1:1: output: cannot write here" in err and out == ""
    assert files_in(records) == before  # every old record intact, no temporary file left


def test_adr_on_a_really_full_disk_keeps_the_old_records(tmp_path: Path) -> None:
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        records = mount_point / "records"
        assert cli("adr", ADR_SCENARIO, "--output", records)[0] == 0
        before = files_in(records)
        filler = mount_point / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:  # take the rest of the disk
            while os.write(fd, b"x" * 1024):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        code, _, err = cli("adr", ADR_SCENARIO, "--output", records, "--force")
        assert code == 2 and "No space left on device" in err
        assert files_in(records) == before
    finally:
        subprocess.run(["umount", str(mount_point)], capture_output=True)


def test_schema_keeps_the_old_files_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "schemas"
    assert cli("schema", "--out", out_dir)[0] == 0
    for path in out_dir.iterdir():
        path.write_text("old\n", encoding="utf-8")
    before = files_in(out_dir)
    _fail_on_nth_write(monkeypatch, 3, errno.ENOSPC)
    code, _, err = cli("schema", "--out", out_dir)
    assert code == 2 and "schemas:1:1: output:" in err
    assert files_in(out_dir) == before


def test_schema_into_a_read_only_folder_is_a_located_error(public_dir: Path) -> None:
    (public_dir / "schemas").mkdir()
    (public_dir / "schemas").chmod(0o555)
    code, _, err = cli_unprivileged("schema", "--out", "schemas", cwd=public_dir)
    assert code == 2 and "schemas:1:1: output: cannot write here" in err


def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.shared.atomic_write import write_all_atomic

    target = tmp_path / "a.md"
    target.write_text("old\n", encoding="utf-8")

    def refuse(src: str, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_all_atomic({target: "new\n", tmp_path / "b.md": "new\n"})
    assert files_in(tmp_path) == {"a.md": b"old\n"}


# ---- 5. signals end the whole batch cleanly --------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def big_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 shipped scenarios (distinct ids: ids come from file names): a pooled batch that takes a while."""
    folder = tmp_path_factory.mktemp("big")
    shipped = sorted(SCENARIOS.glob("*.yaml"))
    for i in range(240):
        source = shipped[i % len(shipped)]
        shutil.copyfile(source, folder / f"{i:03d}-{source.name}")
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the worker processes")
@pytest.mark.parametrize("signum,to_group,jobs", [
    (signal.SIGTERM, True, 2),
    (signal.SIGTERM, False, 2),
    (signal.SIGHUP, True, 2),
    (signal.SIGTERM, False, 1),
], ids=["sigterm-to-the-process-group", "sigterm-to-the-parent-only", "sighup-terminal-closed",
        "sigterm-in-process-batch"])
def test_a_signal_stops_workers_and_removes_staging(tmp_path: Path, big_batch: Path, signum: int,
                                                    to_group: bool, jobs: int) -> None:
    out_dir = tmp_path / "reports"
    child = subprocess.Popen([sys.executable, "-m", "advisor", "evaluate", str(big_batch), "--jobs", str(jobs),
                              "-f", "markdown", "-o", str(out_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + HANG_GUARD
        # Wait until the batch is under way: the workers exist, or (in process) the staging folder does.
        while time.monotonic() < deadline and child.poll() is None:
            started = len(_children(child.pid)) >= jobs if jobs > 1 else (
                out_dir.is_dir() and any(out_dir.glob(".advisor-staging-*/*/*")))
            if started:
                break
            time.sleep(0.02)
        workers = _children(child.pid)
        assert child.poll() is None, "the batch ended before the signal could be sent"
        if to_group:
            os.killpg(child.pid, signum)
        else:
            os.kill(child.pid, signum)
        out, err = child.communicate(timeout=HANG_GUARD)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert_clean(child.returncode, out, err, allowed=(128 + signum,))
    assert err.strip().splitlines()[-1] == f"terminated ({signal.Signals(signum).name})"
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "a worker survived"
    assert not list(out_dir.glob(".advisor-staging-*")), "the staging folder was left behind"
    assert not list(out_dir.iterdir())  # and no report of a batch that did not finish


# ---- 6. the TUI tells the truth about drafts -------------------------------------------------------------

@pytest.fixture
def tui_advisor() -> Iterator[object]:
    from advisor.inference.evaluation import Advisor

    advisor = Advisor.from_folder(TUI_RULES)
    yield advisor
    advisor.close()


def _app(advisor: object, state: Path, **kwargs: object) -> object:
    from advisor.tui.app import AdvisorApp

    return AdvisorApp(advisor, state_dir=state, cursor_blink=False, **kwargs)  # type: ignore[arg-type]


def _answered(app: object) -> None:
    app.session.replace(title="Clickstream", description="", raw={"ingestion_mode": "hybrid"},  # type: ignore[attr-defined]
                        source=None, dirty=True)


async def test_quit_dialog_says_when_the_draft_could_not_be_written(tmp_path: Path, tui_advisor: object) -> None:
    from advisor.tui.screens.dialogs import ConfirmDialog

    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be\n", encoding="utf-8")
    app = _app(tui_advisor, blocker, offer_draft=False)
    async with app.run_test(size=(110, 36)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        _answered(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        dialog = app.screen  # type: ignore[attr-defined]
        assert isinstance(dialog, ConfirmDialog)
        assert "could not be kept as a draft" in dialog.message and "kept as a draft and offered" not in dialog.message
        assert "Quit and lose them" in [label for label, _, _ in dialog.buttons]
        await pilot.click("#btn-cancel")
        await pilot.pause()
        assert app.session.dirty  # type: ignore[attr-defined]


async def test_quit_dialog_still_promises_a_draft_that_was_written(tmp_path: Path, tui_advisor: object) -> None:
    from advisor.tui.screens.dialogs import ConfirmDialog

    app = _app(tui_advisor, tmp_path / "state", offer_draft=False)
    async with app.run_test(size=(110, 36)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        _answered(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # type: ignore[attr-defined]
        assert "kept as a draft and offered" in app.screen.message  # type: ignore[attr-defined]
    from advisor.tui.draft import DraftStore, draft_key

    assert DraftStore(tmp_path / "state", draft_key(None)).path.is_file()


def _refuse_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    """The state folder refuses to remove the draft files (as a read-only file system does)."""
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.startswith("draft."):
            raise PermissionError(errno.EROFS, "Read-only file system", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)


async def test_discarding_a_draft_in_a_read_only_state_folder_warns(tmp_path: Path, tui_advisor: object,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.tui.draft import DraftStore, draft_key

    DraftStore(tmp_path / "state", draft_key(None)).save("title: Old\nanswers: {}\n", None)
    _refuse_clear(monkeypatch)
    app = _app(tui_advisor, tmp_path / "state")
    async with app.run_test(size=(110, 36)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#btn-discard")
        await pilot.pause()
        notes = [n.message for n in app._notifications]  # type: ignore[attr-defined]
        assert any("Could not remove the draft" in n and "Read-only file system" in n for n in notes)
    assert app.return_code in (None, 0)  # type: ignore[attr-defined]


async def test_saving_when_the_draft_cannot_be_removed_still_saves(tmp_path: Path, tui_advisor: object,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_clear(monkeypatch)
    app = _app(tui_advisor, tmp_path / "state", offer_draft=False)
    target = tmp_path / "mine.scenario.yaml"
    async with app.run_test(size=(110, 36)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        _answered(app)
        app.save_to(target, "Clickstream", "")  # type: ignore[attr-defined]
        await pilot.pause()
        notes = [n.message for n in app._notifications]  # type: ignore[attr-defined]
        assert any(n.startswith("Saved") for n in notes) and any("Could not remove the draft" in n for n in notes)
        assert not app.session.dirty  # type: ignore[attr-defined]
    assert "ingestion_mode: hybrid" in target.read_text(encoding="utf-8")


async def test_sigterm_in_the_questionnaire_keeps_the_answers_as_a_draft(tmp_path: Path,
                                                                         tui_advisor: object) -> None:
    reached_the_test: list[int] = []
    # A fallback, so a build without the app's handler fails this test instead of killing pytest.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: reached_the_test.append(signum))
    try:
        app = _app(tui_advisor, tmp_path / "state", offer_draft=False)
        async with app.run_test(size=(110, 36)) as pilot:  # type: ignore[attr-defined]
            await pilot.pause()
            _answered(app)
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(20):
                await pilot.pause(0.05)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not reached_the_test
    assert app.return_code == 128 + signal.SIGTERM  # type: ignore[attr-defined]
    from advisor.tui.draft import DraftStore, draft_key

    assert "hybrid" in DraftStore(tmp_path / "state", draft_key(None)).path.read_text(encoding="utf-8")
