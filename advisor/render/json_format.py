"""Advice as canonical JSON (stable key order, no timestamps)."""

from __future__ import annotations

import json

from advisor.models.advice import Advice


def render_json(advice: Advice) -> str:
    return json.dumps(advice.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def render_json_batch(advices: list[Advice]) -> str:
    return json.dumps([a.model_dump(mode="json") for a in advices], indent=2, ensure_ascii=False) + "\n"
