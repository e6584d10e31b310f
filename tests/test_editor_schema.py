"""The scenario JSON Schema, generated from the questionnaire, is what an editor with yaml-language-server
validates and completes against: every shipped scenario passes it, and a misspelt question id or choice
fails it on its own, before the advisor reads the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from advisor.sources.locations import bundled_rules_dir
from advisor.sources.rulebase import load_rulebase
from advisor.sources.schema import SCENARIO_SCHEMA, schema_files, schema_reference
from advisor.sources.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_files(load_rulebase(bundled_rules_dir()))[SCENARIO_SCHEMA])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    data = read_yaml_file(path).data  # as the advisor reads it (YAML 1.2)
    assert _errors(validator, data) == []


def test_there_are_shipped_scenarios_and_they_name_the_committed_schema() -> None:
    assert len(SCENARIOS) > 50
    for path in SCENARIOS:
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../schemas/scenario.schema.json\n"
        ), path.name


GOOD = {
    "title": "Stream",
    "answers": {
        "ingestion_mode": "streaming",
        "max_record_size_kb": 2048,
        "topics": ["streaming_ingestion"],
        "needs_replay": "unknown",
    },
}


def test_every_question_id_is_a_property_with_its_type_unit_range_and_choices(
    validator: jsonschema.Draft202012Validator,
) -> None:
    rulebase = load_rulebase(bundled_rules_dir())
    answers = validator.schema["properties"]["answers"]
    assert set(answers["properties"]) == set(rulebase.questions)
    assert answers["additionalProperties"] is False
    size = answers["properties"]["max_record_size_kb"]
    assert size["title"] == rulebase.questions["max_record_size_kb"].prompt
    assert "Unit: KB" in size["description"]
    assert {"type": "number", "minimum": 0, "maximum": 10485760} in size["anyOf"]
    mode = answers["properties"]["ingestion_mode"]
    assert {"enum": ["batch", "streaming", "hybrid"]} in mode["anyOf"]
    assert any(v.get("enum") == ["unknown", None] for v in mode["anyOf"])
    assert _errors(validator, GOOD) == []


def test_a_misspelt_question_id_is_rejected_by_the_schema_alone(validator: jsonschema.Draft202012Validator) -> None:
    data = {**GOOD, "answers": {**GOOD["answers"], "max_record_size_kbb": 5}}
    errors = _errors(validator, data)
    assert len(errors) == 1 and "max_record_size_kbb" in errors[0], errors


@pytest.mark.parametrize(
    ("qid", "value"),
    [
        ("ingestion_mode", "streamin"),  # a single choice
        ("topics", ["streaming_ingest"]),  # one of a multi question's choices
        ("topics", "streaming_ingest"),
        ("needs_replay", "yes"),  # YAML 1.2: text, not a boolean
        ("max_record_size_kb", -1),  # below the range
        ("max_record_size_kb", "2 MB"),
    ],
)
def test_a_misspelt_choice_or_a_wrong_value_is_rejected_by_the_schema_alone(
    validator: jsonschema.Draft202012Validator, qid: str, value: Any
) -> None:
    data = {**GOOD, "answers": {**GOOD["answers"], qid: value}}
    errors = _errors(validator, data)
    assert len(errors) == 1 and errors[0].startswith(f"answers/{qid}"), errors


def test_unknown_is_a_valid_answer_to_every_question(validator: jsonschema.Draft202012Validator) -> None:
    answers = dict.fromkeys(validator.schema["properties"]["answers"]["properties"], "unknown")
    assert _errors(validator, {"title": "All unknown", "answers": answers}) == []


def test_a_saved_file_names_the_schema_so_that_it_resolves(tmp_path: Path) -> None:
    schema = tmp_path / "project" / "schemas" / SCENARIO_SCHEMA
    schema.parent.mkdir(parents=True)
    schema.write_text("{}", encoding="utf-8")
    inside = tmp_path / "project" / "scenarios" / "team" / "a.scenario.yaml"
    assert schema_reference(schema, inside) == "../../schemas/scenario.schema.json"
    assert schema_reference(schema, tmp_path / "project" / "a.yaml") == "schemas/scenario.schema.json"
    elsewhere = tmp_path / "elsewhere" / "a.scenario.yaml"
    assert schema_reference(schema, elsewhere) == schema.resolve().as_uri()  # absolute: resolves from anywhere
    for saved in (inside, elsewhere):
        reference = schema_reference(schema, saved)
        is_uri = reference.startswith("file://")
        target = Path(reference.removeprefix("file://")) if is_uri else saved.parent / reference
        assert target.resolve() == schema.resolve()
