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


def test_every_view_words_values_and_statuses_the_same_way() -> None:
    """One wording module: a number reads '5,000 KB' in the answers, the matched facts and the ADR drivers, and
    a decision that does not apply is 'not in play' in the terminal and Markdown alike."""
    import io

    from rich.console import Console

    from advisor.render.adr import render_adrs
    from advisor.render.markdown import render_markdown
    from advisor.render.text import print_advice
    from advisor.shared.wording import slug, status_word

    adv = Advisor.from_folder(FIXTURE, "reference")
    advice = adv.advise(adv.check({"size_kb": 5000, "replay": True, "ordering": "strict"}),
                        ScenarioRef(id="x", title="x"))
    markdown = render_markdown(advice)
    assert "| 5,000 KB |" in markdown and "`size_kb` = 5,000 KB" in markdown and "= 5000" not in markdown
    assert status_word("not_applicable") == "not in play" and "## Not in play" in markdown
    adrs = render_adrs(advice)
    assert adrs and all("* `size_kb` = 5,000 KB" in text for text in adrs.values())
    out = io.StringIO()
    print_advice(advice, Console(file=out, width=200, color_system=None))
    assert "matched: ordering=Strict, big_retained=yes" in out.getvalue()  # the choice's label, as answered
    assert "Stream service — recommended" in out.getvalue() and "not applicable" not in out.getvalue()
    assert slug("  Kinesis / MSK: which? ", "decision") == "kinesis-msk-which" and slug("???", "decision") == "decision"
    assert slug("a" * 59 + "-b", "x") == "a" * 59  # never ends with a dash when cut at 60
