"""SVG snapshots of the key screens at fixed sizes (cursor blink off, fixed theme, no draft).

Accept changes only after looking at them: pytest tests/tui --snapshot-update, then open the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from advisor.tui.app import AdvisorApp

MakeApp = Callable[..., AdvisorApp]
WIDE = (120, 36)
SMALL = (80, 24)

ANSWERS = {"ingestion_mode": "hybrid", "prefers_serverless": True, "max_record_size_kb": 4096,
           "write_throughput_mb_s": 300, "cost_sensitivity": "unknown"}


async def _answered(pilot: Pilot[int]) -> None:
    await pilot.pause()  # run_before starts before the first compose has finished
    app: AdvisorApp = pilot.app  # type: ignore[assignment]
    app.session.replace(title="Clickstream", description="", raw=ANSWERS, source=None, dirty=True)
    await app.main.reload()
    await pilot.pause()


async def _streaming_selected(pilot: Pilot[int]) -> None:
    await _answered(pilot)
    app: AdvisorApp = pilot.app  # type: ignore[assignment]
    await app.main.jump_to("max_record_size_kb")
    await pilot.pause()


def test_start_screen(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=WIDE)


def test_start_screen_small(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=SMALL)


def test_answered_advice(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_streaming_selected)


def test_invalid_number(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    async def typed(pilot: Pilot[int]) -> None:
        await _streaming_selected(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"12kb")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=typed)


def test_reasoning(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    async def why(pilot: Pilot[int]) -> None:
        await _answered(pilot)
        app: AdvisorApp = pilot.app  # type: ignore[assignment]
        app.main.show_reasoning("streaming_ingestion")
        await pilot.pause()
        await pilot.press("down", "down", "down", "down", "down")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=why)


def test_reasoning_small(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    async def why(pilot: Pilot[int]) -> None:
        await _answered(pilot)
        app: AdvisorApp = pilot.app  # type: ignore[assignment]
        app.main.show_reasoning("batch_processing")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SMALL, run_before=why)


def test_save_dialog(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    async def save(pilot: Pilot[int]) -> None:
        await _answered(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=save)


def test_help(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=WIDE, press=["f1"])


def test_light_theme(snap_compare, make_app: MakeApp) -> None:  # type: ignore[no-untyped-def]
    async def light(pilot: Pilot[int]) -> None:
        await _answered(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SMALL, run_before=light)
