"""Keys typed in one burst right behind the key that opens a form (a paste, a script, a fast
typist over SSH) reach the form's field, in order: Textual routes them before the form exists."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from tui_session import apply_sent, play

from hft_tui.trading.commands import Kill, PlaceOrder, PreviewOrder, ResetHalt
from hft_tui.tui.app import HftApp
from hft_tui.tui.screens.manual_order import ManualOrderScreen

SIZE = (120, 35)
NAMED = {"enter": "\r", "escape": "\x1b", "ctrl+r": None}
GUARD_PAUSES = 200  # against a hang, not a measurement


def burst(app: HftApp, *keys: str) -> None:
    """Queue every key at once, as a terminal delivers a paste: nothing runs in between."""
    for key in keys:
        if key in NAMED:
            app.post_message(events.Key(key, NAMED[key]))
        else:
            app.post_message(events.Key(_character_to_key(key), key))


async def until(pilot: Pilot[None], check: Callable[[], bool], what: str) -> None:
    for _ in range(GUARD_PAUSES):
        if check():
            return
        await pilot.pause()
    raise AssertionError(what)


async def test_an_order_typed_in_one_burst_after_o_reaches_the_size_field_and_enter_reviews_it(
        frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        burst(frozen_app, "o", *"0.01", "enter")
        preview = [PreviewOrder(PlaceOrder("BTC/USDT", "buy", 0.01))]
        await until(pilot, lambda: frozen_app.link.commands_sent == preview, "the burst never became the order")


async def test_reset_typed_in_one_burst_after_ctrl_r_resets(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=2)
        frozen_app.link.engine.apply(Kill("operator"))
        play(frozen_app, steps=1)
        burst(frozen_app, "ctrl+r", *"RESET", "enter")
        await until(pilot, lambda: frozen_app.link.commands_sent == [ResetHalt("RESET")], "RESET was lost")
        apply_sent(frozen_app)
        assert frozen_app.link.snapshot.trading_state != "HALTED"


async def test_escape_typed_in_the_burst_still_closes_the_form_and_nothing_is_sent(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        burst(frozen_app, "o", *"0.01", "escape")
        await until(pilot, lambda: not isinstance(frozen_app.screen, ManualOrderScreen)
                    and len(frozen_app.screen_stack) == 1, "escape did not close the form")
        for _ in range(5):
            await pilot.pause()
        assert frozen_app.link.commands_sent == [] and len(frozen_app.screen_stack) == 1
