"""TUI benchmarks (not tests): start -> first paint, and answer -> refreshed advice, as medians.

    .venv/bin/python bench/tui_bench.py [--rules DIR] [--runs N]

Start -> first paint: from creating the app (rules already loaded, as `advisor ask` does) until the
first screen has been painted with the questions of the first area mounted.
Answer -> refreshed advice: from a key press that changes an answer until the advice pane has been
re-evaluated and redrawn (MainScreen.refreshed_at), measured with Pilot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from advisor.inference.evaluation import Advisor
from advisor.sources.locations import bundled_rules_dir
from advisor.tui.app import AdvisorApp
from advisor.tui.widgets.question_card import QuestionCard

SIZE = (120, 40)


async def first_paint(advisor: Advisor) -> float:
    start = time.perf_counter()
    app = AdvisorApp(advisor, cursor_blink=False, offer_draft=False)
    async with app.run_test(size=SIZE) as pilot:
        while not list(app.main.questionnaire.cards()):  # wait for the first area's cards
            await pilot.pause(0.005)
        await pilot.wait_for_scheduled_animations()
        return time.perf_counter() - start


async def answer_latencies(advisor: Advisor, count: int) -> tuple[list[float], list[float]]:
    """Toggle the first boolean (or single) question back and forth; time each refresh."""
    app = AdvisorApp(advisor, cursor_blink=False, offer_draft=False)
    times: list[float] = []
    inside: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        main = app.main
        relevant = main.questionnaire.ordered_relevant()
        rb = advisor.rulebase
        qid = next((q for q in relevant if rb.questions[q].type == "boolean"),
                   next(q for q in relevant if rb.questions[q].type == "single"))
        await main.jump_to(qid)
        await pilot.pause()
        card = main.questionnaire.card(qid)
        assert isinstance(card, QuestionCard)
        keys = ("right", "space") if rb.questions[qid].type == "boolean" else ("down", "enter")
        for _ in range(count):
            before = main.refresh_count
            start = time.perf_counter()
            await pilot.press(*keys)
            while main.refresh_count == before:
                await pilot.pause(0.001)
            times.append(main.refreshed_at - start)
            inside.append(main.refreshed_at - main.answered_at)
    return times, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ["ADVISOR_STATE_DIR"] = tempfile.mkdtemp(prefix="advisor-bench-")
    rules = args.rules or bundled_rules_dir()
    advisor = Advisor.from_folder(rules)
    print(f"rules: {rules} ({len(advisor.rulebase.questions)} questions, {len(advisor.rulebase.decisions)} decisions)")
    paints = [asyncio.run(first_paint(advisor)) for _ in range(args.runs)]
    print(f"start -> first paint: median {statistics.median(paints) * 1000:.0f} ms "
          f"(min {min(paints) * 1000:.0f}, max {max(paints) * 1000:.0f}, n={len(paints)})")
    answers, inside = asyncio.run(answer_latencies(advisor, args.runs * 3))
    print(f"key press -> refreshed advice (Pilot): median {statistics.median(answers) * 1000:.1f} ms "
          f"(min {min(answers) * 1000:.1f}, max {max(answers) * 1000:.1f}, n={len(answers)})")
    print(f"answer recorded -> advice refreshed (in app): median {statistics.median(inside) * 1000:.1f} ms")
    advisor.close()


if __name__ == "__main__":
    main()
