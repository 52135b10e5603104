"""A trade's life on its own: opened by the fill that leaves the flat, with the reasons of the
signal its order was sent for; every fill adds to a leg; the fill back to flat scores it with
the first reason it was closed for."""

from __future__ import annotations

import pytest

from hft_tui.model import Fill, Liquidity, Position, Priority, ReasonCode, Side, Signal
from hft_tui.signals.decision import Decision
from hft_tui.trading.trade_lifecycle import PendingEntry, TradeLifecycle

BTC = "BTC/USDT"
T0 = 1_767_225_600_000_000_000


def _fill(client_id: str, side: Side, qty: float, price: float, ts_ns: int) -> Fill:
    return Fill(client_id, BTC, side, qty, price, 0.5, Liquidity.TAKER, ts_ns, strategy="trend")


def test_a_trade_is_opened_scored_and_closed_for_the_first_reason_given() -> None:
    trades = TradeLifecycle(keep_closed=True)
    signal = Signal(BTC, Side.BUY, 0.8, Priority.MEDIUM, (ReasonCode.TREND_STRONG_UP,), "trend", T0, T0 + 10**9)
    trades.entry_sent("o1", PendingEntry(signal, Decision(signal, True, (ReasonCode.TREND_STRONG_UP,), 1.0, T0)))
    position = Position(BTC)
    for fill in (_fill("o1", Side.BUY, 0.002, 100.0, T0), _fill("o1", Side.BUY, 0.002, 110.0, T0 + 1)):
        before, position = position, position.apply(fill)
        if before.is_flat:
            assert trades.opened(fill, position) is signal
        trades.filled(fill, position)
    assert trades.owner(BTC) == "trend"
    trades.closing(BTC, ReasonCode.TAKE_PROFIT)
    trades.closing(BTC, ReasonCode.KILL)  # a later reason does not replace the first
    exit_fill = _fill("o2", Side.SELL, 0.004, 120.0, T0 + 2)
    position = position.apply(exit_fill)
    trades.filled(exit_fill, position)
    trade, closed = trades.closed_by(exit_fill, position)  # type: ignore[misc]
    assert (closed.strategy, closed.side, closed.qty) == ("trend", Side.BUY, 0.004)
    assert closed.entry_price == pytest.approx(105.0) and closed.exit_price == 120.0
    assert closed.entry_reasons == (ReasonCode.TREND_STRONG_UP,) and closed.exit_reason is ReasonCode.TAKE_PROFIT
    assert closed.fees_usd == pytest.approx(1.5) and trade.fees_usd == closed.fees_usd
    assert closed.pnl_usd == pytest.approx(0.004 * 120 - 0.002 * 100 - 0.002 * 110 - 1.5)
    assert trades.closed == [closed] and trades.open == {} and trades.owner(BTC) == "operator"


def test_a_fill_back_to_flat_with_no_trade_open_scores_nothing_and_keeps_the_reason() -> None:
    trades = TradeLifecycle(keep_closed=True)
    trades.closing(BTC, ReasonCode.FLATTEN)
    fill = _fill("o1", Side.SELL, 0.001, 100.0, T0)
    assert trades.closed_by(fill, Position(BTC)) is None
    assert trades.closed == []
