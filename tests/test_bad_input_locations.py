"""One bad-input fixture per error kind, each with the exact line and column of its message (issue 2).

Rule-file cases start from the fixed rule base tests/hostile/rules_valid/, copied to tmp_path, and
add or replace one file. Scenario and YAML cases are small texts. The expected position is the
place a person should look: the offending key or value, never just the top of the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.shared.diagnostics import Diagnostic, InvalidInput
from advisor.sources.answers import load_scenario
from advisor.sources.rulebase import load_rulebase

VALID_RULES = Path(__file__).parent / "hostile" / "rules_valid"

CITE = "citations: [{note: a.txt, section: S, lines: [1]}]"
DECISION_HEAD = """id: extra
title: Extra decision
question: Which one do we pick?
area: core
options:
  - {id: one, label: One, summary: First}
  - {id: two, label: Two, summary: Second}
fallback: {ask: [size_kb]}
rules:
"""
NO_RULES = DECISION_HEAD.replace("rules:\n", "rules: []\n")


def rule(rule_id: str, when: str, effect: str = "recommend: [one]") -> str:
    return (f"  - id: {rule_id}\n    title: A test rule here\n    when: {when}\n    {effect}\n"
            f"    reasoning: Test rule for one kind of bad input.\n    {CITE}\n")


# case -> (file relative to the rules folder, its text, (kind, line, column) expected in that file)
RULE_CASES: dict[str, tuple[str, str, tuple[str, int, int]]] = {
    "yaml_syntax": ("decisions/extra.yaml", DECISION_HEAD + "  - id: [EXTRA-001\n", ("yaml_syntax", 11, 1)),
    "duplicate_key": ("decisions/extra.yaml", NO_RULES.replace("area: core\n", "area: core\narea: core\n"),
                      ("duplicate_key", 5, 1)),
    "extra_forbidden": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: replay, equals: true}")
                        .replace("    reasoning:", "    reason: x\n    reasoning:"), ("extra_forbidden", 14, 5)),
    "missing": ("decisions/extra.yaml", NO_RULES.replace("question: Which one do we pick?\n", ""),
                ("missing", 1, 1)),
    "wrong_type": ("decisions/extra.yaml", NO_RULES.replace("area: core", "area: [core]"),
                   ("string_type", 4, 7)),
    "value_error": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: replay, equals: true}",
                                                                  "recommend: [three]"),
                    ("value_error", 10, 5)),  # the rule that names the unknown option, not the file's start
    "unknown_fact": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: replayy, equals: true}"),
                     ("unknown_fact", 12, 18)),
    "unknown_choice": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: ordering, equals: fifo}"),
                       ("unknown_choice", 12, 11)),
    "operator_type": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: replay, gt: 3}"),
                      ("operator_type", 12, 11)),
    "value_type": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: size_kb, gt: big}"),
                   ("value_type", 12, 31)),
    "number_range": ("decisions/extra.yaml", DECISION_HEAD + rule("EXTRA-001", "{fact: size_kb, gt: .nan}"),
                     ("number_range", 12, 11)),
    "absence_of_derived": ("decisions/extra.yaml",
                           DECISION_HEAD + rule("EXTRA-001", "{not: {fact: oversized, equals: true}}"),
                           ("absence_of_derived", 12, 17)),
    "duplicate_rule_id": ("decisions/extra.yaml", DECISION_HEAD + rule("STRM-001", "{fact: replay, equals: true}"),
                          ("duplicate_id", 10, 9)),
    "unknown_question_in_fallback": ("decisions/extra.yaml", NO_RULES.replace("ask: [size_kb]", "ask: [sizes]"),
                                     ("unknown_question", 8, 18)),
    "file_name": ("decisions/other.yaml", NO_RULES, ("file_name", 1, 5)),
    "derive_answer": ("derivations/extra.yaml",
                      "rules:\n" + rule("EXTRA-001", "{fact: size_kb, gt: 1}", "derive: [{fact: replay}]"),
                      ("derive_answer", 5, 21)),
    "derive_conflict": ("derivations/extra.yaml",
                        "rules:\n" + rule("EXTRA-001", "{fact: size_kb, gt: 1}",
                                          "derive: [{fact: oversized, value: false}]"),
                        ("derive_conflict", 5, 39)),
    "derivation_cycle": ("derivations/extra.yaml",
                         "rules:\n" + rule("EXTRA-001", "{fact: loop_b, equals: true}", "derive: [{fact: loop_a}]")
                         + rule("EXTRA-002", "{fact: loop_a, equals: true}", "derive: [{fact: loop_b}]"),
                         ("derivation_cycle", 4, 11)),
    "duplicate_question": ("questions/extra.yaml",
                           "area: {id: extra, title: Extra}\nquestions:\n"
                           "  - {id: replay, prompt: Again?, type: boolean}\n", ("duplicate_id", 3, 10)),
    "reserved_id": ("questions/extra.yaml",
                    "area: {id: extra, title: Extra}\nquestions:\n"
                    "  - {id: unknown, prompt: Reserved?, type: boolean}\n",
                    ("reserved_id", 3, 10)),
    "question_shape": ("questions/extra.yaml",
                       "area: {id: extra, title: Extra}\nquestions:\n  - {id: many, prompt: How many?, type: number}\n",
                       ("value_error", 3, 5)),
    "ask_when_derived": ("questions/extra.yaml",
                         "area: {id: extra, title: Extra}\nquestions:\n  - id: late\n    prompt: Late?\n"
                         "    type: boolean\n    ask_when: {fact: oversized, equals: true}\n",
                         ("derived_in_ask_when", 6, 15)),
    "formula": ("calculators/extra.yaml",
                "calculators:\n  - id: bad\n    label: Bad\n    unit: x\n    formula: size_kb ** 2\n"
                "    reasoning: Powers are not allowed.\n    " + CITE + "\n", ("formula", 5, 14)),
    "formula_reads_boolean": ("calculators/extra.yaml",
                              "calculators:\n  - id: bad\n    label: Bad\n    unit: x\n    formula: replay + 1\n"
                              "    reasoning: Booleans are not numbers.\n    " + CITE + "\n", ("formula", 5, 14)),
    "calculator_cycle": ("calculators/extra.yaml",
                         "calculators:\n  - id: ping\n    label: Ping\n    unit: x\n    formula: pong + 1\n"
                         "    reasoning: One half of a cycle.\n    " + CITE + "\n"
                         "  - id: pong\n    label: Pong\n    unit: x\n    formula: ping + 1\n"
                         "    reasoning: The other half of it.\n    " + CITE + "\n", ("cycle", 5, 14)),
}


def _problems(exc: InvalidInput, file: str) -> list[Diagnostic]:
    return [d for d in exc.diagnostics if d.path.endswith(file)]


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_each_rule_file_error_is_located(tmp_path: Path, case: str) -> None:
    file, text, (kind, line, column) = RULE_CASES[case]
    root = tmp_path / "rules"
    shutil.copytree(VALID_RULES, root)
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    (root / file).write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_rulebase(root)
    found = [(d.kind, d.line, d.column) for d in _problems(info.value, file)]
    assert (kind, line, column) in found, f"{case}: {info.value}"


def test_the_valid_rule_base_loads() -> None:
    assert load_rulebase(VALID_RULES).decisions


def test_a_missing_rules_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        load_rulebase(tmp_path / "nope")
    assert [d.kind for d in info.value.diagnostics] == ["rules_folder"]


def test_a_rules_folder_without_questions(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        load_rulebase(tmp_path)
    assert "no_questions" in [d.kind for d in info.value.diagnostics]


# ---- scenario files: each error kind with its position ----------------------------------------

SCENARIO_CASES: dict[str, tuple[str, tuple[str, int, int]]] = {
    "yaml_syntax": ("title: x\nanswers: {replay: true\n", ("yaml_syntax", 3, 1)),
    "duplicate_key": ("title: x\nanswers:\n  replay: true\n  replay: false\n", ("duplicate_key", 4, 3)),
    "extra_forbidden": ("title: x\nanswers: {}\ntags: [a]\n", ("extra_forbidden", 3, 1)),
    "missing": ("answers: {}\n", ("missing", 1, 1)),
    "string_type": ("title: 12\nanswers: {}\n", ("string_type", 1, 8)),
    "too_short": ("title: ''\nanswers: {}\n", ("string_too_short", 1, 8)),
    "bad_id": ("id: Bad Id\ntitle: x\nanswers: {}\n", ("string_pattern_mismatch", 1, 5)),
    "bad_question_id": ("title: x\nanswers:\n  Replay: true\n", ("string_pattern_mismatch", 3, 3)),
    "unknown_question": ("title: x\nanswers:\n  replays: true\n", ("unknown_question", 3, 3)),
    "boolean_as_text": ("title: x\nanswers:\n  replay: yes\n", ("invalid_answer", 3, 11)),
    "number_as_text": ("title: x\nanswers:\n  size_kb: 12 KB\n", ("invalid_answer", 3, 12)),
    "out_of_range": ("title: x\nanswers:\n  size_kb: 2000000\n", ("invalid_answer", 3, 12)),
    "not_whole": ("title: x\nanswers:\n  consumers: 1.5\n", ("invalid_answer", 3, 14)),
    "nan": ("title: x\nanswers:\n  size_kb: .NaN\n", ("invalid_answer", 3, 12)),
    "leading_zero": ("title: x\nanswers:\n  size_kb: 007\n", ("ambiguous_number", 3, 12)),
    "not_a_choice": ("title: x\nanswers:\n  ordering: strikt\n", ("invalid_answer", 3, 13)),
    "list_for_single": ("title: x\nanswers:\n  ordering: [strict]\n", ("invalid_answer", 3, 13)),
    "not_a_choice_in_list": ("title: x\nanswers:\n  sources:\n    - iot\n    - fax\n", ("invalid_answer", 5, 7)),
    "number_in_multi": ("title: x\nanswers:\n  sources: [1]\n", ("invalid_answer", 3, 13)),
    "mapping_answer": ("title: x\nanswers:\n  replay: {a: 1}\n", ("value_type", 3, 11)),
    "yaml_tag": ("title: !!binary aGVsbG8=\nanswers: {}\n", ("yaml_tag", 1, 8)),
    "anchor_merge": ("title: x\nanswers:\n  <<: {replay: true}\n", ("yaml_merge", 3, 3)),
    "multiple_documents": ("title: x\nanswers: {}\n---\n", ("yaml_multiple_documents", 4, 1)),
    "scenario_shape": ("just text\n", ("scenario_shape", 1, 1)),
    "too_deep": ("title: x\nanswers: {}\ndeep: " + "[" * 200 + "]" * 200 + "\n", ("yaml_too_deep", 3, 106)),
    "control_character": ("title: x\x1b[31m\nanswers: {}\n", ("yaml_syntax", 1, 9)),
    "empty": ("", ("empty_file", 1, 1)),
    "whitespace_only": ("\n   \n", ("empty_file", 1, 1)),
}


@pytest.fixture(scope="module")
def rulebase():  # type: ignore[no-untyped-def]
    return load_rulebase(VALID_RULES)


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_each_scenario_error_is_located(tmp_path: Path, rulebase, case: str) -> None:  # type: ignore[no-untyped-def]
    text, (kind, line, column) = SCENARIO_CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_scenario(rulebase, path)
    found = [(d.kind, d.line, d.column) for d in info.value.diagnostics]
    assert (kind, line, column) in found, f"{case}: {info.value}"
    for d in info.value.diagnostics:
        assert d.path.endswith(path.name)
        assert "\x1b" not in d.render(), "a message must not carry terminal escapes from the file"
