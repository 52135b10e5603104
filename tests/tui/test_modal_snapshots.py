"""The screens an operator acts through, at 80x24, 120x35 and 200x60: kill confirmation,
HALTED, tuning with a refused value, help."""

from __future__ import annotations

import pytest
from tui_session import mid_session, play

from hft_tui.trading.commands import Kill
from hft_tui.tui.app import HftApp

SIZES = [(80, 24), (120, 35), (200, 60)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@size_ids
def test_kill_confirmation_lists_what_will_be_cancelled_and_closed(
        snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def open_kill(pilot) -> None:  # type: ignore[no-untyped-def]
        await mid_session(pilot)
        await pilot.press("ctrl+k")
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_kill)


@size_ids
def test_halted_after_the_kill_switch(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def kill_then_watch(pilot) -> None:  # type: ignore[no-untyped-def]
        app: HftApp = pilot.app
        play(app)
        result = app.link.engine.apply(Kill("operator"))
        assert result.ok, result.message
        play(app, steps=5)
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=kill_then_watch)


@size_ids
def test_tuning_form_refuses_an_out_of_bounds_value_inline(
        snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def tune_badly(pilot) -> None:  # type: ignore[no-untyped-def]
        app: HftApp = pilot.app
        play(app, steps=5)
        await pilot.press("5", "down", "down", "down", "t")  # strategies pane -> spike_fader
        await pilot.pause()
        await pilot.press("tab")  # threshold_pct
        for _ in range(8):
            await pilot.press("backspace")
        await pilot.press("9", "9")
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=tune_badly)


@size_ids
def test_help_lists_every_key(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        play(pilot.app, steps=2)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_help)




@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_quit_with_positions_open_offers_flatten_and_quit(
        snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def ask_to_quit(pilot) -> None:  # type: ignore[no-untyped-def]
        await mid_session(pilot)
        await pilot.press("q")
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=ask_to_quit)
