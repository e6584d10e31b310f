"""The report formats: a format name maps to its renderer, its file extension and its defaults, so a new
format is added here and nowhere else (the CLI's --format choices, report file names and the batch read it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

from advisor.models.advice import Advice


@dataclass(frozen=True)
class TerminalSettings:
    """How text for a terminal is drawn: width and colours (files get a fixed width and no colour)."""

    width: int = 100
    color_system: str | None = None
    force_terminal: bool = False
    no_color: bool = True


FILE_SETTINGS = TerminalSettings()


@dataclass(frozen=True)
class ReportFormat:
    name: str
    extension: str
    """File extension of a report written with --output, without the dot."""
    what_if_by_default: bool
    """Whether reports in this format include what-if analysis unless --no-explain says otherwise."""
    render: Callable[[Advice, TerminalSettings], str]
    """The whole report as text (JSON ends with a newline, like the file it is written to)."""
    render_review: Callable[[Advice, TerminalSettings], str]
    """What `advisor review` writes: the review of the current choices (JSON: the whole advice, review included)."""
    report_bytes: Callable[[Advice], bytes] | None = None
    """The report file's bytes, where the format makes them faster than encoding `render`'s text with the file
    look (the same bytes as a text file opened with encoding="utf-8" would hold)."""


def _json(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.json_format import render_json

    return render_json(advice)


def _json_bytes(advice: Advice) -> bytes:
    from advisor.render.json_format import render_json_bytes

    return render_json_bytes(advice)


def _markdown(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.markdown import render_markdown

    return render_markdown(advice)


def _summary(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.summary import render_summary

    return render_summary(advice)


def _review_summary(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.summary import render_review_summary

    return render_review_summary(advice)


def _review_markdown(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.review import review_report_markdown

    return review_report_markdown(advice)


def _html(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.html import render_html
    from advisor.render.markdown import render_markdown

    return render_html(render_markdown(advice), f"Advice: {advice.scenario.title}")


def _review_html(advice: Advice, _settings: TerminalSettings) -> str:
    from advisor.render.html import render_html
    from advisor.render.review import review_report_markdown

    return render_html(review_report_markdown(advice), f"Review: {advice.scenario.title}")


def _printed(draw: Callable[[Advice, Any], None], advice: Advice, settings: TerminalSettings) -> str:
    from rich.console import Console

    buffer = StringIO()
    console = Console(file=buffer, width=settings.width, color_system=settings.color_system,  # type: ignore[arg-type]
                      force_terminal=settings.force_terminal, no_color=settings.no_color)
    draw(advice, console)
    return buffer.getvalue()


def _text(advice: Advice, settings: TerminalSettings) -> str:
    from advisor.render.text import print_advice

    return _printed(print_advice, advice, settings)


def _review_text(advice: Advice, settings: TerminalSettings) -> str:
    from advisor.render.review import print_review_report

    return _printed(print_review_report, advice, settings)


FORMATS: dict[str, ReportFormat] = {f.name: f for f in (
    ReportFormat("text", "txt", what_if_by_default=False, render=_text, render_review=_review_text),
    ReportFormat("json", "json", what_if_by_default=False, render=_json, render_review=_json,
                 report_bytes=_json_bytes),
    ReportFormat("markdown", "md", what_if_by_default=True, render=_markdown, render_review=_review_markdown),
    ReportFormat("html", "html", what_if_by_default=True, render=_html, render_review=_review_html),
    ReportFormat("summary", "summary.txt", what_if_by_default=False, render=_summary,
                 render_review=_review_summary),
)}
"""In the order `--format` lists them; the first is the default."""


def report_format(name: str) -> ReportFormat:
    return FORMATS[name]
