"""JSON Schemas for the YAML files, generated from the pydantic models."""

from __future__ import annotations

import json

from advisor.models.calculator import CalculatorFile
from advisor.models.decision import Decision, DerivationFile
from advisor.models.field_map import FieldMapFile
from advisor.models.questionnaire import QuestionFile
from advisor.models.retired import RetiredFile
from advisor.models.rule_tests import RuleTestFile
from advisor.models.scenario import Scenario

SCHEMAS = {
    "decision.schema.json": Decision,
    "derivations.schema.json": DerivationFile,
    "questions.schema.json": QuestionFile,
    "calculators.schema.json": CalculatorFile,
    "scenario.schema.json": Scenario,
    "rule-tests.schema.json": RuleTestFile,
    "retired.schema.json": RetiredFile,
    "field-map.schema.json": FieldMapFile,
}


def schema_files() -> dict[str, str]:
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out
