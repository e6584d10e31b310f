"""The `advisor` command. Subcommands parse options, call the library and print; no logic lives here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from advisor import safe_text
from advisor.diagnostics import Diagnostic, InvalidInput, display_path
from advisor.exit_codes import ExitCode
from advisor.locations import default_rules_dir

FORMATS = ("text", "json", "markdown")


def _stderr(message: str) -> None:
    # Messages quote files (names, keys, values): whatever built them, nothing raw reaches the terminal.
    click.echo(safe_text.block(message), err=True)


def _stdout(message: str) -> None:
    click.echo(safe_text.block(message))


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


@contextmanager
def _safe_click_errors() -> Iterator[None]:
    """Click's own messages quote the command line, file names a shell glob expanded included."""
    try:
        yield
    except click.ClickException as exc:
        exc.message = safe_text.block(exc.message)
        raise


class _Group(click.Group):
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _safe_click_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _safe_click_errors():
            return super().invoke(ctx)


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


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
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
    from advisor.baseline import Baseline
    from advisor.batch import default_jobs, map_files
    from advisor.batch_reports import (
        BaselineSink,
        ConsoleSettings,
        EvaluateJob,
        ReportWriter,
        Sink,
        StdoutSink,
        progress_bar,
    )
    from advisor.discovery import find_scenarios

    baseline = Baseline.open(baseline_dir) if baseline_dir is not None else None
    advisor = _advisor(rules_dir, engine)
    files, problems = find_scenarios(list(paths))
    _report(problems)
    single_json = fmt == "json" and output_dir is None and len(paths) == 1 and Path(paths[0]).is_file()
    sink: Sink = (BaselineSink(baseline) if baseline is not None
                  else ReportWriter(output_dir, fmt) if output_dir is not None else StdoutSink(fmt, single_json))
    job = EvaluateJob(fmt, sink.staging, explain if explain is not None else fmt == "markdown",
                      baseline, ConsoleSettings.of(_console(color)), json_element=not single_json)
    progress = progress_bar(len(files))
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
    code = sink.finish()
    advisor.close()
    if failed:
        sys.exit(ExitCode.INVALID_INPUT)
    if code != ExitCode.OK:
        sys.exit(code)


def _console(color: str):  # type: ignore[no-untyped-def]
    from rich.console import Console

    if color == "always":
        return Console(force_terminal=True)
    if color == "never":
        return Console(no_color=True, color_system=None)
    return Console()


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
        _stdout(line)
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
        _stdout(f"wrote {safe_text.line(display_path(target))}")
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
        _stdout(safe_text.line(display_path(out_dir / name)))
    if not records:
        _stderr("no decided decision in this scenario: nothing to record")
