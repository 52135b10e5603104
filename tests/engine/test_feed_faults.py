"""Feed faults are not trading errors: they freeze entries on their symbol, never HALT, and lift
by themselves once the feed is healthy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from sim_driver import START_NS, drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.clock import FrozenClock
from hft_tui.market.feed_health import REJECTING_AFTER_BOOKS
from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.model import FeedState, FeedStatus, OrderBook, ReasonCode
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import Flatten, Kill, PlaceOrder

BTC, ETH = "BTC/USDT", "ETH/USDT"
SECOND_NS = 1_000_000_000


def _states_seen(engine: Engine) -> set[str]:
    engine.wal.sync()
    return {r["to"] for r in wal_records(engine.wal.directory) if r["type"] == "state"}


def _drop_and_reconnect(engine: Engine, symbol: str, detail: str) -> None:
    now = engine.clock.now_ns()
    engine.process(FeedStatus(symbol, now, FeedState.RESYNCING, f"FEED_DISCONNECT: {detail}"))
    engine.process(FeedStatus(symbol, now, FeedState.LIVE, "book updates flowing"))


def test_a_reconnect_storm_never_halts_nor_touches_the_error_budget(engine: Engine) -> None:
    drive_seconds(engine, 20)
    for _ in range(60):  # a drop on every stream of every symbol, every second, for a minute
        for symbol in engine.symbols:
            for stream in ("book", "trades"):
                _drop_and_reconnect(engine, symbol, f"{stream}: connection lost")
        drive_seconds(engine, 1)
    core = engine.core
    assert core.state.state is TradingState.ACTIVE
    assert core.drb.state.budget("errors").used == 0.0
    assert "HALTED" not in _states_seen(engine)
    assert all(core.feed_health.state(s) is FeedState.LIVE for s in engine.symbols)


def test_entries_are_frozen_while_resyncing_but_flatten_still_closes(engine: Engine) -> None:
    drive_seconds(engine, 20)
    assert engine.apply(PlaceOrder(ETH, "buy", 1.0)).ok
    drive_seconds(engine, 1)
    assert engine.core.portfolio.position(ETH).qty == 1.0
    engine.process(FeedStatus(ETH, engine.clock.now_ns(), FeedState.RESYNCING, "FEED_GAP: book: sequence gap"))

    refused = engine.apply(PlaceOrder(ETH, "buy", 1.0))
    assert not refused.ok and ReasonCode.FEED_RESYNC.value in refused.message
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01)).ok  # only the faulty symbol is frozen
    engine.wal.sync()
    engine.core.release_orders()

    assert engine.apply(Flatten(ETH)).ok
    engine.wal.sync()
    engine.core.release_orders()
    assert engine.core.portfolio.position(ETH).is_flat
    assert engine.core.state.state is TradingState.ACTIVE

    engine.process(FeedStatus(ETH, engine.clock.now_ns(), FeedState.LIVE, "book updates flowing"))
    drive_seconds(engine, 1)
    assert engine.apply(PlaceOrder(ETH, "buy", 1.0)).ok  # trading resumes by itself


def test_strategy_signals_on_a_frozen_symbol_are_refused_with_the_feed_code(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 10)
    for symbol in engine.symbols:
        engine.process(FeedStatus(symbol, engine.clock.now_ns(), FeedState.RESYNCING, "FEED_DISCONNECT: test"))
    before = len(engine.core.signal_history)
    market = engine.source.market  # type: ignore[attr-defined]
    # Trades only (no books): nothing lifts RESYNCING, strategies on trades still signal.
    end = engine.clock.now_ns() + 600 * SECOND_NS
    while engine.clock.now_ns() < end and len(engine.core.signal_history) == before:
        event = market.next_event()
        engine.clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        if not isinstance(event, OrderBook):
            engine.process(event)
    decided = list(engine.core.signal_history)[before:]
    assert decided, "no signal in ten minutes of trades"
    assert all(not s.accepted and ReasonCode.FEED_RESYNC.value in s.outcome for s in decided)
    engine.wal.close_sync()


def test_a_symbol_silent_while_others_trade_goes_stale_and_comes_back(engine: Engine) -> None:
    drive_seconds(engine, 10)
    market = engine.source.market  # type: ignore[attr-defined]
    end = engine.clock.now_ns() + 8 * SECOND_NS
    while engine.clock.now_ns() < end:  # ETH's feed goes quiet; BTC's keeps flowing
        event = market.next_event()
        engine.clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        if event.symbol != ETH:
            engine.process(event)
    core = engine.core
    assert core.feed_health.state(ETH) is FeedState.STALE and core.feed_health.state(BTC) is FeedState.LIVE
    refused = engine.apply(PlaceOrder(ETH, "buy", 1.0))
    assert not refused.ok and ReasonCode.FEED_STALE.value in refused.message
    drive_seconds(engine, 1)
    assert core.feed_health.state(ETH) is FeedState.LIVE
    assert core.state.state is TradingState.ACTIVE
    engine.wal.sync()
    feed = [(r["symbol"], r["state"]) for r in wal_records(engine.wal.directory) if r["type"] == "feed"]
    assert feed[-2:] == [(ETH, "stale"), (ETH, "live")]


def _off_tick(book: OrderBook, tick: float) -> OrderBook:
    """The same book a third of a tick off the grid: the sanitizer rejects every one."""
    shift = np.array([tick / 3.0, 0.0])
    return OrderBook.from_levels(book.symbol, book.ts_ns, book.seq,
                                 np.asarray(book.bids) + shift, np.asarray(book.asks) + shift)


def test_a_feed_whose_every_book_is_rejected_goes_rejecting_and_freezes_entries(engine: Engine) -> None:
    drive_seconds(engine, 10)
    market = engine.source.market  # type: ignore[attr-defined]
    rejected = 0
    while rejected < REJECTING_AFTER_BOOKS:
        event = market.next_event()
        engine.clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        if isinstance(event, OrderBook) and event.symbol == ETH:
            event = _off_tick(event, engine.core.rules[ETH].tick_size)
            rejected += 1
        engine.process(event)
    core = engine.core
    assert core.feed_health.state(ETH) is FeedState.REJECTING
    assert ReasonCode.OFF_TICK.value in core.feed_health.detail(ETH)
    refused = engine.apply(PlaceOrder(ETH, "buy", 1.0))
    assert not refused.ok and ReasonCode.FEED_REJECTING.value in refused.message
    drive_seconds(engine, 1)
    assert core.feed_health.state(ETH) is FeedState.LIVE


def test_the_kill_switch_still_closes_a_position_on_a_stale_feed(engine: Engine) -> None:
    drive_seconds(engine, 20)
    engine.apply(PlaceOrder(BTC, "buy", 0.01))
    engine.wal.sync()
    engine.core.release_orders()
    assert not engine.core.portfolio.position(BTC).is_flat
    engine.process(FeedStatus(BTC, engine.clock.now_ns(), FeedState.STALE, "FEED_STALE: test"))
    result = engine.apply(Kill("operator"))
    engine.wal.sync()
    engine.core.release_orders()
    assert result.ok and "feeds not live for BTC/USDT" in result.message
    assert engine.core.portfolio.position(BTC).is_flat


# Not a timing assertion: only a bound so a broken watch fails the test instead of hanging it.
HANG_GUARD_S = 30.0


async def _until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)
    await asyncio.wait_for(poll(), HANG_GUARD_S)


class _StallingSource:
    """One good book per symbol, then silence: the engine's watch must notice on its own."""

    name = "stalling"

    def __init__(self, books: list[OrderBook]) -> None:
        self._books = books
        self.stalled = asyncio.Event()

    async def stream(self) -> AsyncIterator[MarketEvent]:
        for book in self._books:
            yield FeedStatus(book.symbol, book.ts_ns, FeedState.LIVE, "test")
            yield book
        self.stalled.set()
        await asyncio.Event().wait()

    async def close(self) -> None:
        return None


async def test_a_total_stall_turns_every_feed_stale_on_the_local_clock(tmp_path: Path) -> None:
    clock = FrozenClock(START_NS)
    engine = make_engine(tmp_path, {"exchange.rest_poll_interval_ms": 100.0, "exchange.stale_after_ms": 500.0}, clock=clock)
    market = engine.source.market  # type: ignore[attr-defined]
    books: dict[str, OrderBook] = {}
    while len(books) < len(engine.symbols):
        event = market.next_event()
        if isinstance(event, OrderBook):
            books.setdefault(event.symbol, replace(event, ts_ns=START_NS))
    source = _StallingSource(list(books.values()))
    # As in paper or live: the clock is the local one, not the data's, so the watch runs.
    engine = Engine(core=engine.core, source=source, mode="PAPER", exchange="test")
    await engine.start()
    try:
        await asyncio.wait_for(source.stalled.wait(), HANG_GUARD_S)
        core = engine.core
        await _until(lambda: all(core.feed_health.state(s) is FeedState.LIVE for s in engine.symbols))
        clock.advance(1.0)  # the local clock moves on; no event arrives
        await _until(lambda: all(core.feed_health.state(s) is FeedState.STALE for s in engine.symbols))
        assert core.state.state is TradingState.ACTIVE
    finally:
        await engine.stop("test over")
