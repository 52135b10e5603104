"""Books taken from the levels ccxt stored are the books a whole conversion gives, and their
changes are exactly what changed; anything outside the plain case is taken whole."""

from __future__ import annotations

from typing import Any

import ccxt.pro
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hft_tui.market.ccxt_book_tap import take_book
from hft_tui.market.ccxt_tapped_book import tap_order_books
from hft_tui.market.ccxt_convert import book_from_ccxt
from hft_tui.model import OrderBook, ReasonCode, level_changes

DEPTH = 5
SYMBOL = "BTC/USDT"


def _ccxt_book(depth: int = DEPTH) -> Any:
    exchange = ccxt.pro.binance()
    tap_order_books(exchange)
    book = exchange.order_book({}, depth)
    book.reset({"bids": [[100.0 - i, 1.0 + i] for i in range(depth)],
                "asks": [[101.0 + i, 2.0 + i] for i in range(depth)], "nonce": 10, "timestamp": 1_000})
    return book


def _message(book: Any, levels: list[tuple[bool, float, float]]) -> None:
    """Store a diff message's levels as ccxt does, then cut to depth as ``watch_order_book`` does."""
    for is_bid, price, qty in levels:
        book["bids" if is_bid else "asks"].store(price, qty)
    book["nonce"] += 1
    book["timestamp"] += 100
    book.limit()


def _take(book: Any, contract_size: float = 1.0) -> OrderBook | ReasonCode:
    return take_book(SYMBOL, book, received_ms=0, depth=DEPTH, contract_size=contract_size)


def _whole(book: Any, contract_size: float = 1.0) -> OrderBook:
    whole = book_from_ccxt(SYMBOL, book, received_ms=0, depth=DEPTH, contract_size=contract_size)
    assert isinstance(whole, OrderBook)
    return whole


# Bid prices below 100.5, asks above: the book never crosses (that is the sanitizer's to judge).
_levels = st.one_of(
    st.tuples(st.just(True), st.sampled_from([100.0 - i for i in range(9)]), st.sampled_from([0.0, 0.5, 3.0])),
    st.tuples(st.just(False), st.sampled_from([101.0 + i for i in range(9)]), st.sampled_from([0.0, 0.5, 3.0])),
)


@settings(max_examples=150)
@given(st.lists(st.lists(_levels, max_size=6), min_size=1, max_size=8), st.sampled_from([1.0, 0.01]))
def test_a_taken_book_is_the_whole_conversion_with_exactly_what_changed(messages, contract_size) -> None:
    book = _ccxt_book()
    previous = _take(book, contract_size)
    assert isinstance(previous, OrderBook) and previous.changes is None  # the first take is whole
    for levels in messages:
        _message(book, levels)
        taken = _take(book, contract_size)
        whole = _whole(book, contract_size)
        assert isinstance(taken, OrderBook)
        assert (taken.seq, taken.ts_ns) == (whole.seq, whole.ts_ns)
        assert np.array_equal(taken.bids, whole.bids) and np.array_equal(taken.asks, whole.asks)
        # Levels cut past the depth by a new better one count as removed, as in a whole diff.
        assert taken.changes is not None and taken.changes.prev_seq == previous.seq
        assert sorted(taken.changes.bids) == sorted(level_changes(previous.bids.tolist(), whole.bids.tolist()))
        assert sorted(taken.changes.asks) == sorted(level_changes(previous.asks.tolist(), whole.asks.tolist()))
        previous = taken


def test_a_resync_snapshot_is_taken_whole() -> None:
    book = _ccxt_book()
    _take(book)
    _message(book, [(True, 100.0, 9.0)])
    book.reset({"bids": [[99.0, 1.0]], "asks": [[102.0, 1.0]], "nonce": 50, "timestamp": 5_000})
    taken = _take(book)
    assert isinstance(taken, OrderBook) and taken.changes is None
    assert taken.bids.tolist() == [[99.0, 1.0]] and taken.seq == 50
    _message(book, [(False, 101.5, 2.0)])
    after = _take(book)
    assert isinstance(after, OrderBook) and after.changes is not None and after.changes.prev_seq == 50


def test_a_stored_level_that_is_not_a_number_is_malformed_not_trusted() -> None:
    book = _ccxt_book()
    _take(book)
    _message(book, [(True, 100.0, "lots")])  # an exchange handler that stored the wire's string
    assert _take(book) is ReasonCode.MALFORMED
    # Malformed breaks the chain: the next take is whole (and malformed while the level stays).
    _message(book, [(True, 100.0, 2.0)])
    fixed = _take(book)
    assert isinstance(fixed, OrderBook) and fixed.changes is None


def test_a_nonce_that_does_not_move_forward_is_taken_whole() -> None:
    book = _ccxt_book()
    _take(book)
    _message(book, [(True, 100.0, 2.0)])
    book["nonce"] = 3
    taken = _take(book)
    assert isinstance(taken, OrderBook) and taken.changes is None and taken.seq == 3


def test_a_book_deeper_than_ours_is_taken_whole() -> None:
    book = _ccxt_book(depth=DEPTH + 3)
    _take(book)
    _message(book, [(True, 100.0, 2.0)])
    taken = _take(book)
    assert isinstance(taken, OrderBook) and taken.changes is None and len(taken.bids) == DEPTH


def test_a_book_ccxt_did_not_build_through_the_tap_is_taken_whole() -> None:
    raw = {"bids": [[100.0, 1.0]], "asks": [[101.0, 1.0]], "nonce": 5, "timestamp": 1_000}
    taken = _take(raw)
    assert isinstance(taken, OrderBook) and taken.changes is None
