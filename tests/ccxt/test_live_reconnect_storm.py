"""LIVE on the loopback through a reconnect storm: every websocket (books, trades and the
user-data stream) is dropped again and again. The engine never HALTs and spends no error
budget on it, refuses entries while the feed resyncs, and trades again once it is back."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from live_harness import live_engine, settle, wait_until, wal_records
from loopback_exchange import LoopbackExchange
from test_live_engine import assert_books_agree

from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import FeedState, ReasonCode
from hft_tui.risk.trading_state import TradingState
from hft_tui.trading.commands import PlaceOrder

DROPS = 60
BTC = "BTC/USDT"


async def keep_the_book_moving(loopback: LoopbackExchange) -> None:
    """Book updates every 20 ms, as a live market sends them (a feed heals on fresh books)."""
    rng = random.Random(3)
    while True:
        await asyncio.sleep(0.02)
        bids, _ = loopback.book_levels("BTCUSDT")
        await loopback.push_depth("BTCUSDT", bids=[(bids[0][0], round(rng.uniform(1.0, 2.0), 5))])


@pytest.mark.slow
async def test_a_storm_of_websocket_drops_never_halts_freezes_entries_and_trading_resumes(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    loopback.free["USDT"] = 100_000.0
    engine = await live_engine(loopback_settings, tmp_path)
    feed = lambda: engine.core.feed_health.state(BTC)  # noqa: E731
    ticker = asyncio.ensure_future(keep_the_book_moving(loopback))
    refused, accepted = [], []
    try:
        for drop in range(DROPS):
            await loopback.drop_sockets()
            await loopback.drop_user_streams()
            await wait_until(lambda: feed() is not FeedState.LIVE, f"drop {drop}: the engine saw the feed go")
            refused.append(await engine.execute(PlaceOrder(BTC, "buy", 0.001)))
            await wait_until(lambda: feed() is FeedState.LIVE, f"drop {drop}: the feed is live again")
            if drop % 10 == 0:
                accepted.append(await engine.execute(PlaceOrder(BTC, "buy", 0.001)))
        await settle(engine)
    finally:
        ticker.cancel()
        await engine.stop("test over")

    assert all(not r.ok and ReasonCode.FEED_RESYNC.value in r.message for r in refused), refused
    assert all(r.ok for r in accepted) and len(accepted) == DROPS // 10
    assert engine.core.state.state is TradingState.ACTIVE
    assert "HALTED" not in {r["to"] for r in wal_records(tmp_path, "state")}
    assert engine.core.drb.state.budget("errors").used == 0.0
    assert len(loopback.my_trades) == DROPS // 10, "every entry placed between drops filled"
    assert_books_agree(engine, loopback, tmp_path)
