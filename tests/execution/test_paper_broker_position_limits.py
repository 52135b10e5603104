"""Reduce-only never increases or flips a position; spot markets never go short."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paper_broker_harness import MS, PERP, SPOT, T0, make_book, make_broker, make_order

from hft_tui.model import Fill, OrderStatus, ReasonCode, Side, Trade


def test_reduce_only_with_no_position_is_rejected() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    final = broker.submit_now(make_order("r1", Side.SELL, 1.0, reduce_only=True))
    assert final.status is OrderStatus.REJECTED
    assert final.reason == ReasonCode.REDUCE_ONLY_WOULD_INCREASE


def test_reduce_only_on_the_same_side_as_the_position_is_rejected() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("open", Side.BUY, 1.0))
    final = broker.submit_now(make_order("r1", Side.BUY, 1.0, reduce_only=True))
    assert final.reason == ReasonCode.REDUCE_ONLY_WOULD_INCREASE


def test_reduce_only_larger_than_the_position_is_clipped_to_flat() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book())
    broker.submit_now(make_order("open", Side.BUY, 1.2))
    final = broker.submit_now(make_order("r1", Side.SELL, 3.0, reduce_only=True))
    assert final.qty == pytest.approx(1.2)
    assert final.status is OrderStatus.FILLED
    assert broker.position(PERP).is_flat


def test_reduce_only_orders_that_would_overshoot_at_fill_time_are_cut() -> None:
    broker, rec, _ = make_broker(queue_factor=0.0)
    broker.on_book(make_book())
    broker.submit_now(make_order("open", Side.BUY, 1.0))
    broker.submit_now(make_order("r1", Side.SELL, 1.0, 100.5, reduce_only=True))
    broker.submit_now(make_order("r2", Side.SELL, 1.0, 100.5, reduce_only=True))
    broker.on_trade(Trade(PERP, T0 + MS, 100.6, 5.0, Side.BUY))
    assert rec.last("r1").status is OrderStatus.FILLED
    assert rec.last("r2").status is OrderStatus.CANCELLED
    assert rec.last("r2").reason == ReasonCode.REDUCE_ONLY_WOULD_INCREASE
    assert broker.position(PERP).is_flat


def test_spot_sell_without_holdings_is_rejected() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book(SPOT))
    final = broker.submit_now(make_order("s1", Side.SELL, 0.5, symbol=SPOT))
    assert final.reason == ReasonCode.SPOT_NO_SHORT


def test_spot_sell_up_to_the_holding_is_allowed_beyond_it_rejected() -> None:
    broker, rec, _ = make_broker()
    broker.on_book(make_book(SPOT))
    broker.submit_now(make_order("b1", Side.BUY, 1.0, symbol=SPOT))
    assert broker.submit_now(make_order("s1", Side.SELL, 2.0, symbol=SPOT)).reason == ReasonCode.SPOT_NO_SHORT
    assert broker.submit_now(make_order("s2", Side.SELL, 1.0, symbol=SPOT)).status is OrderStatus.FILLED
    assert broker.position(SPOT).is_flat


def test_two_spot_sells_of_one_holding_never_go_short() -> None:
    broker, rec, _ = make_broker(queue_factor=0.0)
    broker.on_book(make_book(SPOT))
    broker.submit_now(make_order("b1", Side.BUY, 1.0, symbol=SPOT))
    broker.submit_now(make_order("s1", Side.SELL, 1.0, 101.0, symbol=SPOT))
    broker.submit_now(make_order("s2", Side.SELL, 1.0, 101.0, symbol=SPOT))
    broker.on_trade(Trade(SPOT, T0 + MS, 101.5, 5.0, Side.BUY))
    assert rec.last("s2").reason == ReasonCode.SPOT_NO_SHORT
    assert broker.position(SPOT).qty >= 0.0


actions = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.sampled_from([Side.BUY, Side.SELL]),
                  st.integers(1, 3000), st.one_of(st.none(), st.integers(-15, 15)), st.booleans()),
        st.tuples(st.just("trade"), st.sampled_from([Side.BUY, Side.SELL]),
                  st.integers(1, 3000), st.integers(-15, 15)),
        st.tuples(st.just("book"), st.integers(-15, 15)),
        st.tuples(st.just("cancel"), st.integers(0, 30)),
    ),
    max_size=40,
)


@settings(max_examples=150)
@given(script=actions, symbol=st.sampled_from([PERP, SPOT]))
def test_reduce_only_fills_never_grow_or_flip_and_spot_never_shorts(script: list, symbol: str) -> None:
    broker, rec, clock = make_broker(queue_factor=0.5)
    reduce_only_ids: set[str] = set()
    violations: list[str] = []

    def check(fill: Fill) -> None:
        after = broker.position(symbol).qty
        before = after - fill.qty * fill.side.sign
        if fill.client_id in reduce_only_ids:
            if abs(after) > abs(before) + 1e-9 or before * after < -1e-12:
                violations.append(f"{fill.client_id}: {before} -> {after}")
        if symbol == SPOT and after < -1e-9:
            violations.append(f"spot short {after}")

    broker.on_fill = check
    mid_ticks = 1000
    broker.on_book(make_book(symbol, bids=[(100.0, 1.0)], asks=[(100.1, 1.0)]))
    for n, action in enumerate(script):
        clock.advance(0.001)
        ts = clock.now_ns()
        if action[0] == "order":
            _, side, lots, offset, reduce_only = action
            price = None if offset is None else round((mid_ticks + offset) * 0.1, 1)
            cid = f"o{n}"
            if reduce_only:
                reduce_only_ids.add(cid)
            broker.submit_now(make_order(cid, side, lots * 0.001, price, symbol=symbol,
                                         reduce_only=reduce_only))
        elif action[0] == "trade":
            _, side, lots, offset = action
            broker.on_trade(Trade(symbol, ts, round((mid_ticks + offset) * 0.1, 1), lots * 0.001, side))
        elif action[0] == "book":
            mid_ticks = 1000 + action[1]
            bids = [(round((mid_ticks - i) * 0.1, 1), 0.5 + i) for i in range(3)]
            asks = [(round((mid_ticks + 1 + i) * 0.1, 1), 0.5 + i) for i in range(3)]
            broker.on_book(make_book(symbol, bids=bids, asks=asks, ts_ns=ts, seq=n + 2))
        else:
            broker.cancel_now(f"o{action[1]}")
    assert violations == []
