"""Review mode in the TUI: current choices from a scenario file carry risk badges and a plan panel, `c` marks
the next option as current, and saving keeps the current choices."""

from __future__ import annotations

from pathlib import Path

import yaml
from textual.widgets import Static

from advisor.inference.evaluation import Advisor
from advisor.sources.answers import load_scenario
from advisor.tui.widgets.advice_list import decision_line, verdicts_for
from tests.tui.test_app import SIZE, MakeApp, _save

SCENARIO = """\
title: Big records on Kinesis
answers:
  ingestion_mode: hybrid
  max_record_size_kb: 5000
current:
  streaming_ingestion: kds
  batch_processing: glue
"""


async def test_current_choices_show_badges_a_plan_and_survive_a_save(
    make_app: MakeApp, tmp_path: Path, tui_advisor: Advisor
) -> None:
    source = tmp_path / "big.scenario.yaml"
    source.write_text(SCENARIO, encoding="utf-8")
    target = tmp_path / "saved.scenario.yaml"
    app = make_app(scenario=source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        evaluation = app.main.evaluation
        assert evaluation is not None and evaluation.advice.review is not None
        review = evaluation.advice.review
        assert {(v.decision, v.option): v.risk for v in review.verdicts}[("streaming_ingestion", "kds")] == "high"
        stream = next(d for d in evaluation.advice.decisions if d.id == "streaming_ingestion")
        shown = decision_line(stream, verdicts_for(review, stream.id)).plain
        assert "current: Amazon Kinesis Data Streams  HIGH RISK" in shown
        plan = app.main.query_one("#review-plan", Static)
        assert plan.display and "Improvement plan" in str(plan.render())

        listing = app.main.advice_pane.decisions
        listing.focus()
        listing.highlighted = next(
            i for i in range(listing.option_count) if listing.get_option_at_index(i).id == "streaming_ingestion"
        )
        await pilot.press("c")  # kds -> msk
        await pilot.pause()
        assert app.main.session.current["streaming_ingestion"] == ["msk"]
        assert app.main.session.dirty
        await _save(pilot, app, target, "Big records")
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["current"] == {"streaming_ingestion": "msk", "batch_processing": "glue"}
    assert load_scenario(tui_advisor.rulebase, target).current == {
        "streaming_ingestion": ["msk"],
        "batch_processing": ["glue"],
    }


async def test_without_current_choices_there_is_no_plan_panel(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.main.query_one("#review-plan", Static).display
