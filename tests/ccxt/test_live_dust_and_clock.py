"""What LIVE leaves that nobody can trade is shown as dust, and the clock offset to the
exchange is in the snapshot the health pane reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_harness import live_engine, settle
from loopback_exchange import LoopbackExchange

from hft_tui.config.settings import ExchangeSettings
from hft_tui.serve.ctl import _query
from hft_tui.trading.commands import Flatten, PlaceOrder


async def test_a_flatten_that_leaves_a_base_commission_below_one_lot_shows_it_as_dust(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    assert engine.live is not None
    try:
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.00375))  # 3.75e-06 BTC commission
        await settle(engine)
        await engine.execute(Flatten("BTC/USDT"))
        result = await engine.live.wait_flat()
        snapshot = engine.publish_snapshot()
    finally:
        await engine.stop("test over")
    (view,) = snapshot.positions
    rows, as_text = _query("positions", snapshot, {}, tmp_path)
    status, _ = _query("status", snapshot, {}, tmp_path)

    assert result is not None and result.flat, result
    assert view.dust and view.side == "long"
    assert view.qty == pytest.approx(0.00375 - 0.00375 * 0.001 - 0.00374)
    assert engine.core.lots_held("BTC/USDT") == 0
    assert as_text(rows) == f"BTC/USDT     dust  {view.qty:.3g} BTC", "ctl positions shows dust as the pane does"
    assert status["positions"] == 0, "ctl status counts no dust, as the pane's title"


async def test_the_snapshot_carries_the_clock_offset_the_broker_resynced_to(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    assert engine.live is not None
    try:
        assert engine.publish_snapshot().clock_offset_ms == 0
        loopback.clock_skew_ms = -7_000  # the exchange's clock is 7 s behind ours
        await engine.live.broker.calls.resync_clock()
        offset = engine.publish_snapshot().clock_offset_ms
    finally:
        await engine.stop("test over")

    assert offset == pytest.approx(7_000, abs=500)
