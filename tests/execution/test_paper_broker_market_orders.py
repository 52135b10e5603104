"""Paper market orders: book walking, VWAP, taker fees, partial fills, latency."""

from __future__ import annotations

import pytest
from paper_broker_harness import ASKS, BIDS, MS, PERP, T0, make_book, make_broker, make_order

from hft_tui.model import Liquidity, OrderStatus, ReasonCode, Side


def test_market_buy_walks_the_asks_at_hand_computed_vwap_and_taker_fees() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    final = broker.submit_now(make_order("m1", Side.BUY, 1.2))
    assert [(f.price, f.qty) for f in rec.fills] == [(100.1, 0.5), (100.2, pytest.approx(0.7))]
    assert all(f.liquidity is Liquidity.TAKER for f in rec.fills)
    assert [f.fee for f in rec.fills] == pytest.approx([100.1 * 0.5 * 0.0005, 100.2 * 0.7 * 0.0005])
    assert final.status is OrderStatus.FILLED
    assert final.avg_fill_price == pytest.approx((100.1 * 0.5 + 100.2 * 0.7) / 1.2)
    assert rec.statuses("m1") == ["open", "filled"]
    assert broker.position(PERP).qty == pytest.approx(1.2)
    assert broker.open_orders() == []


def test_market_sell_walks_the_bids() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    final = broker.submit_now(make_order("m1", Side.SELL, 2.5))
    assert [(f.price, f.qty) for f in rec.fills] == [(100.0, 1.0), (99.9, 1.5)]
    assert final.avg_fill_price == pytest.approx((100.0 + 99.9 * 1.5) / 2.5)
    assert broker.position(PERP).qty == pytest.approx(-2.5)


def test_market_order_larger_than_visible_depth_fills_what_it_can_and_cancels_the_rest() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    final = broker.submit_now(make_order("m1", Side.BUY, 5.0))
    assert sum(f.qty for f in rec.fills) == pytest.approx(3.5)
    assert final.status is OrderStatus.CANCELLED
    assert final.reason == ReasonCode.NO_LIQUIDITY
    assert final.filled_qty == pytest.approx(3.5)
    assert rec.statuses("m1") == ["open", "cancelled"]


def test_market_order_before_any_book_fills_against_the_first_book() -> None:
    broker, rec, _ = make_broker()
    broker.submit_now(make_order("m1", Side.BUY, 0.5))
    assert rec.fills == []
    broker.on_book(make_book(asks=[(101.0, 1.0)]))
    assert [(f.price, f.qty) for f in rec.fills] == [(101.0, 0.5)]


def test_latency_makes_the_order_meet_the_first_book_at_or_after_arrival() -> None:
    broker, rec, _ = make_broker(latency_ms=10.0)
    broker.on_book(make_book(ts_ns=T0))
    broker.submit_now(make_order("m1", Side.BUY, 0.5))
    broker.on_book(make_book(asks=[(100.5, 1.0)], ts_ns=T0 + 9 * MS, seq=2))
    assert rec.fills == []
    broker.on_book(make_book(asks=[(100.7, 1.0)], ts_ns=T0 + 10 * MS, seq=3))
    assert [(f.price, f.ts_ns) for f in rec.fills] == [(100.7, T0 + 10 * MS)]


async def test_a_closed_broker_rejects_what_is_submitted_after() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("m1", Side.BUY, 0.5))
    assert rec.last("m1").status is OrderStatus.FILLED
    await broker.close()
    broker.submit_now(make_order("m2", Side.BUY, 0.5))
    assert rec.last("m2").reason == ReasonCode.EXCHANGE_UNAVAILABLE


@pytest.mark.parametrize(
    ("order", "why"),
    [
        (make_order("x", Side.BUY, 0.5, symbol="DOGE/USDT"), "unknown symbol"),
        (make_order("x", Side.BUY, 0.0), "zero qty"),
        (make_order("x", Side.BUY, float("nan")), "nan qty"),
        (make_order("x", Side.BUY, 0.0005), "off lot"),
        (make_order("x", Side.BUY, 0.5, 100.05), "off tick"),
        (make_order("x", Side.BUY, 0.5, -100.0), "negative price"),
        (make_order("x", Side.BUY, 0.04, 100.0), "under min notional"),
        (make_order("", Side.BUY, 0.5), "no client id"),
    ],
)
def test_invalid_orders_are_rejected_as_invalid(order, why: str) -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    final = broker.submit_now(order)
    assert final.status is OrderStatus.REJECTED, why
    assert final.reason == ReasonCode.INVALID_ORDER
    assert rec.orders == [final]
    assert rec.fills == []


def test_a_reused_client_id_is_rejected() -> None:
    broker, rec, _ = make_broker()
    broker.submit_now(make_order("dup", Side.BUY, 0.5, 99.0))
    assert broker.submit_now(make_order("dup", Side.BUY, 0.5, 99.0)).reason == ReasonCode.INVALID_ORDER
    assert len(broker.open_orders()) == 1


def test_same_inputs_give_the_same_events() -> None:
    def run() -> list:
        broker, rec, _ = make_broker(latency_ms=1.0)
        broker.on_book(make_book())
        broker.submit_now(make_order("a", Side.BUY, 1.0, 100.0))
        broker.submit_now(make_order("b", Side.SELL, 2.0))
        broker.on_book(make_book(bids=BIDS, asks=ASKS, ts_ns=T0 + MS, seq=2))
        return rec.events

    assert run() == run()
