"""The live broker against the loopback Binance: client ids, idempotent retries, error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from broker_recorder import Recorder
from loopback_exchange import INSUFFICIENT_BALANCE_MSG, LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.execution.ccxt_broker import CcxtBroker, exchange_client_id
from hft_tui.model import Liquidity, Order, OrderStatus, OrderType, ReasonCode, Side


async def started_broker(settings: ExchangeSettings, credentials: ExchangeCredentials,
                         timeout_ms: int = 1500) -> CcxtBroker:
    settings = settings.model_copy(update={"ccxt": {**settings.ccxt, "timeout": timeout_ms}})
    broker = CcxtBroker.from_settings(settings, clock=WallClock(), credentials=credentials, seed=5)
    await broker.start()
    return broker


@pytest.fixture
async def broker(loopback_settings, loopback_credentials) -> AsyncIterator[CcxtBroker]:
    broker = await started_broker(loopback_settings, loopback_credentials)
    yield broker
    await broker.close()


def limit_buy(client_id: str, qty: float = 0.01, price: float = 49000.0) -> Order:
    return Order(client_id, "BTC/USDT", Side.BUY, OrderType.LIMIT, qty, price, created_ts_ns=0, strategy="test")


async def test_an_order_reaches_the_exchange_under_our_client_id(loopback: LoopbackExchange, broker) -> None:
    seen = Recorder(broker)
    await broker.submit(limit_buy("trend0001"))

    assert [r["newClientOrderId"] for r in loopback.create_requests] == ["trend0001"]
    (server_order,) = loopback.orders.values()
    assert (server_order.side, server_order.type, server_order.qty, server_order.price) == (
        "BUY", "LIMIT", 0.01, 49000.0)
    reported = seen.last("trend0001")
    assert reported.status is OrderStatus.OPEN
    assert reported.exchange_id == str(server_order.order_id)
    assert [o.client_id for o in broker.open_orders()] == ["trend0001"]


async def test_ids_the_exchanges_would_refuse_are_sent_as_a_stable_hash(loopback, broker) -> None:
    await broker.submit(limit_buy("trend/BTC-USDT#42"))
    sent = loopback.create_requests[0]["newClientOrderId"]
    assert sent == exchange_client_id("trend/BTC-USDT#42")
    assert sent.isalnum() and len(sent) <= 32


async def test_a_create_that_timed_out_is_found_not_resent(loopback, loopback_settings,
                                                           loopback_credentials) -> None:
    broker = await started_broker(loopback_settings, loopback_credentials, timeout_ms=300)
    seen = Recorder(broker)
    try:
        loopback.fail_next_create = ["timeout"]
        await broker.submit(limit_buy("retry0001"))
    finally:
        await broker.close()

    assert len(loopback.create_requests) == 1
    assert len(loopback.orders) == 1
    assert seen.last("retry0001").status is OrderStatus.OPEN
    assert ("GET", "/api/v3/openOrders") in loopback.request_log


async def test_a_create_that_failed_at_the_gateway_is_resent_with_the_same_client_id(loopback, broker) -> None:
    seen = Recorder(broker)
    loopback.fail_next_create = ["unavailable"]
    await broker.submit(limit_buy("retry0002"))

    assert [r["newClientOrderId"] for r in loopback.create_requests] == ["retry0002", "retry0002"]
    assert len(loopback.orders) == 1
    assert seen.last("retry0002").status is OrderStatus.OPEN


async def test_insufficient_funds_is_rejected_with_its_reason_code(loopback, broker,
                                                                   loopback_credentials) -> None:
    seen = Recorder(broker)
    await broker.submit(limit_buy("broke0001", qty=1.0, price=49000.0))  # 49 000 USDT > 10 000 held

    rejected = seen.last("broke0001")
    assert rejected.status is OrderStatus.REJECTED
    assert rejected.reason == ReasonCode.INSUFFICIENT_FUNDS
    assert len(loopback.create_requests) == 1
    assert any(INSUFFICIENT_BALANCE_MSG in n and "INSUFFICIENT_FUNDS" in n for n in seen.notices)
    assert not any(loopback_credentials.secret in n or loopback_credentials.api_key in n for n in seen.notices)
    assert broker.open_orders() == []


async def test_a_persistent_rate_limit_rejects_with_exchange_rate_limit(loopback, broker) -> None:
    seen = Recorder(broker)
    loopback.fail_next_create = ["rate_limit"] * 10
    await broker.submit(limit_buy("busy0001"))

    rejected = seen.last("busy0001")
    assert (rejected.status, rejected.reason) == (OrderStatus.REJECTED, ReasonCode.EXCHANGE_RATE_LIMIT)
    assert len(loopback.create_requests) == 4  # max_attempts
    assert loopback.orders == {}


async def test_an_unreachable_exchange_rejects_with_exchange_unavailable(loopback, broker) -> None:
    seen = Recorder(broker)
    await loopback.stop()
    await broker.submit(limit_buy("down0001"))

    rejected = seen.last("down0001")
    assert (rejected.status, rejected.reason) == (OrderStatus.REJECTED, ReasonCode.EXCHANGE_UNAVAILABLE)
    assert any("gave up after 4 attempt" in n for n in seen.notices)


async def test_polling_reports_fills_with_quote_fees_and_the_final_state(loopback, broker) -> None:
    seen = Recorder(broker)
    await broker.submit(limit_buy("fill0001", qty=0.02))
    order_id = next(iter(loopback.orders))
    loopback.fill_order(order_id, 0.005, 49000.0, maker=True)
    await broker.poll_once()
    assert seen.last("fill0001").status is OrderStatus.PARTIALLY_FILLED

    loopback.fill_order(order_id, 0.015, 48999.0, maker=True)
    await broker.poll_once()
    await broker.poll_once()  # a repeated poll reports nothing twice

    assert [(f.qty, f.price, f.liquidity) for f in seen.fills] == [
        (0.005, 49000.0, Liquidity.MAKER), (0.015, 48999.0, Liquidity.MAKER)]
    assert seen.fills[0].fee == pytest.approx(0.005 * 49000.0 * 0.001)
    assert all(f.client_id == "fill0001" and f.strategy == "test" for f in seen.fills)
    final = seen.last("fill0001")
    assert (final.status, final.filled_qty) == (OrderStatus.FILLED, pytest.approx(0.02))
    assert broker.open_orders() == []


async def test_cancel_and_cancel_all_on_a_symbol_reach_the_exchange(loopback, broker) -> None:
    seen = Recorder(broker)
    for client_id in ("keep0001", "keep0002", "keep0003"):
        await broker.submit(limit_buy(client_id))
    await broker.cancel("keep0001")
    assert seen.last("keep0001").status is OrderStatus.CANCELLED

    assert await broker.cancel_all_on_exchange(["BTC/USDT"]) == []
    assert ("DELETE", "/api/v3/openOrders") in loopback.request_log
    assert {o.status for o in loopback.orders.values()} == {"CANCELED"}
    assert broker.open_orders() == []
    assert seen.last("keep0003").status is OrderStatus.CANCELLED


async def test_balances_and_open_orders_come_from_the_account(loopback, broker) -> None:
    await broker.submit(limit_buy("look0001"))
    balances = await broker.fetch_balance()
    assert balances["USDT"] == (10_000.0 - 0.01 * 49_000.0, 10_000.0)  # the resting buy locks its cost
    assert balances["BTC"] == (1.0, 1.0)
    (open_order,) = await broker.fetch_open_orders("BTC/USDT")
    assert open_order["clientOrderId"] == "look0001"


async def test_an_order_given_up_on_that_surfaces_later_is_cancelled(loopback, loopback_settings,
                                                                     loopback_credentials) -> None:
    broker = await started_broker(loopback_settings, loopback_credentials, timeout_ms=200)
    seen = Recorder(broker)
    try:
        # The create lands, then every answer (lookups included) is too slow to arrive.
        loopback.fail_next_create = ["timeout"]
        loopback.response_delay_s = 0.4
        await broker.submit(limit_buy("lost0001"))
        rejected = seen.last("lost0001")
        assert (rejected.status, rejected.reason) == (OrderStatus.REJECTED, ReasonCode.EXCHANGE_UNAVAILABLE)

        loopback.response_delay_s = 0.0
        await broker.poll_once()
    finally:
        await broker.close()

    (server_order,) = loopback.orders.values()
    assert server_order.client_id == "lost0001" and server_order.status == "CANCELED"
    assert any("found live on the exchange; cancelling it" in n for n in seen.notices)
    assert seen.last("lost0001").status is OrderStatus.REJECTED
