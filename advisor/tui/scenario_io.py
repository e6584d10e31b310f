"""Scenario files as the batch CLI reads them: write them, and read them back (no textual here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from advisor.inference.evaluation import Advisor
from advisor.models.questionnaire import QuestionnaireView
from advisor.shared.atomic_write import write_atomic  # noqa: F401  (re-exported: callers import it from here)
from advisor.sources.answers import UNKNOWN, LoadedScenario
from advisor.sources.schema import schema_reference

SCHEMA_LINE = "# yaml-language-server: $schema={}"


def schema_line(questionnaire: QuestionnaireView, saved_at: Path | None) -> str:
    """The first line that points editors at the questionnaire's scenario schema, named so that it resolves
    from where the file is saved (see schema_reference); none when there is no schema to point at."""
    schema = questionnaire.scenario_schema
    if saved_at is None or schema is None or not schema.is_file():
        return ""
    return SCHEMA_LINE.format(schema_reference(schema, saved_at)) + "\n"


def scenario_text(questionnaire: QuestionnaireView, title: str, description: str, answers: dict[str, Any],
                  current: dict[str, list[str]] | None = None, saved_at: Path | None = None) -> str:
    """The file text: schema line (for a file saved at `saved_at`), title, description, answers in
    questionnaire order, then the current choices (one option as a plain value, several as a list)."""
    ordered = {qid: answers[qid] for qid in questionnaire.questions if qid in answers}
    data: dict[str, Any] = {"title": title}
    if description:
        data["description"] = description
    data["answers"] = ordered
    if current:
        data["current"] = {d: options[0] if len(options) == 1 else list(options) for d, options in current.items()}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return schema_line(questionnaire, saved_at) + body


def raw_answers(loaded: LoadedScenario) -> dict[str, Any]:
    """The session form of loaded answers: typed values, plus 'unknown' for explicit unknowns."""
    raw: dict[str, Any] = dict(loaded.answers.known)
    raw.update({qid: UNKNOWN for qid in loaded.answers.unknown})
    return raw


def names_a_new_file(path: Path) -> bool:
    """Whether a scenario file named on the command line is one to create: a YAML name where nothing is yet (not
    even a dangling link). `advisor ask new.scenario.yaml` then starts empty and saves there."""
    try:
        return path.suffix.lower() in (".yaml", ".yml") and not path.is_symlink() and not path.exists()
    except (OSError, ValueError):  # a name too long, or holding a NUL: read_scenario says so where it is opened
        return False


def read_scenario(advisor: Advisor, path: Path) -> LoadedScenario:
    """The advisor's load_scenario, with missing or unreadable files reported the same located way."""
    from advisor.shared.diagnostics import Diagnostic, InvalidInput, display_path

    try:
        if not path.is_file():  # may raise too: a name longer than the system allows
            raise InvalidInput([Diagnostic.at_file(display_path(path), "not_found", "no such scenario file")])
        return advisor.load_scenario(path)
    except OSError as exc:
        raise InvalidInput([Diagnostic.of_os_error(exc, display_path(path), "unreadable")]) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput([Diagnostic.at_file(display_path(path), "unreadable", f"not UTF-8 text: {exc}")]) from None
