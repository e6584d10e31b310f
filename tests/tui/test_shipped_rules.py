"""Smoke test: the app starts, evaluates and opens the reasoning view with the shipped rules/."""

from __future__ import annotations

from advisor.inference.evaluation import Advisor
from advisor.tui.app import AdvisorApp


async def test_app_starts_with_the_shipped_rules(advisor: Advisor) -> None:
    app = AdvisorApp(advisor, cursor_blink=False, offer_draft=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        evaluation = app.main.evaluation
        assert evaluation is not None and evaluation.relevant
        assert app.main.questionnaire.area is not None
        await pilot.press("ctrl+n")
        await pilot.pause()
        decisions = evaluation.advice.decisions
        if decisions:
            app.main.show_reasoning(decisions[0].id)
            await pilot.pause()
            await pilot.press("escape")
