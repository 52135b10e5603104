"""Changes found by comparing a streamed book with the one delivered before it."""

from __future__ import annotations

from hft_tui.market.book_diff import with_changes
from hft_tui.model import LevelChange, OrderBook

BIDS = [(100.0, 1.0), (99.9, 2.0), (99.8, 3.0)]
ASKS = [(100.1, 1.0), (100.2, 2.0)]


def _book(seq: int, bids=BIDS, asks=ASKS) -> OrderBook:
    return OrderBook.from_levels("BTC/USDT", seq, seq, bids, asks)


def test_a_book_that_continues_the_sequence_carries_what_it_changed() -> None:
    book = with_changes(_book(7), _book(9, [(100.0, 1.5), (99.9, 2.0)], [(100.05, 0.5)] + ASKS))
    assert book.changes is not None and book.changes.prev_seq == 7
    assert set(book.changes.bids) == {LevelChange(100.0, 1.0, 1.5), LevelChange(99.8, 3.0, 0.0)}
    assert book.changes.asks == (LevelChange(100.05, 0.0, 0.5),)


def test_a_first_book_a_restarted_sequence_or_no_sequence_is_a_snapshot() -> None:
    assert with_changes(None, _book(9)).changes is None
    assert with_changes(_book(9), _book(3)).changes is None
    assert with_changes(_book(0), _book(0)).changes is None


def test_a_book_with_sides_out_of_order_is_left_to_the_full_check() -> None:
    assert with_changes(_book(1), _book(2, [(99.9, 2.0), (100.0, 1.0)])).changes is None
    assert with_changes(_book(1), _book(2, BIDS, [(100.2, 2.0), (100.1, 1.0)])).changes is None
