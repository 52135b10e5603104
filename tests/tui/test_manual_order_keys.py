"""The manual order dialog and the row actions, key by key: confirm, cancel, refused input,
the risk gate's refusal shown, and what reaches the engine."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static
from tui_session import OPERATOR_BUY, apply_sent, play

from hft_tui.trading.commands import CancelOrder, Flatten, Kill, PlaceOrder, PreviewOrder, SetExits
from hft_tui.tui.app import HftApp
from hft_tui.tui.screens.confirm import ConfirmScreen
from hft_tui.tui.screens.manual_order import ManualOrderScreen
from hft_tui.tui.screens.order_confirm import OrderConfirmScreen
from hft_tui.tui.screens.position_exits import PositionExitsScreen

SIZE = (120, 35)
BTC = "BTC/USDT"


def _sent(app: HftApp) -> list[object]:
    return list(app.link.commands_sent)


def _problem(app: HftApp) -> str:
    return str(app.screen.query_one("#problem", Static).render())


async def _type(pilot, widget_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one(f"#{widget_id}", Input)
    field.value = ""
    field.focus()
    await pilot.press(*text)


async def _review(pilot) -> None:  # type: ignore[no-untyped-def]
    """Enter on the form, then let the engine answer the question it asked."""
    await pilot.press("enter")
    await pilot.pause()
    apply_sent(pilot.app)
    await pilot.pause()


async def test_o_then_size_then_enter_shows_the_confirmation_and_y_sends_the_order(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        await pilot.press("o")
        assert isinstance(frozen_app.screen, ManualOrderScreen)
        await pilot.press(*"0.01")
        await pilot.press("enter")
        await pilot.pause()
        assert _sent(frozen_app) == [PreviewOrder(PlaceOrder(BTC, "buy", 0.01))]
        apply_sent(frozen_app)
        await pilot.pause()
        confirm = frozen_app.screen
        assert isinstance(confirm, OrderConfirmScreen)
        shown = confirm.shown
        assert shown.startswith("Buy 0.01 BTC/USDT at market\ncrosses ~")
        assert "risk gate: passes · trading ACTIVE" in shown and "risk to the stop" in shown
        await pilot.press("o")  # the opener again is not an answer
        assert frozen_app.screen is confirm and not _sent(frozen_app)
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(frozen_app.screen, (ManualOrderScreen, ConfirmScreen))
        assert _sent(frozen_app) == [PlaceOrder(BTC, "buy", 0.01)]
        (result,) = apply_sent(frozen_app)
        assert result.ok, result.message
        play(frozen_app, steps=2)
        assert [(p.symbol, p.strategy) for p in frozen_app.link.snapshot.positions
                if p.symbol == BTC] == [(BTC, "manual")]


async def test_n_on_the_confirmation_goes_back_to_the_form_and_esc_sends_nothing(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        await pilot.press("o", *"0.01")
        await _review(pilot)
        assert isinstance(frozen_app.screen, OrderConfirmScreen)
        await pilot.press("n")
        assert isinstance(frozen_app.screen, ManualOrderScreen)
        await pilot.press("escape")
        assert not isinstance(frozen_app.screen, ManualOrderScreen)
        assert not [c for c in _sent(frozen_app) if isinstance(c, PlaceOrder)]


@pytest.mark.parametrize(("size", "line"), [
    ("0", "✗ size is 0: give a quantity or a notional above 0"),
    ("abc", "✗ size: 'abc' is not a number"),
    ("0.0105", "✗ quantity 0.0105 is off BTC/USDT's 0.001 lot grid (nearest 0.01 or 0.011)"),
])
async def test_refused_input_is_one_line_on_the_form_and_nothing_is_sent(
        frozen_app: HftApp, size: str, line: str) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        await pilot.press("o", *size)
        await _review(pilot)
        assert isinstance(frozen_app.screen, ManualOrderScreen)
        assert _problem(frozen_app) == line
        assert not [c for c in _sent(frozen_app) if isinstance(c, PlaceOrder)]


async def test_a_fat_finger_limit_is_refused_on_the_form(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        await pilot.press("o", *"0.01")
        frozen_app.screen.query_one("#type", Select).value = "limit"
        await pilot.pause()
        await _type(pilot, "price", "90000")
        await _review(pilot)
        assert "would cross the book that far: the band is 2.00% (a fat finger?)" in _problem(frozen_app)
        assert isinstance(frozen_app.screen, ManualOrderScreen)


async def test_a_notional_is_sent_as_the_whole_lots_the_confirmation_showed(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        await pilot.press("o", *"1000")
        frozen_app.screen.query_one("#unit", Select).value = "notional"
        await pilot.pause()
        await _review(pilot)
        confirm = frozen_app.screen
        assert isinstance(confirm, OrderConfirmScreen)
        qty = confirm.preview.qty
        await pilot.press("y")
        await pilot.pause()
        assert _sent(frozen_app)[-1] == PlaceOrder(BTC, "buy", qty)


async def test_the_gates_refusal_is_shown_with_its_code_and_y_sends_nothing(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        assert frozen_app.link.engine.apply(Kill("test")).ok
        play(frozen_app, steps=1)
        await pilot.press("o", *"0.01")
        await _review(pilot)
        confirm = frozen_app.screen
        assert isinstance(confirm, OrderConfirmScreen)
        assert "risk gate: would REFUSE it: RISK_REDUCE_ONLY" in confirm.shown
        assert "trading HALTED" in confirm.shown
        await pilot.press("y")
        await pilot.pause()
        assert frozen_app.screen is confirm
        assert not [c for c in _sent(frozen_app) if isinstance(c, PlaceOrder)]


async def test_x_closes_the_position_under_the_cursor_after_y(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app)
        await pilot.press("4", "x")
        confirm = frozen_app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert f"close long {OPERATOR_BUY.qty:g} ETH/USDT @ mark" in confirm.shown and "uPnL" in confirm.shown
        await pilot.press("y")
        await pilot.pause()
        assert _sent(frozen_app) == [Flatten("ETH/USDT")]


async def test_e_moves_the_exits_and_refuses_a_stop_on_the_wrong_side(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app)
        await pilot.press("4", "e")
        assert isinstance(frozen_app.screen, PositionExitsScreen)
        mark = frozen_app.screen.position.mark_price
        await _type(pilot, "sl", f"{mark * 1.01:.2f}")
        await pilot.press("enter")
        assert "a long's stop is lower" in _problem(frozen_app)
        assert not _sent(frozen_app)
        await _type(pilot, "sl", f"{mark * 0.99:.2f}")
        await _type(pilot, "tp", "")
        await pilot.press("enter")
        await pilot.pause()
        assert _sent(frozen_app) == [SetExits("ETH/USDT", take_profit=None, stop_loss=float(f"{mark * 0.99:.2f}"))]
        (result,) = apply_sent(frozen_app)
        assert result.ok, result.message


async def test_c_cancels_the_order_under_the_cursor_after_y(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=SIZE) as pilot:
        play(frozen_app, steps=5)
        book = frozen_app.link.engine.core.books[BTC]
        assert book is not None and book.mid is not None
        assert frozen_app.link.engine.apply(PlaceOrder(BTC, "buy", 0.01, price=round(book.mid * 0.995, 1))).ok
        play(frozen_app, steps=1)
        (order,) = frozen_app.link.snapshot.orders
        await pilot.press("c")
        assert isinstance(frozen_app.screen, ConfirmScreen)
        assert order.client_id in frozen_app.screen.shown
        await pilot.press("n")
        assert not _sent(frozen_app)
        await pilot.press("c", "y")
        await pilot.pause()
        assert _sent(frozen_app) == [CancelOrder(order.client_id)]
        apply_sent(frozen_app)
        assert not frozen_app.link.snapshot.orders
