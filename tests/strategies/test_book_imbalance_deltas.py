"""Book imbalance on a diff-depth feed: the depth sums and the whales follow each update's
changes, and come out exactly as a fresh read of the whole book would."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hft_tui.market.sim_book_deltas import SimBookDeltas
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import BookChanges, OrderBook, level_changes
from hft_tui.strategies.book_imbalance import BookImbalanceStrategy
from hft_tui.strategies.book_imbalance_params import BookImbalanceParams
from hft_tui.strategies.depth_sums import BookDepth

START_NS = 1_767_225_600_000_000_000

# side, ticks from the touch, lots (0 removes the level)
_EDITS = st.lists(st.tuples(st.booleans(), st.integers(-3, 30), st.integers(0, 400)), min_size=1, max_size=6)


def _chain(updates: list[list[tuple[bool, int, int]]]) -> list[OrderBook]:
    """A book of ticks 0.1 around 100 and the updates that apply ``updates`` to it."""
    bids = {round(100.0 - 0.1 * i, 1): 0.5 + i for i in range(12)}
    asks = {round(100.1 + 0.1 * i, 1): 0.25 + i for i in range(12)}
    books = [OrderBook.from_levels("X", 1, 1, sorted(bids.items(), reverse=True), sorted(asks.items()))]
    for seq, edits in enumerate(updates, start=2):
        for is_bid, ticks, lots in edits:
            side, other = (bids, asks) if is_bid else (asks, bids)
            touch = max(bids) if is_bid else min(asks)
            price = round(touch - 0.1 * ticks if is_bid else touch + 0.1 * ticks, 1)
            crosses = other and (price >= min(asks) if is_bid else price <= max(bids))
            if lots == 0 and len(side) > 1:
                side.pop(price, None)
            elif lots and not crosses:
                side[price] = round(lots * 0.01, 2)
        previous = books[-1]
        new_bids, new_asks = sorted(bids.items(), reverse=True), sorted(asks.items())
        changes = BookChanges(previous.seq, level_changes(previous.bids.tolist(), new_bids),
                              level_changes(previous.asks.tolist(), new_asks))
        books.append(OrderBook.from_levels("X", seq, seq, new_bids, new_asks, changes))
    return books


@settings(max_examples=150)
@given(st.integers(1, 15), st.lists(_EDITS, min_size=1, max_size=30))
def test_running_depth_sums_equal_a_fresh_sum_after_every_update(levels: int, updates) -> None:
    depth = BookDepth(levels)
    for book in _chain(updates):
        depth.update(book)
        assert depth.bids.units == sum(round(q * 1e8) for q in book.bids[:levels, 1].tolist())
        assert depth.asks.units == sum(round(q * 1e8) for q in book.asks[:levels, 1].tolist())


def _delta_books(n: int) -> list[OrderBook]:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 5, start_ts_ns=START_NS, book_deltas=SimBookDeltas())
    return [e for e in (market.next_event() for _ in range(n)) if isinstance(e, OrderBook)]


def _strategy() -> BookImbalanceStrategy:
    # A whale size the simulated books reach often, so the scan has work to do.
    return BookImbalanceStrategy(BookImbalanceParams(whale_notional_usd=20_000.0, persist_s=0.5, cooldown_s=2.0))


def test_whales_and_signals_from_the_changes_equal_those_from_whole_books() -> None:
    incremental, whole = _strategy(), _strategy()
    seen_whales = 0
    signals = 0
    for book in _delta_books(30_000):
        from_changes = incremental.on_book(book)
        from_whole = whole.on_book(replace(book, changes=None))
        assert incremental.whales(book.symbol) == whole.whales(book.symbol)
        assert [(s.side, s.ts_ns) for s in from_changes] == [(s.side, s.ts_ns) for s in from_whole]
        for a, b in zip(from_changes, from_whole):
            assert a.reasons == b.reasons and a.confidence == pytest.approx(b.confidence, abs=1e-12)
        seen_whales += len(incremental.whales(book.symbol))
        signals += len(from_changes)
    assert seen_whales > 1_000 and signals > 0


def test_a_new_whale_size_is_applied_to_the_whole_book_at_the_next_update() -> None:
    incremental, whole = _strategy(), _strategy()
    books = _delta_books(4_000)
    for book in books[:1_000]:
        incremental.on_book(book)
    smaller = BookImbalanceParams(whale_notional_usd=5_000.0, persist_s=0.5, cooldown_s=2.0)
    incremental.set_params(smaller)
    whole.set_params(smaller)
    for book in books[1_000:]:
        incremental.on_book(book)
        whole.on_book(replace(book, changes=None))
    symbol = books[-1].symbol
    assert incremental.whales(symbol) == whole.whales(symbol) != []
