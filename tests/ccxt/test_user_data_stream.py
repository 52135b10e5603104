"""The live broker follows Binance's user-data stream, the way ccxt.pro consumes it, on the
loopback: fills arrive by the stream first, REST books only what the stream missed, and no
fill is lost or booked twice through drops, silent stalls and ended subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from broker_recorder import Recorder
from live_harness import wait_until
from loopback_exchange import COMMISSION_RATE, LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.execution.ccxt_broker import CcxtBroker
from hft_tui.model import Order, OrderStatus, OrderType, Side

MY_TRADES = ("GET", "/api/v3/myTrades")


async def started(settings: ExchangeSettings, credentials: ExchangeCredentials, **overrides: Any) -> CcxtBroker:
    broker = CcxtBroker.from_settings(settings.model_copy(update=overrides), clock=WallClock(),
                                      credentials=credentials, seed=5)
    await broker.start()
    return broker


@pytest.fixture
async def streaming(loopback: LoopbackExchange, loopback_settings: ExchangeSettings,
                    loopback_credentials: ExchangeCredentials) -> AsyncIterator[CcxtBroker]:
    """A broker on the stream alone: its periodic REST check never comes in a test's time."""
    broker = await started(loopback_settings, loopback_credentials, user_stream_check_s=3600.0)
    assert broker.capabilities.user_data_stream
    await wait_until(lambda: loopback.user_subscribers() == 1, "the broker subscribed to the user-data stream")
    yield broker
    await broker.close()


def limit(client_id: str, qty: float, price: float = 49_000.0) -> Order:
    return Order(client_id, "BTC/USDT", Side.BUY, OrderType.LIMIT, qty, price, created_ts_ns=0, strategy="test")


def account_trade_ids(loopback: LoopbackExchange) -> list[str]:
    return [str(t["id"]) for t in loopback.my_trades]


async def test_partial_fills_of_a_resting_order_arrive_by_the_stream_with_their_commission(
        loopback: LoopbackExchange, streaming: CcxtBroker) -> None:
    seen = Recorder(streaming)
    await streaming.submit(limit("st1", 0.008))
    for _ in range(3):
        loopback.step_resting(0.5)
        await wait_until(lambda: seen.trade_ids() == account_trade_ids(loopback), "the step's fill streamed in")

    assert [f.qty for f in seen.fills] == pytest.approx([0.004, 0.002, 0.001])
    assert [f.base_fee_qty for f in seen.fills] == pytest.approx([q * COMMISSION_RATE for q in (0.004, 0.002, 0.001)])
    assert (seen.last("st1").status, seen.last("st1").filled_qty) == (OrderStatus.PARTIALLY_FILLED, pytest.approx(0.007))
    loopback.step_resting(1.0)
    await wait_until(lambda: seen.last("st1").status is OrderStatus.FILLED, "the last fill closed the order")
    assert seen.trade_ids() == account_trade_ids(loopback)
    assert MY_TRADES not in loopback.request_log, "every fill came by the stream"


async def test_a_market_order_answered_only_by_the_stream_is_booked_once(
        loopback: LoopbackExchange, streaming: CcxtBroker) -> None:
    seen = Recorder(streaming)
    loopback.free["USDT"] = 200_000.0
    loopback.fail_next_create.append("timeout")  # the order trades; its create response never comes
    await streaming.submit(Order("mk1", "BTC/USDT", Side.BUY, OrderType.MARKET, 1.8, None, created_ts_ns=0,
                                 strategy="test"))

    assert seen.trade_ids() == account_trade_ids(loopback) and len(seen.fills) == 2  # two book levels
    assert (seen.last("mk1").status, seen.last("mk1").filled_qty) == (OrderStatus.FILLED, pytest.approx(1.8))
    assert MY_TRADES not in loopback.request_log


async def test_an_execution_streamed_before_its_order_is_known_waits_for_it(
        loopback: LoopbackExchange, streaming: CcxtBroker) -> None:
    seen = Recorder(streaming)
    loopback.user_stream_stalled = True  # this test hands the broker the stream's events itself
    await streaming.submit(limit("early1", 0.004))
    (server_order,) = loopback.orders.values()
    loopback.fill_order(server_order.order_id, 0.004, 49_000.0)
    trades = await streaming.exchange.fetch_my_trades("BTC/USDT")  # as watch_my_trades yields them
    streaming._by_exchange_order_id.clear()  # as if the create had not answered yet
    await streaming._on_my_trades(trades)
    assert seen.fills == []
    await streaming.absorb("early1", await streaming.exchange.fetch_order(str(server_order.order_id), "BTC/USDT"),
                           fetch_missing=False)

    assert seen.trade_ids() == account_trade_ids(loopback)
    assert seen.last("early1").status is OrderStatus.FILLED


async def test_fills_lost_while_the_stream_was_down_are_booked_by_rest_after_it_reconnects(
        loopback: LoopbackExchange, streaming: CcxtBroker) -> None:
    seen = Recorder(streaming)
    await streaming.submit(limit("drop1", 0.008))
    loopback.step_resting(0.5)
    await wait_until(lambda: len(seen.fills) == 1, "the first fill streamed in")
    for _ in range(3):
        loopback.user_stream_stalled = True  # what happens until the drop is lost with the connection
        loopback.step_resting(0.5)
        loopback.user_stream_stalled = False
        await loopback.drop_user_streams()
        await wait_until(lambda: seen.trade_ids() == account_trade_ids(loopback), "REST booked the missed fill")
        await wait_until(lambda: loopback.user_subscribers() == 1, "the stream was subscribed again")
    loopback.step_resting(1.0)
    await wait_until(lambda: seen.last("drop1").status is OrderStatus.FILLED, "the last fill streamed in")

    assert seen.trade_ids() == account_trade_ids(loopback)
    assert len(set(seen.trade_ids())) == len(seen.fills) == 5
    assert loopback.user_subscribe_requests >= 4
    assert MY_TRADES in loopback.request_log


async def test_an_ended_subscription_is_renewed_and_what_it_missed_is_booked(
        loopback: LoopbackExchange, streaming: CcxtBroker) -> None:
    seen = Recorder(streaming)
    await streaming.submit(limit("end1", 0.008))
    loopback.user_stream_stalled = True
    loopback.step_resting(0.5)  # lost: the stream ends right after
    loopback.user_stream_stalled = False
    await loopback.terminate_user_streams()
    await wait_until(lambda: loopback.user_subscribe_requests == 2 and loopback.user_subscribers() == 1,
                     "the broker subscribed again")
    await wait_until(lambda: len(seen.fills) == 1, "REST booked the fill the ended stream missed")
    requests = loopback.request_log.count(MY_TRADES)
    loopback.step_resting(1.0)
    await wait_until(lambda: seen.last("end1").status is OrderStatus.FILLED, "the next fill streamed in")

    assert seen.trade_ids() == account_trade_ids(loopback)
    assert loopback.request_log.count(MY_TRADES) == requests, "after the renewal the stream brought the fill"
    assert any("terminated" in n for n in seen.notices)


async def test_an_event_ccxt_cannot_handle_drops_the_stream_which_subscribes_again(
        loopback: LoopbackExchange, streaming: CcxtBroker) -> None:
    seen = Recorder(streaming)
    await streaming.submit(limit("odd1", 0.004))
    (server_order,) = loopback.orders.values()
    await loopback.send_user_raw({**loopback._execution_report(server_order, "NEW"), "q": "not a number"})
    await wait_until(lambda: loopback.user_subscribe_requests == 2 and loopback.user_subscribers() == 1,
                     "the stream was dropped and subscribed again")
    loopback.step_resting(1.0)
    await wait_until(lambda: seen.last("odd1").status is OrderStatus.FILLED, "the fill streamed in")

    assert seen.trade_ids() == account_trade_ids(loopback)
    assert any("could not handle" in n for n in seen.notices)


async def test_a_stream_stalled_without_a_word_is_covered_by_the_periodic_rest_check(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings,
        loopback_credentials: ExchangeCredentials) -> None:
    broker = await started(loopback_settings, loopback_credentials, user_stream_check_s=0.1)
    try:
        seen = Recorder(broker)
        await wait_until(lambda: loopback.user_subscribers() == 1, "subscribed")
        await broker.submit(limit("stall1", 0.008))
        loopback.user_stream_stalled = True  # the socket stays open; nothing comes
        for _ in range(2):
            loopback.step_resting(0.5)
            await wait_until(lambda: seen.trade_ids() == account_trade_ids(loopback), "REST booked the fill")
        loopback.user_stream_stalled = False
        loopback.step_resting(1.0)
        await wait_until(lambda: seen.last("stall1").status is OrderStatus.FILLED, "the order was seen filled")
    finally:
        await broker.close()

    assert seen.trade_ids() == account_trade_ids(loopback)
    assert loopback.user_subscribe_requests == 1, "a stall is not a drop: the connection was kept"


async def test_the_stream_answers_the_servers_pings_and_stays_subscribed(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings,
        loopback_credentials: ExchangeCredentials) -> None:
    loopback.user_ping_s = 0.05  # Binance pings every 20 s and drops a peer that does not answer
    broker = await started(loopback_settings, loopback_credentials, user_stream_check_s=3600.0)
    try:
        seen = Recorder(broker)
        await wait_until(lambda: loopback.user_pongs >= 5, "five pings answered")
        await broker.submit(limit("ping1", 0.004))
        loopback.step_resting(1.0)
        await wait_until(lambda: seen.last("ping1").status is OrderStatus.FILLED, "the fill streamed in")
    finally:
        await broker.close()

    assert loopback.user_subscribe_requests == 1
    assert MY_TRADES not in loopback.request_log


async def test_a_subscription_written_to_a_closing_socket_is_tried_again_and_fills_stream_in(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings,
        loopback_credentials: ExchangeCredentials) -> None:
    broker = CcxtBroker.from_settings(loopback_settings.model_copy(update={"user_stream_check_s": 3600.0}),
                                      clock=WallClock(), credentials=loopback_credentials, seed=5)
    exchange = broker.exchange
    for name in ("watch_orders", "watch_my_trades"):
        watch, failed = getattr(exchange, name), []

        async def first_on_a_closing_socket(*args: Any, watch: Any = watch, failed: list[bool] = failed) -> Any:
            if not failed:  # what aiohttp raises, and ccxt lets through, for a socket being closed
                failed.append(True)
                raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")
            return await watch(*args)

        setattr(exchange, name, first_on_a_closing_socket)
    seen = Recorder(broker)
    await broker.start()
    try:
        await wait_until(lambda: loopback.user_subscribers() == 1, "the broker subscribed after all")
        await broker.submit(limit("sock1", 0.008))
        loopback.step_resting(1.0)
        await wait_until(lambda: seen.last("sock1").status is OrderStatus.FILLED, "the fill streamed in")
    finally:
        await broker.close()
    assert any("Cannot write to closing transport" in n for n in seen.notices)
