"""LIVE end to end against the strict loopback: the exchange is the truth."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from live_harness import answered, live_engine, settle, wal_records
from loopback_exchange import LoopbackExchange

from hft_tui.config.settings import ExchangeSettings
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import Flatten, Kill, PlaceOrder

LOT = 0.00001


async def trade_randomly(engine: Engine, loopback: LoopbackExchange, orders: int, seed: int) -> None:
    """Limit buys that rest and fill in steps, market buys, market sells of what is held."""
    rng = random.Random(seed)
    for i in range(orders):
        held = engine.core.lots_held("BTC/USDT") * LOT
        roll = rng.random()
        if held >= 0.004 and roll < 0.35:
            command = PlaceOrder("BTC/USDT", "sell", round(held, 5))
        elif roll < 0.7:
            command = PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0)
        else:
            command = PlaceOrder("BTC/USDT", "buy", 0.001)
        await engine.execute(command)
        if i % 3 == 0:
            loopback.step_resting(0.5)
        if i % 10 == 9:
            # At most ten orders in flight, however slow the machine: the risk gate counts
            # pending orders, so on a loaded box more of them would be refused, not sent.
            await answered(engine)
            # A market that keeps quoting: on a loaded box the orders outlast the feed's
            # staleness limit, and entries on a stale book are refused (FEED_STALE), not sent.
            await loopback.push_depth("BTCUSDT", bids=[loopback.book_levels("BTCUSDT")[0][0]])
        await asyncio.sleep(0.002)


def assert_books_agree(engine: Engine, loopback: LoopbackExchange, state_dir: Path) -> None:
    """The engine holds what the exchange's balance moved by; every fill booked exactly once."""
    position = engine.core.portfolio.position("BTC/USDT").qty
    assert position == pytest.approx(loopback.total("BTC") - 1.0, abs=1e-9)
    fill_ids = [r["trade_id"] for r in wal_records(state_dir, "fill")]
    assert len(fill_ids) == len(set(fill_ids)), "a fill was booked twice"
    assert set(fill_ids) == {str(t["id"]) for t in loopback.my_trades}, "a fill was lost"
    client_ids = [o.client_id for o in loopback.orders.values()]
    assert len(client_ids) == len(set(client_ids)), "an order reached the exchange twice"


async def test_orders_with_partial_fills_through_a_429_storm_leave_the_engine_holding_what_the_exchange_says(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    loopback.free["USDT"] = 100_000.0
    engine = await live_engine(loopback_settings, tmp_path)
    try:
        loopback.rate_limit_storm(0.2, retry_after_s=0)
        await trade_randomly(engine, loopback, orders=200, seed=5)
        await answered(engine)  # the last orders may still be retrying through the storm
        loopback.rate_limit_storm(0.0)
        while loopback.step_resting(1.0):
            pass
        await settle(engine)
    finally:
        await engine.stop("test over")

    # Fills come by the user-data stream, so the storm meets the creates and the REST checks
    # (about 200 requests): a fifth of them refused is some 40, never as few as 20.
    assert loopback.refusals["429"] >= 20
    assert len(loopback.orders) >= 150
    assert sum(o.executed_qty > 0 and o.type == "LIMIT" and o.status == "FILLED" for o in loopback.orders.values()) > 20
    assert_books_agree(engine, loopback, tmp_path)


async def test_a_kill_in_a_429_storm_ends_flat_as_the_exchange_confirms(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    loopback.free["USDT"] = 100_000.0
    engine = await live_engine(loopback_settings, tmp_path)
    try:
        await trade_randomly(engine, loopback, orders=30, seed=8)
        foreign = loopback.place_foreign_order("BTCUSDT", "BUY", 0.01, 45_000.0)
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.003))
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0))
        loopback.rate_limit_storm(0.6, retry_after_s=1)
        await engine.execute(Kill("test"))
        assert engine.live is not None
        result = await engine.live.wait_flat()
    finally:
        loopback.rate_limit_storm(0.0)
        await engine.stop("test over")

    assert result is not None and result.flat, result
    assert "FLAT confirmed in" in engine.snapshot.notice
    assert "held outside the engine, never flattened: BTC 1" in engine.snapshot.notice
    assert not [o for o in loopback.orders.values() if o.is_open]
    assert foreign.status == "CANCELED", "the kill cancels orders the engine did not place"
    assert loopback.total("BTC") == pytest.approx(1.0, abs=LOT), "the holdings from before are left alone"
    assert engine.core.state.state is TradingState.HALTED
    assert wal_records(tmp_path, "flat_confirmed")
    assert_books_agree(engine, loopback, tmp_path)


async def test_a_kill_after_an_order_it_did_not_place_traded_says_what_no_fill_explains(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path, **{"exchange.kill_deadline_s": 1.0})
    try:
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.003))
        foreign = loopback.place_foreign_order("BTCUSDT", "BUY", 0.01, 49_000.0)
        loopback.fill_order(foreign.order_id, 0.004, 49_000.0)  # someone else's order trades on the account
        await engine.execute(Kill("test"))
        assert engine.live is not None
        result = await engine.live.wait_flat()
    finally:
        await engine.stop("test over")

    assert result is not None and not result.flat
    assert foreign.status == "CANCELED"
    assert not engine.core.lots_held("BTC/USDT"), "the engine's own position is closed"
    assert "NOT FLAT" in engine.snapshot.notice
    # 0.004 bought less its 0.1 % commission in BTC: the foreign order's fill, to the lot.
    assert "1 of it outside the engine, 0.004 that no fill of the engine explains" in engine.snapshot.notice
    assert wal_records(tmp_path, "flat_not_confirmed")


async def test_flatten_one_symbol_confirms_flat_on_the_exchange(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    try:
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.05))
        await settle(engine)
        assert engine.core.lots_held("BTC/USDT")
        await engine.execute(Flatten("BTC/USDT"))
        assert engine.live is not None
        result = await engine.live.wait_flat()
    finally:
        await engine.stop("test over")

    assert result is not None and result.flat
    assert engine.core.state.state is TradingState.ACTIVE
    assert loopback.total("BTC") == pytest.approx(1.0, abs=LOT)
    assert_books_agree(engine, loopback, tmp_path)
