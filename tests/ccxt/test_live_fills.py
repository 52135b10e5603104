"""The live broker books every fill the exchange reports, once, however it reports it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from loopback_exchange import COMMISSION_RATE, LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.execution.ccxt_broker import CcxtBroker
from hft_tui.model import Fill, Order, OrderStatus, OrderType, Position, Side


class Seen:
    """What the broker told the engine, in order."""

    def __init__(self, broker: CcxtBroker) -> None:
        self.events: list[Order | Fill] = []
        broker.on_order = self.events.append
        broker.on_fill = self.events.append
        broker.on_notice = lambda _: None

    @property
    def fills(self) -> list[Fill]:
        return [e for e in self.events if isinstance(e, Fill)]

    def last(self, client_id: str) -> Order:
        return [e for e in self.events if isinstance(e, Order) and e.client_id == client_id][-1]


@pytest.fixture
async def broker(loopback_settings: ExchangeSettings,
                 loopback_credentials: ExchangeCredentials) -> AsyncIterator[CcxtBroker]:
    broker = CcxtBroker.from_settings(loopback_settings, clock=WallClock(), credentials=loopback_credentials, seed=3)
    await broker.start()
    yield broker
    await broker.close()


def order(client_id: str, side: Side, qty: float, price: float | None = None) -> Order:
    return Order(client_id, "BTC/USDT", side, OrderType.LIMIT if price else OrderType.MARKET, qty, price,
                 created_ts_ns=0, strategy="test")


async def test_a_market_order_is_booked_from_the_create_response_level_by_level(
        loopback: LoopbackExchange, broker: CcxtBroker) -> None:
    seen = Seen(broker)
    loopback.free["USDT"] = 200_000.0
    await broker.submit(order("mkt1", Side.BUY, 1.8))  # the best ask holds 1.5: two levels

    assert [(f.qty, f.price) for f in seen.fills] == [(1.5, 50_000.5), (pytest.approx(0.3), 50_001.5)]
    assert [f.trade_id for f in seen.fills] == [str(t["id"]) for t in loopback.my_trades]
    final = seen.last("mkt1")
    assert (final.status, final.filled_qty) == (OrderStatus.FILLED, pytest.approx(1.8))
    assert final.avg_fill_price == pytest.approx((1.5 * 50_000.5 + 0.3 * 50_001.5) / 1.8)
    # The fills came first: an order is never reported done before its fills.
    assert seen.events.index(seen.fills[-1]) < seen.events.index(final)
    assert ("GET", "/api/v3/myTrades") not in loopback.request_log


async def test_a_buy_commission_in_the_base_asset_reduces_the_position_to_what_the_account_holds(
        loopback: LoopbackExchange, broker: CcxtBroker) -> None:
    seen = Seen(broker)
    await broker.submit(order("mkt2", Side.BUY, 0.1))

    (fill,) = seen.fills
    assert fill.base_fee_qty == pytest.approx(0.1 * COMMISSION_RATE)
    assert fill.fee == pytest.approx(0.1 * COMMISSION_RATE * 50_000.5)  # in quote
    position = Position("BTC/USDT").apply(fill)
    assert position.qty == pytest.approx(loopback.total("BTC") - 1.0)


async def test_partial_fills_over_several_polls_accumulate_and_none_is_booked_twice(
        loopback: LoopbackExchange, broker: CcxtBroker) -> None:
    seen = Seen(broker)
    await broker.submit(order("rest1", Side.BUY, 0.008, price=49_000.0))
    while loopback.step_resting(0.5):
        await broker.poll_once()
        await broker.poll_once()
    await broker.poll_once()
    await broker.sweep_fills(["BTC/USDT"])  # a full REST sweep finds nothing new

    server = [t for t in loopback.my_trades]
    assert len(server) >= 3
    assert sorted(f.trade_id for f in seen.fills) == sorted(str(t["id"]) for t in server)
    assert sum(f.qty for f in seen.fills) == pytest.approx(0.008)
    final = seen.last("rest1")
    assert (final.status, final.filled_qty) == (OrderStatus.FILLED, pytest.approx(0.008))
    assert [e for e in seen.events if isinstance(e, Order) and e.status is OrderStatus.FILLED] == [final]


async def test_an_order_seen_filled_before_its_fills_waits_for_them(loopback: LoopbackExchange,
                                                                    broker: CcxtBroker) -> None:
    seen = Seen(broker)
    await broker.submit(order("rest2", Side.BUY, 0.004, price=49_000.0))
    (server_order,) = loopback.orders.values()
    loopback.fill_order(server_order.order_id, 0.004, 49_000.0)
    # The order's totals say FILLED; its executions are only in myTrades.
    raw = await broker.exchange.fetch_order(server_order.order_id, "BTC/USDT")
    await broker.absorb("rest2", raw)

    assert [f.qty for f in seen.fills] == [pytest.approx(0.004)]
    assert seen.last("rest2").status is OrderStatus.FILLED
    assert seen.events.index(seen.fills[0]) < seen.events.index(seen.last("rest2"))
