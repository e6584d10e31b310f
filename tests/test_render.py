"""Renderers: the fast JSON writer gives exactly the canonical json.dumps text."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.render.json_format import render_json, render_json_batch

FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"


def test_json_text_equals_json_dumps_of_the_model() -> None:
    adv = Advisor.from_folder(FIXTURE, "reference")
    advices = [adv.advise(adv.check(answers), ScenarioRef(id="x", title='Ünïcode ✓ "quoted"'))
               for answers in ({"size_kb": 5000, "replay": True}, {"sources": ["iot", "web"], "rate_mb_s": 2.5}, {})]
    for advice in advices:
        assert render_json(advice) == json.dumps(advice.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    expected = json.dumps([a.model_dump(mode="json") for a in advices], indent=2, ensure_ascii=False) + "\n"
    assert render_json_batch(advices) == expected
    assert render_json_batch([]) == "[]\n"
