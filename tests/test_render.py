"""Renderers: the fast JSON writer gives the model's data, in the canonical layout json.dumps uses."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.render.json_format import render_json, render_json_batch

FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"


def test_json_text_is_the_model_data_in_the_canonical_layout() -> None:
    adv = Advisor.from_folder(FIXTURE, "reference")
    advices = [adv.advise(adv.check(answers), ScenarioRef(id="x", title='Ünïcode ✓ "quoted"'))
               for answers in ({"size_kb": 5000, "replay": True}, {"sources": ["iot", "web"], "rate_mb_s": 2.5},
                               {"rate_mb_s": 0.00001}, {})]
    for advice in advices:
        text = render_json(advice)
        data = advice.model_dump(mode="json", exclude={"review"})  # no current choices: no review key at all
        assert advice.review is None and json.loads(text) == data
        # Same layout as json.dumps(indent=2, ensure_ascii=False); only float spelling may differ (0.00001 vs 1e-05).
        canonical = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        assert len(text.splitlines()) == len(canonical.splitlines())
        assert "Ünïcode ✓" in text
    batch = render_json_batch(advices)
    assert json.loads(batch) == [a.model_dump(mode="json", exclude={"review"}) for a in advices]
    assert batch.startswith("[\n  {\n") and batch.endswith("\n]\n")
    assert render_json_batch([]) == "[]\n"


def test_every_registered_format_is_offered_and_written_with_its_extension(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from advisor.app.cli import main
    from advisor.render.registry import FORMATS

    scenario = Path(__file__).parent / "hostile" / "scenarios" / "ok_valid.yaml"
    rules = Path(__file__).parent / "hostile" / "rules_valid"
    assert len({f.extension for f in FORMATS.values()}) == len(FORMATS)
    for name, fmt in FORMATS.items():
        out = tmp_path / name
        result = CliRunner().invoke(main, ["evaluate", str(scenario), "--rules", str(rules), "-f", name,
                                           "--output", str(out)])
        assert result.exit_code == 0, result.stderr
        assert [p.name for p in out.iterdir()] == [f"ok_valid.{fmt.extension}"]
