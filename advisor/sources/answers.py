"""Check scenario answers against the questionnaire and turn them into typed facts."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from advisor.models.questionnaire import Question
from advisor.models.scenario import Scenario
from advisor.shared.diagnostics import MAX_PROBLEMS_PER_FILE, MORE_PROBLEMS, Diagnostic, InvalidInput, more_problems
from advisor.sources.plain_scenario import plain_scenario
from advisor.sources.rulebase import RuleBase
from advisor.sources.validation import validate_document
from advisor.sources.yaml_source import SourceDocument, read_yaml_file

UNKNOWN = "unknown"
FactValue = bool | int | float | str | list[str]
_SEPARATED_NUMBER = re.compile(r"^[-+]?[0-9]+([_,][0-9]+)+(\.[0-9_]+)?$")
_PLAIN_NUMBER = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
"""Digits grouped with '_' or ',': a number to the writer, text to YAML 1.2."""


@dataclass(frozen=True)
class Answers:
    """Known answers by question id, plus the questions explicitly answered 'unknown'."""

    known: dict[str, FactValue]
    unknown: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class LoadedScenario:
    id: str
    scenario: Scenario
    answers: Answers
    source: str
    current: dict[str, list[str]] = field(default_factory=dict)
    """What the team runs or plans: decision id -> option ids (checked against the rule base)."""


def check_answer(question: Question, value: Any) -> tuple[FactValue | None, str | None]:
    """(typed value, None) or (None, problem). `None` as value means unknown."""
    if value is None or value == UNKNOWN:
        return None, None
    if question.type == "boolean":
        if isinstance(value, bool):
            return value, None
        hint = ""
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            hint = " (write it without quotes: a quoted value is text)"
        elif isinstance(value, str):
            hint = " (YAML 1.2 reads yes/no/on/off as text: write true or false)"
        return None, f"expected true, false or unknown{hint}, got {value!r}"
    if question.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = ""
            if isinstance(value, str) and _SEPARATED_NUMBER.match(value.strip()):
                hint = " (write the digits without '_' or ',' separators: YAML 1.2 reads such a value as text)"
            elif isinstance(value, str) and _PLAIN_NUMBER.match(value.strip()):
                hint = " (write it without quotes: a quoted value is text)"
            return None, f"expected a number in {question.unit} (or unknown){hint}, got {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"expected a finite number in {question.unit}, got {value!r}"
        if isinstance(value, int) and abs(value) > sys.float_info.max:  # typed in, not read from YAML
            return None, f"a number of {len(str(abs(value)))} digits is beyond any accepted range"
        low, high = question.min, question.max
        assert low is not None and high is not None
        if not low <= value <= high:
            return None, (f"{_number(value)} {question.unit} is outside the accepted range "
                          f"{_number(low)} to {_number(high)}")
        if question.integer and value != int(value):
            return None, f"expected a whole number of {question.unit}, got {value!r}"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value, None
    choices = _choice_ids(question)
    if question.type == "single":
        if not isinstance(value, str) or value not in choices:
            return None, _choice_problem(value, choices)
        return value, None
    items = value if isinstance(value, list) else [value]
    if UNKNOWN in items:  # before the choice check, which would call 'unknown' "not a choice"
        return None, "'unknown' stands alone: write unknown instead of a list"
    for item in items:
        if not isinstance(item, str) or item not in choices:
            return None, _choice_problem(item, choices)
    return sorted(set(items), key=choices.index), None


_CHOICE_IDS: dict[int, tuple[Question, list[str]]] = {}
"""A question's choice ids, by the question's identity (each entry holds its question, so the id stays its own)."""


def _choice_ids(question: Question) -> list[str]:
    """The ids of a question's choices, in order (the same list for every answer: not to be changed)."""
    made = _CHOICE_IDS.get(id(question))
    if made is not None and made[0] is question:
        return made[1]
    if len(_CHOICE_IDS) >= 4096:  # several rule bases in one process (tests, a TUI reloading rules)
        _CHOICE_IDS.clear()
    ids = [c.id for c in question.choices]
    _CHOICE_IDS[id(question)] = (question, ids)
    return ids


def _number(value: float) -> str:
    """A number as people write it: 10,485,760 rather than 1.04858e+07."""
    if float(value).is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _choice_problem(value: Any, choices: list[str]) -> str:
    close = get_close_matches(str(value), choices, n=1) if isinstance(value, str) else []
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"{value!r} is not a choice{hint} (choices: {', '.join(choices)}, unknown)"


def check_answers(rulebase: RuleBase, raw: dict[str, Any], doc: SourceDocument | None = None,
                  base_loc: tuple[Any, ...] = ("answers",)) -> Answers:
    problems: list[Diagnostic] = []
    left_out: list[tuple[Any, ...]] = []
    """Where the problems past MAX_PROBLEMS_PER_FILE are: only counted (a did-you-mean search costs
    about a millisecond, and 75,000 misspelt keys took minutes)."""
    known: dict[str, FactValue] = {}
    unknown: set[str] = set()
    for qid, value in raw.items():
        question = rulebase.questions.get(qid)
        listed = len(problems) < MAX_PROBLEMS_PER_FILE
        if question is None:
            if not listed:
                left_out.append((*base_loc, qid))
                continue
            close = get_close_matches(qid, list(rulebase.questions), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            message = f"{qid!r} is not a question{hint}"  # repr: the id may hold control characters
            problems.append(_located(doc, (*base_loc, qid), "unknown_question", message, key=True))
            continue
        typed, problem = check_answer(question, value)
        if problem:
            if listed:
                loc = (*base_loc, qid, *_wrong_item(question, value))
                problems.append(_located(doc, loc, "invalid_answer", f"{qid}: {problem}"))
            else:
                left_out.append((*base_loc, qid))
        elif typed is None:
            unknown.add(qid)
        else:
            known[qid] = typed
    if left_out:
        first = _located(doc, left_out[0], MORE_PROBLEMS, "")
        problems.append(more_problems(first.path, first.line, first.column, len(left_out)))
    if problems:
        raise InvalidInput(problems)
    return Answers(dict(sorted(known.items())), frozenset(unknown))


def _wrong_item(question: Question, value: Any) -> tuple[int, ...]:
    """Where in a list of choices the first wrong item is, so the message points at it; () otherwise."""
    if question.type != "multi" or not isinstance(value, list):
        return ()
    choices = {c.id for c in question.choices}
    wrong = [i for i, item in enumerate(value) if not isinstance(item, str) or item not in choices]
    return (wrong[0],) if wrong and UNKNOWN not in value else ()


def _located(doc: SourceDocument | None, loc: tuple[Any, ...], kind: str, message: str,
             key: bool = False) -> Diagnostic:
    if doc is None:
        return Diagnostic("<answers>", 1, 1, kind, message)
    return doc.diagnostic(loc, kind, message, prefer_key=key)


def scenario_id_for(path: Path) -> str:
    name = path.name
    for suffix in (".scenario.yaml", ".scenario.yml", ".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def load_scenario(rulebase: RuleBase, path: Path) -> LoadedScenario:
    doc = read_yaml_file(path)
    if not isinstance(doc.data, dict):
        raise InvalidInput([doc.diagnostic((), "scenario_shape",
                                           "expected a mapping with title and answers")])
    # pydantic only for documents that are not plainly valid: it builds its validator on first use (costly
    # for one file) and words every problem
    scenario = plain_scenario(doc.data) or validate_document(doc, Scenario)
    try:
        answers = check_answers(rulebase, scenario.answers, doc)
    except InvalidInput as exc:
        problems = list(exc.diagnostics)
    else:
        problems = []
    try:
        current = check_current(rulebase, scenario.current, doc)
    except InvalidInput as exc:
        problems += exc.diagnostics
    if problems:
        raise InvalidInput(problems)
    return LoadedScenario(scenario.id or scenario_id_for(path), scenario, answers, doc.shown_path, current)


def check_current(rulebase: RuleBase, raw: dict[str, Any], doc: SourceDocument | None = None,
                  base_loc: tuple[Any, ...] = ("current",)) -> dict[str, list[str]]:
    """Current choices with known decision and option ids, in decision order; each option once."""
    if not raw:  # most scenarios state none
        return {}
    problems: list[Diagnostic] = []
    decisions = {d.id: d for d in rulebase.decisions}
    out: dict[str, list[str]] = {}
    for did, value in raw.items():
        if len(problems) >= MAX_PROBLEMS_PER_FILE:
            break
        decision = decisions.get(did)
        if decision is None:
            close = get_close_matches(did, list(decisions), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(_located(doc, (*base_loc, did), "unknown_decision", f"{did!r} is not a decision{hint}",
                                     key=True))
            continue
        options = [o.id for o in decision.options]
        chosen = value if isinstance(value, list) else [value]
        for index, option in enumerate(chosen):
            if option in options:
                continue
            close = get_close_matches(option, options, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            loc = (*base_loc, did, index) if isinstance(value, list) else (*base_loc, did)
            problems.append(_located(doc, loc, "unknown_option",
                                     f"{option!r} is not an option of {did}{hint} (options: {', '.join(options)})"))
        out[did] = sorted(set(chosen) & set(options), key=options.index)
    if problems:
        raise InvalidInput(problems)
    order = {d.id: i for i, d in enumerate(rulebase.decisions)}
    return dict(sorted(out.items(), key=lambda kv: order[kv[0]]))
