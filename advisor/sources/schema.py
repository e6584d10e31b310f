"""JSON Schemas for the YAML files: the rule files' from the pydantic models, the scenario's answers
from the questionnaire itself (every question id a property, with its type, unit, range and choices), so
an editor completes question ids and choices and flags a misspelt one."""

from __future__ import annotations

import json
import os
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from advisor.models.base import fields_of
from advisor.models.calculator import CalculatorFile
from advisor.models.decision import Decision, DerivationFile
from advisor.models.field_map import FieldMapFile
from advisor.models.questionnaire import Question, QuestionFile
from advisor.models.retired import RetiredFile
from advisor.models.rule_tests import RuleTestFile
from advisor.models.scenario import Scenario
from advisor.sources.answers import UNKNOWN
from advisor.sources.rulebase import RuleBase

SCENARIO_SCHEMA = "scenario.schema.json"
SCHEMAS = {
    "decision.schema.json": Decision,
    "derivations.schema.json": DerivationFile,
    "questions.schema.json": QuestionFile,
    "calculators.schema.json": CalculatorFile,
    SCENARIO_SCHEMA: Scenario,
    "rule-tests.schema.json": RuleTestFile,
    "retired.schema.json": RetiredFile,
    "field-map.schema.json": FieldMapFile,
}
NOT_KNOWN: dict[str, Any] = {"enum": [UNKNOWN, None], "description": "Not known (the same as leaving it out)."}


def schema_files(rulebase: RuleBase) -> dict[str, str]:
    """File name -> schema text; the scenario schema describes the answers of this rule base's questions."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = with_field_docstrings(model.model_json_schema(by_alias=True), model)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        if name == SCENARIO_SCHEMA:
            schema["properties"]["answers"] = answers_schema(rulebase)
        out[name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def with_field_docstrings(schema: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The schema with each field's docstring as its description where the field has none of its own: what
    pydantic's use_attribute_docstrings gives, without its cost at every start-up (see models.base.Strict).
    Models are found by their name in `$defs`; the top-level properties are `model`'s."""
    models = _models_reachable(model)
    _describe_fields(schema, model)
    for name, definition in schema.get("$defs", {}).items():
        if name in models:
            _describe_fields(definition, models[name])
    return schema


def _describe_fields(schema: dict[str, Any], model: type[BaseModel]) -> None:
    # pydantic's own docstring reader (the one use_attribute_docstrings runs), so the text is the same
    from pydantic._internal._docs_extraction import extract_docstrings_from_cls

    docs = extract_docstrings_from_cls(model, use_inspect=True)
    properties = schema.get("properties", {})
    for name, field in fields_of(model).items():
        key = field.alias or name
        if field.description is None and name in docs and key in properties:
            properties[key]["description"] = docs[name]


def _models_reachable(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class the fields of `model` lead to, by class name (as pydantic names them in `$defs`)."""
    found: dict[str, type[BaseModel]] = {}
    seen: set[type[BaseModel]] = set()
    stack: list[Any] = [model]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item not in seen:
                seen.add(item)
                found.setdefault(item.__name__, item)
                stack += [field.annotation for field in fields_of(item).values()]
        else:
            stack += typing.get_args(item)  # unions, Annotated[...], list[...] and dict[...] alike
    return found


def answers_schema(rulebase: RuleBase) -> dict[str, Any]:
    """The `answers` mapping: only question ids, each with the values the loader accepts."""
    return {
        "additionalProperties": False,
        "description": "Question id -> answer; 'unknown' (or leaving the question out) means not known. "
        "Question ids, choices and units are in the rule base's questions/ folder.",
        "properties": {qid: question_schema(question) for qid, question in rulebase.questions.items()},
        "title": "Answers",
        "type": "object",
    }


def question_schema(question: Question) -> dict[str, Any]:
    """One answer, as advisor/sources/answers.py checks it; `unknown` (or null) is always allowed."""
    about = [question.help] if question.help else []
    values: list[dict[str, Any]]
    if question.type == "boolean":
        values = [{"type": "boolean"}]
    elif question.type == "number":
        values = [
            {"type": "integer" if question.integer else "number", "minimum": question.min, "maximum": question.max}
        ]
        about.append(
            f"Unit: {question.unit}; from {question.min} to {question.max}"
            + (", whole numbers." if question.integer else ".")
        )
    else:
        choices = [c.id for c in question.choices]
        about.append("Choices: " + "; ".join(f"{c.id} = {c.label}" for c in question.choices) + ".")
        values = [{"enum": choices}]
        if question.type == "multi":  # a list of choices, or one choice on its own
            values.insert(0, {"type": "array", "items": {"enum": choices}})
    return {"title": question.prompt, "description": " ".join(about), "anyOf": [*values, NOT_KNOWN]}


def scenario_schema_of(rules_root: Path) -> Path:
    """Where the scenario schema of a rule base lives: `schemas/` beside its rules folder (the repository's
    rules/ and schemas/, the wheel's _bundled/rules and _bundled/schemas, a team's own `advisor schema
    --rules DIR --out DIR/../schemas`)."""
    return rules_root.parent / "schemas" / SCENARIO_SCHEMA


def schema_reference(schema: Path, saved: Path) -> str:
    """How a file saved at `saved` names `schema` for yaml-language-server. Inside the project that holds
    the schema (the folder above schemas/), a relative path: it keeps working when the project is cloned
    or moved. Anywhere else (the schema installed with the package, a file saved in another folder), the
    schema's absolute file URI: it resolves from wherever the file is."""
    schema = schema.resolve()
    folder = saved.parent.resolve()
    project = schema.parent.parent
    if folder == project or project in folder.parents:
        return Path(os.path.relpath(schema, folder)).as_posix()
    return schema.as_uri()
