"""Output.of is model_construct made faster for the advice builder: the same object, the same JSON."""

from __future__ import annotations

from advisor.models.advice import Binding, Verdict, WhyNot


def test_of_builds_what_model_construct_builds_whatever_the_argument_order() -> None:
    binding = {"source": "answer", "value": 3, "fact": "x"}
    assert Binding.of(**binding) == Binding.model_construct(**binding)
    assert Binding.of(**binding).model_dump_json() == Binding.model_construct(**binding).model_dump_json()
    assert Binding.of(**binding).model_fields_set == {"fact", "value", "source"}
    verdict = {
        "rule_id": "R-001",
        "kind": "exclude",
        "strength": "must",
        "weight": 0.0,
        "reasoning": "r",
        "matched": [Binding.of(**binding)],
        "citations": [],
    }
    why_not = {"verdicts": [Verdict.of(**verdict)], "reason": "ruled out", "label": "K", "option": "k"}
    assert WhyNot.of(**why_not).model_dump_json() == WhyNot.model_construct(**why_not).model_dump_json()


def test_a_field_left_out_falls_back_to_model_construct_and_its_defaults() -> None:
    partial = {"fact": "x", "value": None}
    assert Binding.of(**partial) == Binding.model_construct(**partial)
