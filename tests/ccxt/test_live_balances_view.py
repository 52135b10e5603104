"""LIVE: the snapshot carries the account as the exchange last reported it, for the balances
view: free, locked and total per asset, what is held outside the engine, and when it was read."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_harness import answered, live_engine
from loopback_exchange import LoopbackExchange

from hft_tui.config.settings import ExchangeSettings
from hft_tui.trading.commands import PlaceOrder


async def test_the_snapshot_shows_each_assets_free_locked_and_total_as_last_read(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    assert engine.live is not None
    try:
        placed = await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.01, price=49_000.0))  # rests: locks USDT
        assert placed.ok, placed.message
        await answered(engine)  # acknowledged and resting, not done
        await engine.live.account.sync(engine.core, engine.core.broker)
        read_at = engine.clock.now_ns()
        balances = engine.publish_snapshot().balances
    finally:
        await engine.stop("test over")
    assert balances is not None and 0 < balances.read_ts_ns <= read_at
    by_asset = {row.asset: row for row in balances.assets}
    usdt, btc = by_asset["USDT"], by_asset["BTC"]
    assert usdt.locked == pytest.approx(490.0, rel=1e-3)  # the resting buy's 0.01 x 49,000
    assert usdt.free + usdt.locked == pytest.approx(usdt.total) and usdt.total == pytest.approx(10_000.0)
    assert (btc.free, btc.total, btc.external) == (pytest.approx(1.0), pytest.approx(1.0), pytest.approx(1.0))
    assert usdt.external == 0.0  # the quote currency is the engine's to trade
