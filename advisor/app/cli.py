"""The `advisor` command. Subcommands parse options, call the library and print; no logic lives here."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from advisor.app.exit_codes import ExitCode
from advisor.app.launch import start_up_done
from advisor.app.output_guard import ensure_stdout, flush_stdout, is_output_error, output_failed, write_stderr
from advisor.inference.backends import CHOICES as ENGINE_CHOICES
from advisor.render.registry import FILE_SETTINGS, FORMATS, report_format
from advisor.shared import safe_text
from advisor.shared.diagnostics import Diagnostic, InvalidInput, capped, display_path, problems_in
from advisor.shared.termination import Terminated, ending_on_signals, received
from advisor.sources.locations import resolve_rules


def _stderr(message: str) -> None:
    # Messages quote files (names, keys, values): whatever built them, nothing raw reaches the terminal.
    write_stderr(safe_text.block(message))


def _stdout(message: str) -> None:
    click.echo(safe_text.block(message))


MAX_PRINTED_PROBLEMS = 1000
"""Problems printed in one run; past that they are counted, so a batch of broken files cannot scroll
for minutes (each file is capped too, see diagnostics.capped)."""
_printed = {"shown": 0, "hidden": 0}


def _report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
    for d in capped(diagnostics):
        if _printed["shown"] >= MAX_PRINTED_PROBLEMS:
            _printed["hidden"] += problems_in(d)
            continue
        _printed["shown"] += 1
        _stderr(d.render())


def _report_hidden() -> None:
    hidden = _printed["hidden"]
    if hidden:
        _stderr(f"... and {hidden:,} more problem{'s' if hidden != 1 else ''} not shown "
                f"(at most {MAX_PRINTED_PROBLEMS:,} are printed per run)")


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Map failures to exit codes: located diagnostics (2), bugs (3), Ctrl-C (130) and SIGTERM or
    SIGHUP (128 + the signal); never a traceback. Cleanup (`finally`) runs in every case."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _printed.update(shown=0, hidden=0)
        try:
            try:
                with ending_on_signals():
                    return func(*args, **kwargs)
            finally:
                flush_stdout()  # a full disk shows on flush: fail here, with a message, not at shutdown
        except InvalidInput as exc:
            _report(exc.diagnostics)
            sys.exit(ExitCode.INVALID_INPUT)
        except KeyboardInterrupt:
            _stderr("interrupted")
            sys.exit(ExitCode.INTERRUPTED)
        except Terminated as exc:
            _stderr(f"terminated ({exc.name})")
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:
            if is_output_error(exc):
                output_failed(exc)
            if exc.filename is None:
                raise _bug(exc) from None
            # a path the system refused (a name too long, a file used as a folder, no permission)
            _report([Diagnostic.of_os_error(exc)])
            sys.exit(ExitCode.INVALID_INPUT)
        except Exception as exc:  # a bug: say so plainly, without a traceback
            signalled = received()
            if signalled is not None:  # not a bug: e.g. the pool broke as the signal stopped its workers
                _stderr(f"terminated ({signalled.name})")
                sys.exit(signalled.exit_code)
            raise _bug(exc) from None
        finally:
            _report_hidden()

    return wrapper


class NonEmptyPath(click.Path):
    """click.Path that refuses an empty string: Path("") means the current folder, which nobody types
    on purpose (an unset shell variable does), so `evaluate ""` must not quietly read or write there."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value == "":
            self.fail("an empty path names no file or folder", param, ctx)
        return super().convert(value, param, ctx)


def _given(name: str) -> bool:
    """Whether the user set this option (rather than its default applying)."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def _bug(exc: Exception) -> BaseException:
    """Report a bug plainly; the exception to raise: a SystemExit, or `exc` itself with ADVISOR_DEBUG."""
    _stderr(f"internal error: {type(exc).__name__}: {exc}")
    _stderr("This is a bug in the advisor; set ADVISOR_DEBUG=1 to see the traceback.")
    if os.environ.get("ADVISOR_DEBUG"):
        return exc
    return SystemExit(ExitCode.INTERNAL_ERROR)


@contextmanager
def _safe_click_errors() -> Iterator[None]:
    """Click's own messages quote the command line, file names a shell glob expanded included."""
    try:
        yield
    except click.ClickException as exc:
        exc.message = safe_text.block(exc.message)
        raise


class _AdvisorGroup(click.Group):
    """The `advisor` group, run so that a failing stdout ends every command the same way (see
    advisor/app/output_guard.py), `--help` and `--version` included, which click handles before any command,
    and so that click's own messages go through the sanitiser."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _safe_click_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _safe_click_errors():
            return super().invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        ensure_stdout()
        stdout = sys.stdout
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                flush_stdout()
        except OSError as exc:
            if not is_output_error(exc):
                raise
            output_failed(exc)
        except SystemExit:
            # click answers a closed pipe in its own code (help, version) by wrapping sys.stdout and
            # exiting 1; nothing else replaces sys.stdout, so that is how its EPIPE is told apart.
            if sys.stdout is not stdout:
                sys.stdout = stdout
                output_failed(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)))
            raise


rules_option = click.option(
    "--rules", "rules_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=None,
    help="Rules folder (default: $ADVISOR_RULES, else [tool.advisor] rules in the nearest pyproject.toml, "
         "else the rules bundled with the package; never a folder picked up from the working directory).")


def _advisor(rules_dir: Path | None, engine: str = "auto"):  # type: ignore[no-untyped-def]
    from advisor.inference.compiler import CompileError
    from advisor.inference.evaluation import Advisor

    location = resolve_rules(rules_dir)
    try:
        advisor = Advisor.from_folder(location.folder, engine, location.label)
    except CompileError as exc:
        raise InvalidInput([Diagnostic.at_file(display_path(location.folder), "compile", str(exc))]) from None
    _report(advisor.rulebase.notices)  # files in the rules folders that were not read
    start_up_done()  # the command's own work runs with the garbage collector (see launch.py)
    return advisor


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`: the package, the rule base it would use here and the engine, each stated plainly."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    from advisor.inference.backends import DURABLE, choose_engine, code_build

    try:
        package = version("advisor")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        package = "unknown (not installed)"
    click.echo(f"advisor {package} (Python {sys.version.split()[0]})")
    try:
        _stdout(f"rules: {resolve_rules(None).describe()}")
    except InvalidInput as exc:
        _stdout(f"rules: cannot be determined: {exc}")
    engine = choose_engine("auto")
    click.echo(f"engine: {engine}" + ("" if engine == DURABLE else " (durable-rules is not available here)"))
    click.echo(f"code: {code_build()}")
    ctx.exit(0)


@click.group(cls=_AdvisorGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version, the rule base in use and the inference engine, then exit.")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Architecture decision advisor for AWS data engineering.

    \b
    Exit codes: 0 ok; 1 lint findings, advice changed against a baseline, or a review risk at or above --fail-on;
    2 invalid input (each problem printed as file:line:col); 3 internal error; 130 interrupted;
    143 terminated (SIGTERM; 128 + the signal number).
    """
    if ctx.invoked_subcommand is None:
        ask_command = main.commands.get("ask")
        if ask_command is None or not _interactive():
            click.echo(ctx.get_help())  # no terminal to draw the questionnaire on: show what there is instead
            return
        ctx.invoke(ask_command)


def _interactive() -> bool:
    """Whether the questionnaire has somewhere to draw: a terminal on stdin and stdout, or a browser tab
    (`advisor serve` runs `advisor ask` with Textual's web driver, through pipes)."""
    if os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


@main.command("evaluate")
@click.argument("paths", nargs=-1, required=True, type=NonEmptyPath())
@rules_option
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", "output_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=None,
              help="Write one report per scenario into this folder instead of stdout. Only files the "
                   "advisor wrote are replaced.")
@click.option("--force", is_flag=True,
              help="With --output: also replace files with a report's name that the advisor did not write.")
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="auto", show_default=True,
              help="Inference engine: durable-rules, the pure-Python reference evaluator, or auto (durable-rules "
                   "where it is available). Both give the same advice; reports name the one that ran.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour of text printed on the terminal (not of files or JSON/Markdown).")
@click.option("--explain/--no-explain", default=None,
              help="Add what-if analysis to each decision (default: on for markdown, off otherwise).")
@click.option("--baseline", "baseline_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=None,
              help="Compare with saved JSON advice (from --format json --output DIR) and print what changed; "
                   "exit 1 when anything did. Writes no reports: not with --output.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for large batches (default: the number of CPUs).")
@guarded
def evaluate_command(paths: tuple[str, ...], rules_dir: Path | None, fmt: str, output_dir: Path | None,
                     force: bool, engine: str, color: str, explain: bool | None, baseline_dir: Path | None,
                     jobs: int | None) -> None:
    """Evaluate scenario files (files, folders or globs) and print the advice.

    With --format json, one scenario file prints one object; several print an array.
    Large batches are spread over --jobs worker processes; the output is the same either way.
    """
    from advisor.app.batch import default_jobs, map_files
    from advisor.app.batch_reports import (
        BaselineSink,
        EvaluateJob,
        ReportWriter,
        Sink,
        StdoutSink,
        progress_bar,
        terminal_settings,
    )
    from advisor.sources.discovery import find_scenarios

    _check_combination(output_dir, baseline_dir, fmt, force)
    baseline = None
    if baseline_dir is not None:
        from advisor.analysis.baseline import Baseline

        baseline = Baseline.open(baseline_dir)
    advisor = _advisor(rules_dir, engine)
    files, problems = find_scenarios(list(paths))
    _report(problems)
    single_json = fmt == "json" and output_dir is None and len(paths) == 1 and Path(paths[0]).is_file()
    sink: Sink = (BaselineSink(baseline) if baseline is not None
                  else ReportWriter(output_dir, fmt, force) if output_dir is not None else StdoutSink(fmt, single_json))
    # JSON does not depend on the terminal: no rich console (and its import) for it
    look = FILE_SETTINGS if fmt == "json" else terminal_settings(_console(color))
    job = EvaluateJob(fmt, sink.staging, explain if explain is not None else report_format(fmt).what_if_by_default,
                      baseline, look, json_element=not single_json)
    progress = progress_bar(len(files))
    failed = bool(problems)
    items = map_files(advisor, files, job, jobs=jobs or default_jobs(),
                      progress=progress.advance if progress else None)
    try:
        for item in items:
            if item.diagnostics:
                failed = True
                _report(item.diagnostics)
                if item.scenario_id is not None:
                    sink.unreadable_baseline(item)
                continue
            sink.add(item)
    except BaseException:
        items.close()  # the workers stop first: none may write into the staging folder once it is removed
        sink.abort()
        raise
    finally:
        if progress:
            progress.stop()
    code = sink.finish()
    advisor.close()
    if failed:
        sys.exit(ExitCode.INVALID_INPUT)
    if code != ExitCode.OK:
        sys.exit(code)


def _check_combination(output_dir: Path | None, baseline_dir: Path | None, fmt: str, force: bool) -> None:
    """Refuse options that would do nothing together; say so for options that do not apply."""
    if output_dir is not None and baseline_dir is not None:
        # A CI job passing both would expect reports in DIR; the comparison writes none, so stop
        # rather than exit 0 with an empty folder.
        raise click.UsageError("--baseline compares and writes no reports; run once with --output DIR to "
                               "write them and once with --baseline to compare")
    if force and output_dir is None:
        raise click.UsageError("--force only applies with --output (it allows replacing files there)")
    if _given("color") and (output_dir is not None or baseline_dir is not None or fmt != "text"):
        _stderr("note: --color applies only to text printed on the terminal; it is ignored here")


def _write_files(folder: Path, files: dict[Path, str]) -> None:
    """Write a set of files all or nothing; a folder that cannot take them is a located error (exit 2)."""
    from advisor.shared.atomic_write import write_all_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_all_atomic(files)
    except OSError as exc:
        raise _cannot_write(folder, exc) from None


def _cannot_write(folder: Path, exc: OSError) -> InvalidInput:
    return InvalidInput([Diagnostic.at_file(display_path(folder), "output",
                                            f"cannot write here: {exc.strerror or exc}; nothing was written")])


def _console(color: str):  # type: ignore[no-untyped-def]
    from advisor.app.output_guard import stdout_console

    if color == "always":
        return stdout_console(force_terminal=True)
    if color == "never":
        return stdout_console(no_color=True, color_system=None)
    return stdout_console()


@main.command("lint")
@rules_option
@click.option("--notes", "notes_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=None,
              help="Study notes folder to resolve citations against (default: $ADVISOR_NOTES).")
@guarded
def lint_command(rules_dir: Path | None, notes_dir: Path | None) -> None:
    """Check the rule base: ids, references, reachability, citations, tests and coverage."""
    from advisor.analysis.lint import lint
    from advisor.sources.notes import Notes, unreadable_notes

    notes_folder = Notes.locate(notes_dir)
    if notes_folder is not None and not notes_folder.is_dir():  # else every citation reads "not found in ..."
        named = "" if notes_dir is not None else " (from $ADVISOR_NOTES)"
        raise InvalidInput([Diagnostic.at_file(display_path(notes_folder), "notes_folder",
                                               f"notes folder not found{named}")])
    if notes_folder is not None:  # else its citations are checked against garbled lines
        unreadable = unreadable_notes(notes_folder)
        if unreadable:
            raise InvalidInput(unreadable)
    advisor = _advisor(rules_dir, "reference")
    report = lint(advisor, notes_dir)
    _report(report.findings)
    for line in report.summary:
        _stdout(line)
    sys.exit(ExitCode.FINDINGS if report.findings else ExitCode.OK)


@main.command("schema")
@rules_option
@click.option("--out", "out_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=Path("schemas"),
              show_default=True,
              help="Folder for the schemas; saved scenarios point at the one in schemas/ beside the rules folder.")
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas differ from the models and questions.")
@guarded
def schema_command(rules_dir: Path | None, out_dir: Path, check: bool) -> None:
    """Write JSON Schemas for rule, question, calculator, scenario and test files.

    The scenario schema lists the rule base's questions: ids, types, units, ranges and choices."""
    from advisor.sources.rulebase import load_rulebase
    from advisor.sources.schema import schema_files

    stale, missing = [], []
    rulebase = load_rulebase(resolve_rules(rules_dir).folder)
    files = {out_dir / name: text for name, text in schema_files(rulebase).items()}
    if check:
        for target, text in files.items():
            try:
                same = target.is_file() and target.read_text(encoding="utf-8") == text
                absent = not same and not target.exists()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnicodeDecodeError):
                same, absent = False, False  # not a schema: out of date (other OS errors are located errors)
            if absent:
                missing.append(target.name)
            elif not same:
                stale.append(target.name)
    else:
        _write_files(out_dir, files)
        for target in files:
            _stdout(f"wrote {safe_text.line(display_path(target))}")
    if stale or missing:
        # The command that brings them up to date is the one for this rule base and folder: a bare
        # `advisor schema` would write the bundled rule base's questions into ./schemas.
        import shlex

        fix = ["advisor", "schema"] + (["--rules", str(rules_dir)] if rules_dir is not None else [])
        fix += ["--out", str(out_dir)] if out_dir != Path("schemas") else []
        found = ([f"out of date: {', '.join(stale)}"] if stale else []) + (
            [f"missing: {', '.join(missing)}"] if missing else [])
        _stderr(f"schemas in {safe_text.line(display_path(out_dir))}: {'; '.join(found)}; "
                f"run {safe_text.line(shlex.join(fix))}")
        sys.exit(ExitCode.FINDINGS)


@main.command("ask")
@click.argument("scenario", required=False, type=NonEmptyPath(path_type=Path))
@rules_option
@click.option("--notes", "notes_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=None,
              help="Study notes folder, to show cited passages (default: $ADVISOR_NOTES).")
@guarded
def ask_command(scenario: Path | None = None, rules_dir: Path | None = None, notes_dir: Path | None = None) -> None:
    """Open the questionnaire (optionally starting from SCENARIO) with live, cited advice."""
    if scenario is not None:
        _one_scenario_file(scenario, "ask")
    if not _interactive():
        raise click.UsageError("the questionnaire needs an interactive terminal; for a web browser use "
                               "'advisor serve', for files and pipes 'advisor evaluate'")
    from advisor.tui.app import run_app  # the only place the CLI imports textual

    advisor = _advisor(rules_dir)
    code = run_app(advisor, scenario=scenario, notes_dir=notes_dir)
    advisor.close()
    sys.exit(code)


@main.command("serve")
@click.argument("scenario", required=False, type=NonEmptyPath(path_type=Path))
@rules_option
@click.option("--notes", "notes_dir", type=NonEmptyPath(path_type=Path, file_okay=False), default=None,
              help="Study notes folder, to show cited passages (default: $ADVISOR_NOTES).")
@click.option("--host", default="localhost", show_default=True,
              help="Address to listen on; the default serves only this machine (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@guarded
def serve_command(scenario: Path | None, rules_dir: Path | None, notes_dir: Path | None, host: str,
                  port: int) -> None:
    """Serve the questionnaire with live advice in a web browser (each tab runs its own session)."""
    from advisor.sources.answers import load_scenario
    from advisor.tui.web import check_address, serve, served_command

    if scenario is not None:
        _one_scenario_file(scenario, "serve")
    advisor = _advisor(rules_dir)  # a broken rule base is reported here, not in every browser tab
    try:
        if scenario is not None:  # and so is a broken scenario (file:line), before anything is served
            load_scenario(advisor.rulebase, scenario)
    finally:
        advisor.close()
    try:
        check_address(host, port)
        serve(served_command(scenario, rules_dir, notes_dir), host=host, port=port)
    except OSError as exc:  # the address is taken or not this machine's: the user's choice, not a bug
        if exc.filename is not None:
            raise
        raise click.UsageError(f"cannot listen on {safe_text.line(host)}:{port}: "
                               f"{safe_text.line(str(exc.strerror or exc))}") from None


def _one_scenario_file(scenario: Path, command: str) -> None:
    """A folder where one scenario file is expected is a located error naming what is expected (exit 2),
    as `evaluate` reports a path it cannot use, not click's usage message."""
    if os.path.isdir(scenario):  # False for a name the system refuses: the loader locates that
        raise InvalidInput([Diagnostic.at_file(
            display_path(scenario), "is_a_folder",
            f"a folder, where `advisor {command}` expects one scenario file (*.yaml); "
            "`advisor evaluate` and `advisor review` take folders")])


def _load_one(advisor: Any, scenario: Path) -> Any:
    from advisor.analysis.review import review_advice
    from advisor.sources.answers import load_scenario

    loaded = load_scenario(advisor.rulebase, scenario)
    return review_advice(advisor, advisor.evaluate(loaded), loaded.current)


@main.command("review")
@click.argument("paths", nargs=-1, required=True, type=NonEmptyPath())
@rules_option
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option("--fail-on", "fail_on", type=click.Choice(["high", "medium", "none"]), default="high",
              show_default=True, help="Exit 1 when a current choice carries a risk at or above this level.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@guarded
def review_command(paths: tuple[str, ...], rules_dir: Path | None, fmt: str, fail_on: str, color: str) -> None:
    """Review the current choices of scenario files (their `current:` field): a risk per choice and an
    improvement plan. Exit 1 when a risk at or above --fail-on is found, so a design can be gated in CI.

    Scenarios found in folders or by patterns that state no current choices are skipped (and counted);
    a file named on its own must state them.
    """
    from advisor.analysis.review import risks_found
    from advisor.app.batch import evaluate_file
    from advisor.render.json_format import render_json_batch
    from advisor.render.registry import TerminalSettings
    from advisor.sources.discovery import find_scenarios

    advisor = _advisor(rules_dir)
    files, problems = find_scenarios(list(paths))
    _report(problems)
    named = {Path(p) for p in paths if Path(p).is_file()}  # files given one by one, not found in a folder
    failed, risky, reviewed, skipped = bool(problems), False, [], 0
    for path in files:
        outcome = evaluate_file(advisor, path)
        if outcome.advice is None:
            failed = True
            _report(outcome.diagnostics)
            continue
        if outcome.advice.review is None:
            if path not in named:
                skipped += 1  # a folder holds plain scenarios too: only designs are reviewed
                continue
            failed = True
            _report([Diagnostic.at_file(display_path(path), "no_current_choices",
                                        "the scenario states no current choices (current: {decision: option}): "
                                        "nothing to review")])
            continue
        reviewed.append(outcome.advice)
        risky = risky or bool(risks_found(outcome.advice, fail_on))
    failed = _report_skipped_designs(paths, skipped, bool(reviewed)) or failed
    if fmt == "json":
        single = len(paths) == 1 and Path(paths[0]).is_file() and len(reviewed) == 1
        click.echo(report_format(fmt).render_review(reviewed[0], FILE_SETTINGS) if single
                   else render_json_batch(reviewed), nl=False)
    else:
        console = _console(color)
        settings = TerminalSettings(console.width, console.color_system, console.is_terminal, console.no_color)
        for advice in reviewed:
            click.echo(report_format(fmt).render_review(advice, settings if fmt == "text" else FILE_SETTINGS),
                       nl=False)
    advisor.close()
    if failed:
        sys.exit(ExitCode.INVALID_INPUT)
    if risky:
        sys.exit(ExitCode.FINDINGS)


def _report_skipped_designs(paths: tuple[str, ...], skipped: int, any_reviewed: bool) -> bool:
    """Say how many scenarios from folders or patterns were skipped for stating no current choices;
    whether that is an error: none of the scenarios found there had any, so nothing was reviewed."""
    if not skipped:
        return False
    plural = "s" if skipped != 1 else ""
    if any_reviewed:
        _stderr(f"note: skipped {skipped} scenario{plural} without current choices (current: {{decision: option}})")
        return False
    where = next((p for p in paths if not Path(p).is_file()), paths[0])
    _report([Diagnostic.at_file(display_path(where), "no_current_choices",
                                f"none of the {skipped} scenario{plural} found states current choices "
                                "(current: {decision: option}): nothing to review")])
    return True


@main.command("explain")
@click.argument("scenario", type=NonEmptyPath(path_type=Path))
@rules_option
@click.option("--decision", "decision_id", default=None, help="Only this decision (by id).")
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@guarded
def explain_command(scenario: Path, rules_dir: Path | None, decision_id: str | None, fmt: str, color: str) -> None:
    """Print the full trace, why-not and what-if for a scenario's decisions."""
    from advisor.analysis.whatif import explain

    _one_scenario_file(scenario, "explain")
    advisor = _advisor(rules_dir)
    advice = explain(advisor, _load_one(advisor, scenario))
    known = [d.id for d in advice.decisions]
    if decision_id is not None and decision_id not in known:
        raise click.BadParameter(f"no decision '{decision_id}'; decisions: {', '.join(known)}",
                                 param_hint="--decision")
    if decision_id is not None:
        advice = advice.model_copy(update={"decisions": [d for d in advice.decisions if d.id == decision_id]})
    if fmt == "text":  # the terminal's own view: trace, why-not and what-if laid out for reading
        from advisor.render.explain import print_explanation

        print_explanation(advice, _console(color), decision_id)
    else:
        click.echo(report_format(fmt).render(advice, FILE_SETTINGS), nl=False)
    advisor.close()


@main.command("adr")
@click.argument("scenario", type=NonEmptyPath(path_type=Path))
@rules_option
@click.option("--output", "-o", "out_dir", type=NonEmptyPath(path_type=Path, file_okay=False), required=True,
              help="Folder for the decision records (created if missing). Numbering continues after the "
                   "highest NNNN-*.md already there.")
@click.option("--force", is_flag=True,
              help="Replace the records of these decisions already in the folder (they keep their numbers).")
@guarded
def adr_command(scenario: Path, rules_dir: Path | None, out_dir: Path, force: bool) -> None:
    """Write one MADR 4.0 decision record per decided decision of SCENARIO."""
    from advisor.analysis.whatif import explain
    from advisor.app.adr_files import write_records
    from advisor.render.adr import decision_records

    _one_scenario_file(scenario, "adr")
    advisor = _advisor(rules_dir)
    records = decision_records(explain(advisor, _load_one(advisor, scenario)))
    advisor.close()
    try:
        plan = write_records(out_dir, records, force, _write_files)
    except OSError as exc:  # the folder could not be made, locked or listed
        if exc.errno == errno.ENAMETOOLONG:
            raise  # a name no folder can have: located as name_too_long, as for every path
        raise _cannot_write(out_dir, exc) from None
    for path in plan.files:
        _stdout(safe_text.line(display_path(path)) + (" (replaced)" if path in plan.existing else ""))
    if not records:
        _stderr("no decided decision in this scenario: nothing to record")
