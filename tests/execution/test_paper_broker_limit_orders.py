"""Paper limit orders: taking when marketable, resting, queue position, trade-throughs."""

from __future__ import annotations

import pytest
from paper_broker_harness import MS, PERP, T0, make_book, make_broker, make_order

from hft_tui.model import Liquidity, OrderStatus, ReasonCode, Side, Trade


def sell_print(price: float, qty: float, ts_ns: int = T0 + MS) -> Trade:
    return Trade(PERP, ts_ns, price, qty, Side.SELL)


def buy_print(price: float, qty: float, ts_ns: int = T0 + MS) -> Trade:
    return Trade(PERP, ts_ns, price, qty, Side.BUY)


def test_marketable_limit_takes_up_to_its_price_and_rests_the_rest() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    after = broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.1))
    assert [(f.price, f.qty, f.liquidity) for f in rec.fills] == [(100.1, 0.5, Liquidity.TAKER)]
    assert after.status is OrderStatus.PARTIALLY_FILLED
    assert rec.statuses("l1") == ["open", "partially_filled"]
    assert [o.client_id for o in broker.open_orders()] == ["l1"]
    # Nobody else bids 100.1, so the remainder is first in the queue: the next print fills it.
    broker.on_trade(sell_print(100.1, 2.0))
    assert rec.fills[-1].liquidity is Liquidity.MAKER
    assert rec.fills[-1].qty == pytest.approx(0.5)
    assert rec.last("l1").status is OrderStatus.FILLED


def test_marketable_limit_through_several_levels_fills_as_taker() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    final = broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.2))
    assert [(f.price, f.qty) for f in rec.fills] == [(100.1, 0.5), (100.2, 0.5)]
    assert final.status is OrderStatus.FILLED


def test_resting_order_fills_only_after_the_visible_queue_ahead_trades() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())  # 1.0 bid at 100.0 ahead of us
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.0))
    broker.on_trade(sell_print(100.0, 0.6))
    assert rec.fills == []
    broker.on_trade(buy_print(100.0, 5.0))  # buyers lifting asks do not touch the bid queue
    assert rec.fills == []
    broker.on_trade(sell_print(100.0, 0.6))  # 0.4 ahead left, 0.2 reaches us
    assert [(f.price, f.qty, f.liquidity) for f in rec.fills] == [(100.0, pytest.approx(0.2), Liquidity.MAKER)]
    assert rec.fills[0].fee == pytest.approx(100.0 * 0.2 * 0.0002)
    assert rec.last("l1").status is OrderStatus.PARTIALLY_FILLED


def test_a_print_through_our_price_fills_the_whole_remainder_at_our_price() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.0))
    broker.on_trade(sell_print(99.9, 0.1))
    assert [(f.price, f.qty) for f in rec.fills] == [(100.0, 1.0)]
    assert rec.last("l1").status is OrderStatus.FILLED
    assert broker.position(PERP).avg_entry == pytest.approx(100.0)


def test_resting_sell_is_filled_by_buy_prints_at_or_through_its_price() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())  # 0.5 offered at 100.1 ahead of us
    broker.submit_now(make_order("s1", Side.SELL, 1.0, 100.1))
    broker.on_trade(buy_print(100.1, 0.8))
    assert [f.qty for f in rec.fills] == [pytest.approx(0.3)]
    broker.on_trade(buy_print(100.2, 0.1))
    assert sum(f.qty for f in rec.fills) == pytest.approx(1.0)
    assert broker.position(PERP).qty == pytest.approx(-1.0)


def test_queue_ahead_shrinks_when_the_level_shrinks() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.0))
    broker.on_book(make_book(bids=[(100.0, 0.3), (99.9, 2.0)], ts_ns=T0 + MS, seq=2))
    broker.on_trade(sell_print(100.0, 0.5))
    assert [f.qty for f in rec.fills] == [pytest.approx(0.2)]


def test_an_opposite_side_that_reaches_our_price_fills_us_as_maker() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 99.9))
    crossing = make_book(bids=[(99.8, 1.0)], asks=[(99.9, 0.4), (100.0, 3.0)], ts_ns=T0 + MS, seq=2)
    broker.on_book(crossing)
    assert [(f.price, f.qty, f.liquidity) for f in rec.fills] == [(99.9, pytest.approx(0.4), Liquidity.MAKER)]


def test_queue_factor_zero_puts_us_at_the_front_of_the_queue() -> None:
    broker, rec, _ = make_broker(queue_factor=0.0)
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.0))
    broker.on_trade(sell_print(100.0, 0.25))
    assert [f.qty for f in rec.fills] == [pytest.approx(0.25)]


def test_one_print_is_shared_by_our_orders_at_that_price_in_time_order() -> None:
    broker, rec, _ = make_broker(queue_factor=0.0)
    broker.on_book(make_book())
    broker.submit_now(make_order("first", Side.BUY, 0.3, 100.0))
    broker.submit_now(make_order("second", Side.BUY, 0.3, 100.0))
    broker.on_trade(sell_print(100.0, 0.4))
    assert [(f.client_id, round(f.qty, 9)) for f in rec.fills] == [("first", 0.3), ("second", 0.1)]


def test_cancel_removes_a_resting_order_and_reports_why() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 99.0))
    assert broker.cancel_now("l1") is True
    assert rec.last("l1").status is OrderStatus.CANCELLED
    assert rec.last("l1").reason == ReasonCode.CANCELLED_BY_OPERATOR
    assert broker.cancel_now("l1") is False
    assert broker.cancel_now("never-existed") is False
    broker.on_trade(sell_print(98.0, 10.0))
    assert rec.fills == []


def test_cancel_of_an_order_still_in_flight() -> None:
    broker, rec, _ = make_broker(latency_ms=50.0)
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0))
    assert broker.cancel_now("l1") is True
    broker.on_book(make_book(ts_ns=T0 + 60 * MS, seq=2))
    assert rec.fills == []
    assert rec.statuses("l1") == ["open", "cancelled"]
    broker.submit_now(make_order("l2", Side.BUY, 1.0, 99.0))
    assert broker.cancel_now("l2") is True
    assert broker.open_orders() == []


def test_limit_order_with_latency_joins_the_queue_of_the_book_it_arrives_at() -> None:
    broker, rec, _ = make_broker(latency_ms=5.0)
    broker.on_book(make_book())
    broker.submit_now(make_order("l1", Side.BUY, 1.0, 100.0))
    broker.on_trade(sell_print(99.0, 10.0, ts_ns=T0 + MS))  # before arrival: not in the book yet
    assert rec.fills == []
    broker.on_book(make_book(bids=[(100.0, 0.2)], ts_ns=T0 + 5 * MS, seq=2))
    broker.on_trade(sell_print(100.0, 0.5, ts_ns=T0 + 6 * MS))
    assert [f.qty for f in rec.fills] == [pytest.approx(0.3)]
