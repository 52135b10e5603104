"""The exchange's limits: clock skew (-1021), 429 with Retry-After, 418 bans; client ids."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from live_harness import live_engine, wait_until
from loopback_exchange import LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.execution.ccxt_broker import CcxtBroker
from hft_tui.execution.client_ids import install_nonce
from hft_tui.execution.exchange_calls import Banned
from hft_tui.model import Order, OrderStatus, OrderType, ReasonCode, Side
from hft_tui.risk.trading_state import TradingState
from hft_tui.trading.commands import PlaceOrder


@pytest.fixture
async def broker(loopback_settings: ExchangeSettings,
                 loopback_credentials: ExchangeCredentials) -> AsyncIterator[CcxtBroker]:
    broker = CcxtBroker.from_settings(loopback_settings, clock=WallClock(), credentials=loopback_credentials, seed=2)
    await broker.start()
    yield broker
    await broker.close()


def limit_buy(client_id: str) -> Order:
    return Order(client_id, "BTC/USDT", Side.BUY, OrderType.LIMIT, 0.002, 49_000.0, created_ts_ns=0)


async def test_a_clock_ahead_of_the_exchange_is_resynced_once_and_the_order_goes_through(
        loopback: LoopbackExchange, broker: CcxtBroker) -> None:
    notices: list[str] = []
    broker.on_notice = notices.append
    loopback.clock_skew_ms = -7_000  # the exchange's clock is 7 s behind ours
    await broker.submit(limit_buy("skew1"))

    assert loopback.refusals["-1021"] == 1
    (server_order,) = loopback.orders.values()
    assert server_order.client_id == "skew1"
    assert broker.calls.time_offset_ms == pytest.approx(7_000, abs=500)
    assert any("clock resynced with the exchange: offset" in n for n in notices)


async def test_a_429_starts_the_exchanges_retry_after_cooldown_that_only_the_kill_lane_skips(
        loopback: LoopbackExchange, broker: CcxtBroker) -> None:
    loopback.rate_limit_storm(1.0, retry_after_s=30)
    orders: list[Order] = []
    broker.on_order = orders.append
    submitting = asyncio.ensure_future(broker.submit(limit_buy("busy1")))
    # The broker has read the 429 and its Retry-After (the server counting it is not enough).
    await wait_until(lambda: broker.calls.rate_limited > 0, "the broker saw the 429")
    loopback.rate_limit_storm(0.0)
    cooldown = broker.calls.cooldown_s()
    open_orders = await broker.fetch_open_orders("BTC/USDT", priority=True)  # the kill lane goes now
    broker.abandon_retries()  # what the kill does first
    await submitting

    assert cooldown > 25, "ordinary calls wait out the exchange's Retry-After"
    assert open_orders == []
    assert loopback.request_log.count(("POST", "/api/v3/order")) == 1, "the entry never tried again"
    assert (orders[-1].status, orders[-1].reason) == (OrderStatus.REJECTED, ReasonCode.CANCELLED_BY_OPERATOR)


async def test_a_418_ban_refuses_ordinary_calls_until_it_ends_and_says_until_when(
        loopback: LoopbackExchange, broker: CcxtBroker) -> None:
    notices: list[str] = []
    broker.on_notice = notices.append
    loopback.ban_ip(120)
    await broker.submit(limit_buy("ban1"))
    requests = len(loopback.create_requests) + loopback.refusals["418"]
    with pytest.raises(Banned):
        await broker.fetch_open_orders("BTC/USDT")

    assert loopback.refusals["418"] == 1 and requests == 1, "nothing more is sent during the ban"
    assert any("banned this IP (418) until" in n for n in notices)
    assert broker.calls.banned_until_ms > time.time() * 1000 + 100_000


async def test_a_ban_holds_the_engine_reducing(loopback: LoopbackExchange, loopback_settings: ExchangeSettings,
                                               tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    try:
        loopback.ban_ip(60)
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0))
        assert engine.live is not None
        await wait_until(lambda: engine.core.state.state is TradingState.REDUCING, "the ban held the engine REDUCING")
    finally:
        await engine.stop("test over")
    assert (engine.core.state.state, engine.core.state.reason) == (TradingState.REDUCING, ReasonCode.EXCHANGE_BANNED)
    assert "banned this IP (418) until" in engine.snapshot.notice


def test_client_ids_differ_between_state_dirs_and_stay_with_one(tmp_path: Path) -> None:
    first, second = install_nonce(tmp_path / "a"), install_nonce(tmp_path / "b")
    assert first != second
    assert install_nonce(tmp_path / "a") == first
    assert (tmp_path / "a" / "client-id-nonce").stat().st_mode & 0o777 == 0o600
    assert first.isalnum() and first.islower() and len(first) == 8
