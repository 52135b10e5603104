"""LIVE after a crash: reconciliation books what happened while the engine was down and
invents nothing; the engine holds REDUCING until it has finished."""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest
from live_harness import answered, crash_copy, live_engine, settle, wait_until, wal_records
from loopback_exchange import LoopbackExchange
from test_live_engine import assert_books_agree, trade_randomly

from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import OrderStatus
from hft_tui.risk.trading_state import TradingState
from hft_tui.trading.commands import PlaceOrder

# Every run of the whole suite does a few; HFT_TUI_LIVE_CRASHES=20 for the figure.
CRASHES = int(os.environ.get("HFT_TUI_LIVE_CRASHES", "3"))


async def test_an_order_that_filled_while_the_engine_was_down_is_booked_not_cancelled(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    first = await live_engine(loopback_settings, tmp_path / "a")
    await first.execute(PlaceOrder("BTC/USDT", "buy", 0.004, price=49_990.0))
    await answered(first)
    await crash_copy(first, tmp_path / "a", tmp_path / "b")
    (resting,) = loopback.orders.values()
    loopback.fill_order(resting.order_id, 0.001, 49_990.0)
    loopback.fill_order(resting.order_id, 0.003, 49_990.0)

    second = await live_engine(loopback_settings, tmp_path / "b")
    await second.stop("test over")

    updates = [r for r in wal_records(tmp_path / "b", "order_update") if r["client_id"] == resting.client_id]
    assert updates[-1]["status"] == OrderStatus.FILLED.value
    assert not any(r.get("reason") == "RECONCILED_NOT_FOUND" for r in updates)
    assert second.core.portfolio.position("BTC/USDT").qty == pytest.approx(loopback.total("BTC") - 1.0)
    assert "was filled on the exchange while we were away" in "".join(
        r["text"] for r in wal_records(tmp_path / "b", "notice"))
    assert_books_agree(second, loopback, tmp_path / "b")


async def test_an_intent_that_never_reached_the_exchange_is_looked_up_and_recorded_not_found(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    first = await live_engine(loopback_settings, tmp_path / "a")
    # The intent is durable; the process dies before the broker sends it.
    first.apply(PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0))
    await first.wal.flush()
    await crash_copy(first, tmp_path / "a", tmp_path / "b")
    loopback.rate_limit_storm(0.5, retry_after_s=0)  # and reconciliation must get through a 429 storm

    second = await live_engine(loopback_settings, tmp_path / "b")
    loopback.rate_limit_storm(0.0)
    await second.stop("test over")

    (intent,) = wal_records(tmp_path / "b", "order")
    lookups = [p for m, p in loopback.request_log if p == "/api/v3/order" and m == "GET"]
    assert lookups, "looked up by client id before anything else"
    assert not loopback.orders, "nothing was re-sent"
    (update,) = [r for r in wal_records(tmp_path / "b", "order_update") if r["client_id"] == intent["client_id"]]
    assert update["reason"] == "RECONCILED_NOT_FOUND"
    states = [(r["to"], r["reason"]) for r in wal_records(tmp_path / "b", "state")]
    assert ("REDUCING", "LIVE_RECONCILING") in states and states[-1] == ("ACTIVE", "LIVE_RECONCILED")
    assert loopback.refusals["429"] > 0


async def test_an_order_whose_answer_was_lost_is_found_by_client_id_and_followed(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    first = await live_engine(loopback_settings, tmp_path / "a")
    loopback.fail_next_create = ["timeout"]  # accepted by the exchange; the answer never comes
    await first.execute(PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0))
    await wait_until(lambda: bool(loopback.orders), "the exchange has the order")
    await crash_copy(first, tmp_path / "a", tmp_path / "b")

    second = await live_engine(loopback_settings, tmp_path / "b")
    (resting,) = loopback.orders.values()
    followed = second.core.orders.get(resting.client_id)
    loopback.fill_order(resting.order_id, 0.002, 49_990.0)
    await settle(second)
    await second.stop("test over")

    assert followed is not None and followed.exchange_id == str(resting.order_id)
    assert len(loopback.create_requests) == 1, "found, not re-sent"
    assert_books_agree(second, loopback, tmp_path / "b")


@pytest.mark.slow
async def test_kill_9_at_random_moments_leaves_the_engine_holding_what_the_exchange_says(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    await crash_and_restart(loopback, loopback_settings, tmp_path, CRASHES)


async def crash_and_restart(loopback: LoopbackExchange, settings: ExchangeSettings, tmp_path: Path,
                            crashes: int) -> None:
    loopback.free["USDT"] = 100_000.0
    rng = random.Random(crashes)
    state = tmp_path / "s0"
    for n in range(crashes):
        engine = await live_engine(settings, state)
        assert engine.core.portfolio.position("BTC/USDT").qty == pytest.approx(loopback.total("BTC") - 1.0)
        loopback.rate_limit_storm(0.2, retry_after_s=0, seed=n)
        trading = asyncio.ensure_future(trade_randomly(engine, loopback, orders=40, seed=n))
        await asyncio.sleep(rng.uniform(0.0, 0.4))
        trading.cancel()
        await asyncio.gather(trading, return_exceptions=True)
        loopback.rate_limit_storm(0.0)
        await crash_copy(engine, state, tmp_path / f"s{n + 1}")
        state = tmp_path / f"s{n + 1}"
        loopback.step_resting(0.5)  # the market moves while the engine is down
    engine = await live_engine(settings, state)
    while loopback.step_resting(1.0):
        pass
    await settle(engine)
    await engine.stop("test over")
    assert engine.core.state.state is TradingState.ACTIVE
    assert_books_agree(engine, loopback, state)


async def _partly_filled_then_crashed(loopback: LoopbackExchange, settings: ExchangeSettings,
                                      tmp_path: Path) -> Path:
    """An order partly filled (and booked) while the engine ran, partly while it was down."""
    first = await live_engine(settings, tmp_path / "a")
    await first.execute(PlaceOrder("BTC/USDT", "buy", 0.008, price=49_990.0))
    await answered(first)
    loopback.step_resting(0.5)
    await wait_until(lambda: first.core.fill_feed.total == 1, "the first fill is booked")
    await first.wal.flush()
    await crash_copy(first, tmp_path / "a", tmp_path / "b")
    loopback.step_resting(0.5)  # and more while the engine is down
    return tmp_path / "b"


async def test_a_partly_filled_order_adopted_after_a_crash_has_each_trade_booked_once(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    state = await _partly_filled_then_crashed(loopback, loopback_settings, tmp_path)
    (resting,) = loopback.orders.values()

    second = await live_engine(loopback_settings, state)
    assert resting.client_id in second.core.orders, "still open: adopted and followed"
    await second.core.broker.poll_once()  # a REST check sweeps the account's trades
    loopback.step_resting(0.5)
    await second.core.broker.poll_once()
    await second.wal.flush()
    await crash_copy(second, state, tmp_path / "c")  # down again, the order still open
    loopback.step_resting(0.5)

    third = await live_engine(loopback_settings, tmp_path / "c")
    while loopback.step_resting(1.0):
        pass
    await settle(third)
    await third.core.broker.poll_once()
    await third.stop("test over")
    assert resting.status == "FILLED"
    assert_books_agree(third, loopback, tmp_path / "c")


async def test_a_partly_filled_order_still_open_at_a_clean_stop_has_its_earlier_trades_kept(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    # The clean stop's snapshot is what the next start recovers from: it must name the trades
    # booked before the order was adopted, not only those booked since.
    state = await _partly_filled_then_crashed(loopback, loopback_settings, tmp_path)
    (resting,) = loopback.orders.values()

    second = await live_engine(loopback_settings, state)
    assert resting.client_id in second.core.orders, "still open: adopted and followed"
    await second.stop("restart")

    third = await live_engine(loopback_settings, state)
    await third.core.broker.poll_once()
    loopback.step_resting(0.5)
    await third.core.broker.poll_once()
    while loopback.step_resting(1.0):
        pass
    await settle(third)
    await third.stop("test over")
    assert resting.status == "FILLED"
    assert_books_agree(third, loopback, state)
