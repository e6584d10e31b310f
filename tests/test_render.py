"""Renderers: the fast JSON writer gives the model's data, in the canonical layout json.dumps uses."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.render import json_format
from advisor.render.json_format import render_json, render_json_batch

ROOT = Path(__file__).resolve().parent.parent
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


def test_both_json_writers_write_the_same_bytes() -> None:
    # the first report of a process is written from plain data, later ones by pydantic's serializer
    import sys

    from advisor.analysis.review import review_advice
    from advisor.analysis.whatif import explain
    from advisor.app.batch import evaluate_file
    from advisor.sources.answers import load_scenario

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_engine import generate

    adv = Advisor.from_folder(ROOT / "rules", "reference")
    try:
        advices = []
        for i, path in enumerate(sorted((ROOT / "scenarios").glob("*.yaml"))):
            advice = evaluate_file(adv, path).advice
            assert advice is not None
            advices.append(explain(adv, advice) if i % 5 == 0 else advice)  # what-if on a fifth of them
        reviewed = [p for p in sorted((ROOT / "scenarios").glob("*.yaml")) if "current:" in p.read_text("utf-8")]
        assert reviewed, "no shipped scenario states current choices"
        for path in reviewed:
            loaded = load_scenario(adv.rulebase, path)
            advices.append(review_advice(adv, adv.evaluate(loaded), loaded.current))
        advices += [adv.advise(answers, ScenarioRef(id="g", title="g \udcff \x1b[31m")) for answers in
                    generate(adv.rulebase, 200)[:60]]
        for advice in advices:
            assert json_format.dump_plain(advice) == json_format.dump_models(advice), advice.scenario.id
    finally:
        adv.close()


def test_a_whole_number_in_a_float_field_is_written_as_a_float_by_both_writers() -> None:
    adv = Advisor.from_folder(FIXTURE, "reference")
    try:
        advice = adv.advise(adv.check({"size_kb": 5000, "replay": True}), ScenarioRef(id="x", title="x"))
    finally:
        adv.close()
    decision = next(d for d in advice.decisions if d.recommended)
    assessment = decision.recommended.model_copy(update={"score": 3})
    changed = advice.model_copy(update={"decisions": [decision.model_copy(update={"recommended": assessment})]})
    plain, models = json_format.dump_plain(changed), json_format.dump_models(changed)
    assert plain == models and '"score": 3.0' in plain


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


SHIPPED = Path(__file__).parent.parent / "scenarios"


def _shipped_advice(name: str):  # type: ignore[no-untyped-def]
    from advisor.analysis.review import review_advice
    from advisor.sources.answers import load_scenario
    from advisor.sources.locations import bundled_rules_dir

    adv = Advisor.from_folder(bundled_rules_dir(), "reference")
    try:
        loaded = load_scenario(adv.rulebase, SHIPPED / name)
        return review_advice(adv, adv.evaluate(loaded), loaded.current)  # as the commands evaluate a file
    finally:
        adv.close()


def test_the_summary_has_one_line_per_decision_in_play() -> None:
    from advisor.render.summary import render_summary

    advice = _shipped_advice("stream-iot-telemetry.scenario.yaml")
    lines = render_summary(advice).splitlines()
    in_play = [d for d in advice.decisions if d.status != "not_applicable"]
    assert lines[0] == f"Summary: {advice.scenario.title} ({advice.scenario.id})"
    assert len(lines) == 1 + len(in_play) + 1
    for d, row in zip(in_play, lines[1:], strict=False):
        assert row.startswith(f"  {d.title} ")
        if d.recommended:
            assert row.endswith(f"  {d.strength}") and f"  {d.recommended.label}  " in row
        else:
            assert " undecided " in row and row.endswith("would decide it)")
    assert lines[-1] == f"  ({len(advice.decisions) - len(in_play)} other decisions are not in play)"


def _text(advice, width: int) -> str:  # type: ignore[no-untyped-def]
    from advisor.render.registry import TerminalSettings, report_format

    return report_format("text").render(advice, TerminalSettings(width=width))


def test_text_shows_each_calculated_value_beside_the_rule_that_uses_it() -> None:
    advice = _shipped_advice("ddb-financial-ledger.scenario.yaml")
    wcu = next(f for f in advice.derived if f.fact == "required_wcu")
    text = _text(advice, 200)
    rule_line = next(n for n, row in enumerate(text.splitlines()) if "DDBCAP-008 (" in row)
    after = text.splitlines()[rule_line : rule_line + 8]
    assert any(f"calculated: required_wcu = {wcu.display} = {wcu.formula}" in row for row in after), after


def test_long_titles_wrap_instead_of_being_cut() -> None:
    advice = _shipped_advice("stream-iot-telemetry.scenario.yaml")
    long_title = "A workload title long enough to be cut by any rule drawn across a narrow terminal window"
    advice = advice.model_copy(update={"scenario": advice.scenario.model_copy(update={"title": long_title})})
    text = _text(advice, 40)
    assert "…" not in text
    words = " ".join(row.strip(" │") for row in text.splitlines())
    assert long_title in words
    for d in advice.decisions:
        if d.status != "not_applicable":
            assert d.title in words


def test_the_review_summary_has_one_line_per_current_choice_then_the_advice_summary() -> None:
    from advisor.render.summary import render_review_summary, render_summary

    advice = _shipped_advice("review-payments-standard-queue.scenario.yaml")
    assert advice.review is not None
    text = render_review_summary(advice)
    lines = text.splitlines()
    assert lines[0] == f"Summary: review of {advice.scenario.title} ({advice.scenario.id})"
    verdicts = advice.review.verdicts
    assert len(lines[1:]) > len(verdicts) and text.endswith(render_summary(advice))
    sqs = next(row for row in lines[1 : 1 + len(verdicts)] if "Amazon SQS Standard queue" in row)
    assert sqs.startswith("  Streaming ingestion service ") and sqs.endswith("  high risk")


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
