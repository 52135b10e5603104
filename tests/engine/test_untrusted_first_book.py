"""The first book after a resync, or after a restart, is judged against the market as it was:
a book at 1% of the market is not trusted, and a stop-loss never fires on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sim_driver import drive_seconds, make_engine

from hft_tui.clock import FrozenClock
from hft_tui.model import FeedState, FeedStatus, OrderBook, ReasonCode
from hft_tui.session.engine import Engine


def open_a_position(engine: Engine) -> str:
    for _ in range(10):
        drive_seconds(engine, 30)
        if engine.core.open_trades:
            return next(iter(engine.core.open_trades))
    raise AssertionError("the seeded simulator opened no position in five minutes")


def one_percent_book(engine: Engine, symbol: str) -> OrderBook:
    """A tight, well-formed book at 1% of the market (650 against 65,000)."""
    market = engine.core.books[symbol]
    assert market is not None and market.mid is not None
    tick = engine.core.rules[symbol].tick_size
    bid = round(market.mid * 0.01 / tick) * tick
    return OrderBook.from_levels(symbol, engine.clock.now_ns(), 0,
                                 np.array([[bid, 1.0]]), np.array([[bid + tick, 1.0]]))


def assert_not_trusted(engine: Engine, symbol: str, book: OrderBook) -> None:
    core = engine.core
    orders, fills = core.counters.orders, core.counters.fills
    position = core.portfolio.position(symbol).qty
    jumps = core.sanitizer.counts.get(ReasonCode.PRICE_JUMP, 0)
    engine.process(book)
    assert core.sanitizer.counts.get(ReasonCode.PRICE_JUMP, 0) == jumps + 1
    assert core.books[symbol] is not book
    assert (core.counters.orders, core.counters.fills) == (orders, fills), "no stop-loss, no order"
    assert core.portfolio.position(symbol).qty == position
    assert symbol in core.open_trades


def test_the_first_book_after_a_resync_at_one_percent_of_the_market_is_not_trusted(engine: Engine) -> None:
    symbol = open_a_position(engine)
    now = engine.clock.now_ns()
    engine.process(FeedStatus(symbol, now, FeedState.RESYNCING, "sequence gap"))
    engine.process(FeedStatus(symbol, now, FeedState.LIVE, "resubscribed"))
    assert_not_trusted(engine, symbol, one_percent_book(engine, symbol))


def test_the_first_book_after_a_restart_at_one_percent_of_the_market_is_not_trusted(
    tmp_path: Path, engine: Engine
) -> None:
    symbol = open_a_position(engine)
    book = one_percent_book(engine, symbol)
    engine.write_state_snapshot()
    engine.wal.close_sync()

    restarted = make_engine(tmp_path, clock=FrozenClock(engine.clock.now_ns()))
    restarted.begin_session()
    assert restarted.core.books[symbol] is None  # nothing seen yet in this process
    assert restarted.core.portfolio.position(symbol).qty == engine.core.portfolio.position(symbol).qty
    assert_not_trusted(restarted, symbol, book)
    restarted.wal.close_sync()
