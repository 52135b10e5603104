"""LIVE manual trading against the strict loopback: the operator's order, its moved exits,
one cancel and a close go through the live session's order and cancel lanes, and the
exchange ends holding what the journal says."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_harness import answered, live_engine, settle, wal_records
from loopback_exchange import LoopbackExchange
from test_live_engine import assert_books_agree

from hft_tui.config.settings import ExchangeSettings
from hft_tui.trading.commands import CancelOrder, Flatten, PlaceOrder, PreviewOrder, SetExits

BTC = "BTC/USDT"


async def test_a_manual_trade_is_placed_moved_cancelled_and_closed_on_the_exchange(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    try:
        book = engine.core.books[BTC]
        assert book is not None and book.mid is not None
        mid = book.mid
        preview = await engine.execute(PreviewOrder(PlaceOrder(BTC, "buy", notional=500.0)))
        assert preview.ok and preview.preview is not None and preview.preview.gate_code == ""
        qty = preview.preview.qty
        placed = await engine.execute(PlaceOrder(BTC, "buy", qty, stop_loss=round(mid * 0.98, 2)))
        assert placed.ok, placed.message
        await settle(engine)
        assert engine.core.open_trades[BTC].strategy == "manual"
        assert engine.core.portfolio.position(BTC).qty == pytest.approx(qty, rel=0.01)  # less the commission in BTC

        moved = await engine.execute(SetExits(BTC, take_profit=round(mid * 1.05, 2), stop_loss=round(mid * 0.97, 2)))
        assert moved.ok, moved.message
        rules = engine.core.exits.rules(BTC)
        assert rules is not None and rules.stop_loss == round(mid * 0.97, 2)

        resting = await engine.execute(PlaceOrder(BTC, "buy", 0.002, price=round(mid * 0.995, 2)))
        assert resting.ok, resting.message
        await answered(engine)
        (order,) = [o for o in engine.core.orders.values() if o.is_open]
        assert any(o.client_id == order.client_id and o.is_open for o in loopback.orders.values())
        cancelled = await engine.execute(CancelOrder(order.client_id))
        assert cancelled.ok, cancelled.message
        await settle(engine)
        assert not any(o.is_open for o in loopback.orders.values()), "the exchange still has it working"

        closed = await engine.execute(Flatten(BTC))
        assert closed.ok, closed.message
        assert engine.live is not None
        result = await engine.live.wait_flat()
    finally:
        await engine.stop("test over")

    assert result is not None and result.flat
    assert loopback.total("BTC") == pytest.approx(1.0, abs=1e-5)
    assert_books_agree(engine, loopback, tmp_path)
    # the entry, the resting limit and the close: each reached the exchange once, as the trade's own
    manual = [r["client_id"] for r in wal_records(tmp_path, "order") if r["strategy"] == "manual"]
    assert len(manual) == 3 and set(manual) <= {o.client_id for o in loopback.orders.values()}
    assert [r["strategy"] for r in wal_records(tmp_path, "trade_closed")] == ["manual"]
