"""What `advisor evaluate` does with each scenario file, and where the reports go.

`EvaluateJob` runs for one file, in this process or in a batch worker: evaluate, explain, render, and
(with --output) write the report into the batch's staging folder itself, so the pages of text never
travel back through the pool. What comes back is a small `Item`. A sink then takes the items in
input order: stdout, a report folder, or a comparison with a saved baseline.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.app.exit_codes import ExitCode
from advisor.render.registry import FILE_SETTINGS, TerminalSettings, report_format
from advisor.shared import safe_text
from advisor.shared.diagnostics import Diagnostic, InvalidInput, display_path

if TYPE_CHECKING:  # imported only by runs that compare: its models cost start-up time
    from advisor.analysis.baseline import Baseline

_STAGED_NAMES = itertools.count()
_STAGING_MADE: set[str] = set()
"""Per-process staging folders this process has created (one mkdir each, not one per report)."""


@dataclass(frozen=True)
class Item:
    """One scenario file's result, small and picklable: it comes back from a worker process with the others of its
    task. It does not name its file (the caller has the list, in the same order), which would cost a `Path` to
    pickle and another to unpickle for every file."""

    diagnostics: tuple[Diagnostic, ...] = ()
    scenario_id: str | None = None
    """None when the file was invalid (see diagnostics). Set with diagnostics when the scenario was evaluated
    but its saved advice in the baseline could not be read."""
    source: str = ""
    text: str = ""
    """The rendered report, when it goes to stdout (a JSON batch element or the report as printed)."""
    staged: str = ""
    """With --output: the file holding the report, relative to the staging folder."""
    write_error: str = ""
    """With --output: why the report could not be staged."""
    changes: tuple[str, ...] | None = None
    """With --baseline: the lines describing what changed, None when nothing did."""


def terminal_settings(console: Any) -> TerminalSettings:
    """The look of a rich console, to draw text reports the same way in a batch worker."""
    return TerminalSettings(console.width, console.color_system, console.is_terminal, console.no_color)


@dataclass(frozen=True)
class EvaluateJob:
    """Evaluate, explain and render one file; runs in this process or in a batch worker."""

    fmt: str
    staging: Path | None
    """Write each report here (under a unique name) rather than return its text."""
    with_what_if: bool
    baseline: Baseline | None
    """Compare with this saved advice instead of rendering."""
    console: TerminalSettings
    json_element: bool = False
    """JSON on stdout for several files: each report is an element of one array."""

    def __call__(self, advisor: Any, path: Path) -> Item:
        from advisor.app.batch import evaluate_file

        outcome = evaluate_file(advisor, path)
        if outcome.advice is None:
            return Item(outcome.diagnostics)
        advice = outcome.advice
        if self.with_what_if:
            from advisor.analysis.whatif import explain as explain_advice

            advice = explain_advice(advisor, advice)
        sid, source = advice.scenario.id, advice.scenario.source
        if self.baseline is not None:
            from advisor.analysis.baseline import compare
            from advisor.render.json_format import render_json

            try:
                text = self.baseline.text(sid)
                # Byte-identical to what --format json would write now: unchanged, nothing to parse.
                if text is not None and text == render_json(advice):
                    return Item((), sid, source)
                diff = compare(advice, self.baseline.parse(sid, text) if text is not None else None)
            except InvalidInput as exc:  # the saved advice is unreadable: the scenario itself was evaluated
                return Item(tuple(sorted(exc.diagnostics)), sid, source)
            return Item((), sid, source, changes=tuple(diff.lines) if diff is not None else None)
        if self.staging is None:
            return Item((), sid, source, text=self.render(advice))
        # A folder per process: workers creating files in one shared folder contend for it in the kernel
        # (10,000 reports took twice the system time). Names are unique within a process (counter), and
        # "x" never reuses one. Not mkstemp: its files are private (0600); a report gets the usual mode.
        pid = os.getpid()
        staged = f"{pid}/report-{next(_STAGED_NAMES)}"
        try:
            folder = os.path.join(self.staging, str(pid))  # strings: cheaper than Path for every report
            if folder not in _STAGING_MADE:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(folder)
                _STAGING_MADE.add(folder)
            _write_new(os.path.join(self.staging, staged), self.report_bytes(advice))
        except OSError as exc:
            return Item((), sid, source, write_error=exc.strerror or str(exc))
        return Item((), sid, source, staged=staged)

    def report_bytes(self, advice: Any) -> bytes:
        """The report file's content: what a text file opened with encoding="utf-8" holds after render's text."""
        made = report_format(self.fmt).report_bytes
        if made is not None:
            return made(advice)
        text = self.render(advice)
        return (text if os.linesep == "\n" else text.replace("\n", os.linesep)).encode("utf-8")

    def render(self, advice: Any) -> str:
        # a report file gets the fixed file look; stdout the look of this terminal
        text = report_format(self.fmt).render(advice, FILE_SETTINGS if self.staging is not None else self.console)
        if self.fmt != "json" or self.staging is not None:  # a file holds the object and a newline
            return text
        if self.json_element:  # an element of the array on stdout, indented here, in the worker
            return "  " + text[:-1].replace("\n", "\n  ")
        return text[:-1]


def _write_new(path: str, data: bytes) -> None:
    """A new file holding `data` (open(path, "xb") without its buffered file object: one per report)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0),
                 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class Sink:
    staging: Path | None = None
    """Where jobs write their reports, for sinks that take files."""

    def add(self, item: Item) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """The batch stopped early (a bug or Ctrl-C): leave nothing half-written behind."""

    def unreadable_baseline(self, item: Item) -> None:
        """The scenario was evaluated, but its saved advice could not be read (reported by the caller)."""

    def finish(self) -> int:
        return ExitCode.OK


class StdoutSink(Sink):
    """Prints each report as soon as it is ready, so memory stays flat over large batches."""

    def __init__(self, fmt: str, single_json: bool) -> None:
        self.fmt, self.single_json, self.count = fmt, single_json, 0

    def add(self, item: Item) -> None:
        if self.fmt == "json":
            if self.single_json:
                click.echo(item.text)
            else:  # byte for byte what render_json_batch prints for the same advice
                click.echo(("[\n" if self.count == 0 else ",\n") + item.text, nl=False)
        elif self.fmt == "markdown":
            click.echo(("\n" if self.count else "") + item.text, nl=False)
        else:  # rich's output, escape codes included: click.echo would strip them off a pipe
            sys.stdout.write(item.text)
            sys.stdout.flush()
        self.count += 1

    def finish(self) -> int:
        if self.fmt == "json" and not (self.single_json and self.count):
            click.echo("\n]" if self.count else "[]")  # an invalid single file still prints valid JSON
        return ExitCode.OK


class BaselineSink(Sink):
    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self.count = 0
        self.changed = 0
        self.unreadable = 0
        self.seen: set[str] = set()

    def unreadable_baseline(self, item: Item) -> None:
        assert item.scenario_id is not None
        self.seen.add(item.scenario_id)  # evaluated: not one of the saved scenarios "not evaluated"
        self.count += 1
        self.unreadable += 1

    def add(self, item: Item) -> None:
        self.count += 1
        assert item.scenario_id is not None
        self.seen.add(item.scenario_id)
        if item.changes is not None:
            self.changed += 1
            click.echo(safe_text.block("\n".join(item.changes)))  # the lines quote the saved, untrusted file

    def finish(self) -> int:
        shown = safe_text.line(display_path(self.baseline.folder))
        unreadable = f" ({self.unreadable} could not be compared: see above)" if self.unreadable else ""
        click.echo(f"{self.changed} of {self.count} scenario(s) changed against {shown}{unreadable}")
        missing = sorted(set(self.baseline.files) - self.seen)
        if missing:  # evaluating a subset is normal, so this is said but does not count as a change
            names = ", ".join(safe_text.line(m) for m in missing[:10]) + (
                f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            click.echo(f"{len(missing)} saved scenario(s) were not evaluated: {names}")
        return ExitCode.FINDINGS if self.changed else ExitCode.OK


class ReportWriter(Sink):
    """One report per scenario in --output DIR, named after the scenario id.

    Jobs write reports into a hidden staging folder inside DIR, under names of their own; they are
    moved into place only when the batch is complete and no two scenarios share an id, so a clash
    writes nothing. A report name is a plain file name inside DIR, and moving it into place replaces
    a symlink of that name rather than following it, so no report can land outside DIR.
    A file of a report's name that the advisor did not write (see report_files) is replaced only with
    `force`; otherwise the batch writes nothing and names each such file.
    """

    def __init__(self, output_dir: Path, fmt: str, force: bool = False) -> None:
        self.output_dir, self.ext, self.force = output_dir, report_format(fmt).extension, force
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            self.root = output_dir.resolve()
            self.staging = Path(tempfile.mkdtemp(prefix=".advisor-staging-", dir=self.root))
        except OSError as exc:
            raise InvalidInput([self._cannot(f"cannot write reports here: {exc.strerror or exc}")]) from None
        self.sources: dict[str, list[str]] = {}
        self.staged: dict[str, str] = {}
        self.unsafe: list[Diagnostic] = []

    def _cannot(self, message: str) -> Diagnostic:
        return Diagnostic.at_file(display_path(self.output_dir), "output", message)

    def add(self, item: Item) -> None:
        assert item.scenario_id is not None
        sid = item.scenario_id
        name = f"{sid}.{self.ext}"
        if item.write_error:
            self.abort()
            raise InvalidInput([self._cannot(f"cannot write {name}: {item.write_error}")])
        if "/" in sid or "\\" in sid or "\0" in sid or sid in (".", "..") or os.path.basename(name) != name:
            self.unsafe.append(Diagnostic.at_file(item.source, "unsafe_id",
                                                  f"scenario id {sid!r} is not a plain file name"))
            return
        self.sources.setdefault(sid, []).append(item.source)
        if len(self.sources[sid]) == 1:
            self.staged[sid] = item.staged

    def abort(self) -> None:
        assert self.staging is not None
        shutil.rmtree(self.staging, ignore_errors=True)

    def finish(self) -> int:
        assert self.staging is not None
        clashes = [Diagnostic.at_file(source, "duplicate_scenario_id",
                                      f"scenario id '{sid}' is used by several files")
                   for sid, sources in self.sources.items() if len(sources) > 1 for source in sources]
        if clashes or self.unsafe:
            self.abort()
            raise InvalidInput(clashes + self.unsafe)
        foreign = [] if self.force else self._foreign_files()
        if foreign:
            self.abort()
            raise InvalidInput(foreign)
        try:
            self._place()
        finally:
            self.abort()
        click.echo(f"wrote {len(self.staged)} report(s) to {safe_text.line(display_path(self.output_dir))}", err=True)
        return ExitCode.OK

    def _place(self) -> None:
        """Move each staged report to its name in DIR. Thousands of them: each rename is made relative to the two
        folders opened once (the system then looks up one name, not the whole path), where the system allows it."""
        assert self.staging is not None
        # os.replace takes the same folder descriptors as os.rename (both are renameat), but only os.rename is
        # listed in os.supports_dir_fd
        if os.rename not in os.supports_dir_fd:  # pragma: no cover - not Linux
            for sid, staged in self.staged.items():
                self._move(self.staging / staged, self.root / f"{sid}.{self.ext}", f"{sid}.{self.ext}")
            return
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
        staging = os.open(self.staging, flags)
        try:
            root = os.open(self.root, flags)
            try:
                for sid, staged in self.staged.items():
                    name = f"{sid}.{self.ext}"  # a plain file name (see add)
                    self._move(staged, name, name, staging, root)
            finally:
                os.close(root)
        finally:
            os.close(staging)

    def _move(self, source: str | Path, target: str | Path, name: str, source_dir: int | None = None,
              target_dir: int | None = None) -> None:
        try:
            os.replace(source, target, src_dir_fd=source_dir, dst_dir_fd=target_dir)
        except OSError as exc:
            raise InvalidInput([self._cannot(f"cannot write {name}: {exc.strerror or exc}")]) from None

    def _holds_nothing_else(self, folder: str) -> bool:
        """Whether the report folder holds nothing but the staging folder, so no report name is taken (whatever the
        file system's rules for names: case or Unicode forms)."""
        assert self.staging is not None
        try:
            with os.scandir(folder) as entries:
                return all(entry.name == self.staging.name for entry in entries)
        except OSError:
            return False  # each name is looked up as before

    def _foreign_files(self) -> list[Diagnostic]:
        """Files with a report's name that are not reports the advisor wrote."""
        from advisor.app.report_files import is_advisor_report

        out: list[Diagnostic] = []
        folder = os.fspath(self.output_dir)  # strings: a Path per report costs more than the lookup
        if self._holds_nothing_else(folder):  # a new or empty folder (the usual case): no name to look up
            return out
        for sid in self.staged:
            target = os.path.join(folder, f"{sid}.{self.ext}")
            if os.path.lexists(target) and not is_advisor_report(Path(target), self.ext):
                out.append(Diagnostic.at_file(display_path(target), "exists",
                                              "not a report the advisor wrote; pass --force to replace it"))
        return out


class ProgressBar:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task("evaluating", total=total)
        self._progress.start()

    def advance(self, done: int) -> None:
        self._progress.update(self._task, completed=done)

    def stop(self) -> None:
        self._progress.stop()


def progress_bar(total: int) -> ProgressBar | None:
    """A progress bar on stderr for batches worth one, when stderr is a terminal."""
    return ProgressBar(total) if total >= 20 and sys.stderr.isatty() else None
