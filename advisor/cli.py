"""The `advisor` command. Subcommands parse options, call the library and print; no logic lives here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import click

from advisor.diagnostics import Diagnostic, InvalidInput, display_path
from advisor.exit_codes import ExitCode
from advisor.locations import default_rules_dir

FORMATS = ("text", "json", "markdown")
_EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md"}


def _stderr(message: str) -> None:
    click.echo(message, err=True)


def _report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
    for d in sorted(diagnostics):
        _stderr(d.render())


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Map failures to exit codes: located diagnostics (2), bugs (3) and Ctrl-C (130); never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            _report(exc.diagnostics)
            sys.exit(ExitCode.INVALID_INPUT)
        except KeyboardInterrupt:
            _stderr("interrupted")
            sys.exit(ExitCode.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly, without a traceback
            _stderr(f"internal error: {type(exc).__name__}: {exc}")
            _stderr("This is a bug in the advisor; set ADVISOR_DEBUG=1 to see the traceback.")
            import os

            if os.environ.get("ADVISOR_DEBUG"):
                raise
            sys.exit(ExitCode.INTERNAL_ERROR)

    return wrapper


rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Rules folder (default: $ADVISOR_RULES, ./rules, or the bundled rules).")


def _advisor(rules_dir: Path | None, engine: str = "durable"):  # type: ignore[no-untyped-def]
    from advisor.compiler import CompileError
    from advisor.evaluation import Advisor

    folder = rules_dir or default_rules_dir()
    try:
        return Advisor.from_folder(folder, engine)
    except CompileError as exc:
        raise InvalidInput([Diagnostic.at_file(display_path(folder), "compile", str(exc))]) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="advisor")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Architecture decision advisor for AWS data engineering.

    \b
    Exit codes: 0 ok; 1 lint findings or advice changed against a baseline;
    2 invalid input (each problem printed as file:line:col); 3 internal error; 130 interrupted.
    """
    if ctx.invoked_subcommand is None:
        ask_command = main.commands.get("ask")
        if ask_command is None or not _interactive():
            click.echo(ctx.get_help())  # no terminal to draw the questionnaire on: show what there is instead
            return
        ctx.invoke(ask_command)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@main.command("evaluate")
@click.argument("paths", nargs=-1, required=True)
@rules_option
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", "output_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write one report per scenario into this folder instead of stdout.")
@click.option("--engine", type=click.Choice(["durable", "reference"]), default="durable", show_default=True,
              help="Inference engine: durable-rules, or the pure-Python reference evaluator.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--explain/--no-explain", default=None,
              help="Add what-if analysis to each decision (default: on for markdown, off otherwise).")
@click.option("--baseline", "baseline_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Compare with saved JSON advice (from --format json --output DIR) and print what changed; "
                   "exit 1 when anything did.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for large batches (default: the number of CPUs).")
@guarded
def evaluate_command(paths: tuple[str, ...], rules_dir: Path | None, fmt: str, output_dir: Path | None,
                     engine: str, color: str, explain: bool | None, baseline_dir: Path | None,
                     jobs: int | None) -> None:
    """Evaluate scenario files (files, folders or globs) and print the advice.

    With --format json, one scenario file prints one object; several print an array.
    Large batches are spread over --jobs worker processes; the output is the same either way.
    """
    from advisor.baseline import load_baseline
    from advisor.batch import default_jobs, map_files
    from advisor.discovery import find_scenarios

    saved = load_baseline(baseline_dir) if baseline_dir is not None else None
    advisor = _advisor(rules_dir, engine)
    files, problems = find_scenarios(list(paths))
    _report(problems)
    console = _console(color)
    job = _EvaluateJob(fmt, output_dir is not None, explain if explain is not None else fmt == "markdown",
                       saved, _console_settings(console))
    single_json = fmt == "json" and output_dir is None and len(paths) == 1 and Path(paths[0]).is_file()
    sink: _Sink = (_BaselineSink() if saved is not None else _ReportWriter(output_dir, fmt)
                   if output_dir is not None else _StdoutSink(fmt, single_json))
    progress = _progress(len(files))
    failed = bool(problems)
    try:
        for item in map_files(advisor, files, job, jobs=jobs or default_jobs(),
                              progress=progress.advance if progress else None):
            if item.scenario_id is None:
                failed = True
                _report(item.diagnostics)
                continue
            sink.add(item)
    except BaseException:
        sink.abort()
        raise
    finally:
        if progress:
            progress.stop()
    code = sink.finish(baseline_dir)
    advisor.close()
    if failed:
        sys.exit(ExitCode.INVALID_INPUT)
    if code != ExitCode.OK:
        sys.exit(code)


@dataclass(frozen=True)
class _Item:
    """One scenario file's result, small and picklable: it may come back from a worker process."""

    path: Path
    diagnostics: tuple[Diagnostic, ...] = ()
    scenario_id: str | None = None
    """None when the file was invalid (see diagnostics)."""
    source: str = ""
    text: str = ""
    """The rendered report (for stdout, a JSON batch element or the report as printed)."""
    changes: tuple[str, ...] | None = None
    """With --baseline: the lines describing what changed, None when nothing did."""


@dataclass(frozen=True)
class _ConsoleSettings:
    width: int
    color_system: str | None
    force_terminal: bool
    no_color: bool


def _console_settings(console: Any) -> _ConsoleSettings:
    return _ConsoleSettings(console.width, console.color_system, console.is_terminal, console.no_color)


@dataclass(frozen=True)
class _EvaluateJob:
    """Evaluate, explain and render one file; runs in this process or in a batch worker."""

    fmt: str
    to_files: bool
    with_what_if: bool
    saved: dict[str, Any] | None
    console: _ConsoleSettings

    def __call__(self, advisor: Any, path: Path) -> _Item:
        from advisor.batch import evaluate_file

        outcome = evaluate_file(advisor, path)
        if outcome.advice is None:
            return _Item(path, outcome.diagnostics)
        advice = outcome.advice
        if self.with_what_if:
            from advisor.whatif import explain as explain_advice

            advice = explain_advice(advisor, advice)
        sid, source = advice.scenario.id, advice.scenario.source
        if self.saved is not None:
            from advisor.baseline import compare

            diff = compare(advice, self.saved.get(sid))
            return _Item(path, (), sid, source, changes=tuple(diff.lines) if diff is not None else None)
        return _Item(path, (), sid, source, text=self.render(advice))

    def render(self, advice: Any) -> str:
        if self.fmt == "json":
            from advisor.render.json_format import render_json

            # a file holds the object and a newline; stdout joins bare objects into an array
            return render_json(advice) if self.to_files else render_json(advice)[:-1]
        if self.fmt == "markdown":
            from advisor.render.markdown import render_markdown

            return render_markdown(advice)
        from io import StringIO

        from rich.console import Console

        from advisor.render.text import print_advice

        buffer = StringIO()
        if self.to_files:
            console = Console(file=buffer, width=100, color_system=None)
        else:  # the same look as printing straight to this terminal
            c = self.console
            console = Console(file=buffer, width=c.width, color_system=c.color_system,  # type: ignore[arg-type]
                              force_terminal=c.force_terminal, no_color=c.no_color)
        print_advice(advice, console)
        return buffer.getvalue()


class _Sink:
    def add(self, item: _Item) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """The batch stopped early (a bug or Ctrl-C): leave nothing half-written behind."""

    def finish(self, baseline_dir: Path | None) -> int:
        return ExitCode.OK


class _StdoutSink(_Sink):
    """Prints each report as soon as it is ready, so memory stays flat over large batches."""

    def __init__(self, fmt: str, single_json: bool) -> None:
        self.fmt, self.single_json, self.count = fmt, single_json, 0

    def add(self, item: _Item) -> None:
        if self.fmt == "json":
            if self.single_json:
                click.echo(item.text)
            else:  # byte for byte what render_json_batch prints for the same advice
                element = "\n".join("  " + line for line in item.text.split("\n"))
                click.echo(("[\n" if self.count == 0 else ",\n") + element, nl=False)
        elif self.fmt == "markdown":
            click.echo(("\n" if self.count else "") + item.text, nl=False)
        else:  # rich's output, escape codes included: click.echo would strip them off a pipe
            sys.stdout.write(item.text)
            sys.stdout.flush()
        self.count += 1

    def finish(self, baseline_dir: Path | None) -> int:
        if self.fmt == "json" and not (self.single_json and self.count):
            click.echo("\n]" if self.count else "[]")  # an invalid single file still prints valid JSON
        return ExitCode.OK


class _BaselineSink(_Sink):
    def __init__(self) -> None:
        self.count = 0
        self.changed = 0

    def add(self, item: _Item) -> None:
        self.count += 1
        if item.changes is not None:
            self.changed += 1
            click.echo("\n".join(item.changes))

    def finish(self, baseline_dir: Path | None) -> int:
        assert baseline_dir is not None
        click.echo(f"{self.changed} of {self.count} scenario(s) changed against {display_path(baseline_dir)}")
        return ExitCode.FINDINGS if self.changed else ExitCode.OK


class _ReportWriter(_Sink):
    """One report per scenario in --output DIR, named after the scenario id.

    Reports are written into a hidden staging folder inside DIR as they arrive and moved into place
    only when the batch is complete and no two scenarios share an id, so a clash writes nothing.
    A report name is a plain file name inside DIR, and moving it into place replaces a symlink
    of that name rather than following it, so no report can land outside DIR.
    """

    def __init__(self, output_dir: Path, fmt: str) -> None:
        import tempfile

        self.output_dir, self.ext = output_dir, _EXTENSIONS[fmt]
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            self.root = output_dir.resolve()
            self.staging = Path(tempfile.mkdtemp(prefix=".advisor-staging-", dir=self.root))
        except OSError as exc:
            raise InvalidInput([Diagnostic.at_file(display_path(output_dir), "output",
                                                   f"cannot write reports here: {exc.strerror or exc}")]) from None
        self.sources: dict[str, list[str]] = {}
        self.unsafe: list[Diagnostic] = []

    def add(self, item: _Item) -> None:
        assert item.scenario_id is not None
        sid = item.scenario_id
        name = f"{sid}.{self.ext}"
        if "/" in sid or "\\" in sid or "\0" in sid or sid in (".", "..") or Path(name).name != name:
            self.unsafe.append(Diagnostic.at_file(item.source, "unsafe_id",
                                                  f"scenario id {sid!r} is not a plain file name"))
            return
        self.sources.setdefault(sid, []).append(item.source)
        if len(self.sources[sid]) > 1:
            return
        try:
            (self.staging / name).write_text(item.text, encoding="utf-8")
        except OSError as exc:
            self.abort()
            raise InvalidInput([Diagnostic.at_file(display_path(self.output_dir), "output",
                                                   f"cannot write {name}: {exc.strerror or exc}")]) from None

    def abort(self) -> None:
        import shutil

        shutil.rmtree(self.staging, ignore_errors=True)

    def finish(self, baseline_dir: Path | None) -> int:
        import os

        clashes = [Diagnostic.at_file(source, "duplicate_scenario_id",
                                      f"scenario id '{sid}' is used by several files")
                   for sid, sources in self.sources.items() if len(sources) > 1 for source in sources]
        if clashes or self.unsafe:
            self.abort()
            raise InvalidInput(clashes + self.unsafe)
        try:
            for sid in self.sources:
                name = f"{sid}.{self.ext}"
                os.replace(self.staging / name, self.root / name)
        finally:
            self.abort()
        _stderr(f"wrote {len(self.sources)} report(s) to {display_path(self.output_dir)}")
        return ExitCode.OK


def _console(color: str):  # type: ignore[no-untyped-def]
    from rich.console import Console

    if color == "always":
        return Console(force_terminal=True)
    if color == "never":
        return Console(no_color=True, color_system=None)
    return Console()


class _ProgressBar:
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


def _progress(total: int) -> _ProgressBar | None:
    return _ProgressBar(total) if total >= 20 and sys.stderr.isatty() else None


@main.command("lint")
@rules_option
@click.option("--notes", "notes_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Study notes folder to resolve citations against (default: $ADVISOR_NOTES).")
@guarded
def lint_command(rules_dir: Path | None, notes_dir: Path | None) -> None:
    """Check the rule base: ids, references, reachability, citations, tests and coverage."""
    from advisor.lint import lint

    advisor = _advisor(rules_dir, "reference")
    report = lint(advisor, notes_dir)
    for finding in report.findings:
        _stderr(finding.render())
    for line in report.summary:
        click.echo(line)
    sys.exit(ExitCode.FINDINGS if report.findings else ExitCode.OK)


@main.command("schema")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("schemas"),
              show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas differ from the models.")
@guarded
def schema_command(out_dir: Path, check: bool) -> None:
    """Write JSON Schemas for rule, question, calculator, scenario and test files."""
    from advisor.schema import schema_files

    stale = []
    for name, text in schema_files().items():
        target = out_dir / name
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {display_path(target)}")
    if stale:
        _stderr(f"schemas out of date: {', '.join(stale)}; run 'advisor schema'")
        sys.exit(ExitCode.FINDINGS)


@main.command("ask")
@click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@click.option("--notes", "notes_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Study notes folder, to show cited passages (default: $ADVISOR_NOTES).")
@guarded
def ask_command(scenario: Path | None = None, rules_dir: Path | None = None, notes_dir: Path | None = None) -> None:
    """Open the questionnaire (optionally starting from SCENARIO) with live, cited advice."""
    if not _interactive():
        raise click.UsageError("the questionnaire needs an interactive terminal; for files and pipes use "
                               "'advisor evaluate'")
    from advisor.tui.app import run_app  # the only place the CLI imports textual

    advisor = _advisor(rules_dir)
    code = run_app(advisor, scenario=scenario, notes_dir=notes_dir)
    advisor.close()
    sys.exit(code)


def _load_one(advisor: Any, scenario: Path) -> Any:
    from advisor.answers import load_scenario

    return advisor.evaluate(load_scenario(advisor.rulebase, scenario))


@main.command("explain")
@click.argument("scenario", type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@click.option("--decision", "decision_id", default=None, help="Only this decision (by id).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@guarded
def explain_command(scenario: Path, rules_dir: Path | None, decision_id: str | None, fmt: str, color: str) -> None:
    """Print the full trace, why-not and what-if for a scenario's decisions."""
    from advisor.whatif import explain

    advisor = _advisor(rules_dir)
    advice = explain(advisor, _load_one(advisor, scenario))
    known = [d.id for d in advice.decisions]
    if decision_id is not None and decision_id not in known:
        raise click.BadParameter(f"no decision '{decision_id}'; decisions: {', '.join(known)}",
                                 param_hint="--decision")
    if decision_id is not None:
        advice = advice.model_copy(update={"decisions": [d for d in advice.decisions if d.id == decision_id]})
    if fmt == "json":
        from advisor.render.json_format import render_json

        click.echo(render_json(advice), nl=False)
    elif fmt == "markdown":
        from advisor.render.markdown import render_markdown

        click.echo(render_markdown(advice), nl=False)
    else:
        from advisor.render.explain import print_explanation

        print_explanation(advice, _console(color), decision_id)
    advisor.close()


@main.command("adr")
@click.argument("scenario", type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the decision records (created if missing).")
@click.option("--force", is_flag=True, help="Overwrite existing records with the same names.")
@guarded
def adr_command(scenario: Path, rules_dir: Path | None, out_dir: Path, force: bool) -> None:
    """Write one MADR 4.0 decision record per decided decision of SCENARIO."""
    from advisor.render.adr import render_adrs
    from advisor.whatif import explain

    advisor = _advisor(rules_dir)
    records = render_adrs(explain(advisor, _load_one(advisor, scenario)))
    advisor.close()
    existing = [name for name in records if (out_dir / name).exists()]
    if existing and not force:
        raise InvalidInput([Diagnostic.at_file(display_path(out_dir / name), "exists",
                                               "a record with this name exists; pass --force to overwrite")
                            for name in existing])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in records.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        click.echo(display_path(out_dir / name))
    if not records:
        _stderr("no decided decision in this scenario: nothing to record")
