"""Changes found by comparing a streamed book with the one delivered before it."""

from __future__ import annotations

from hft_tui.market.book_diff import superseded, with_changes
from hft_tui.model import BookChanges, LevelChange, OrderBook

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


def _changed(seq: int, prev_seq: int, bids=(), asks=()) -> OrderBook:
    book = _book(seq)
    return OrderBook.from_levels("BTC/USDT", seq, seq, book.bids, book.asks,
                                 BookChanges(prev_seq, tuple(bids), tuple(asks)))


def test_changes_a_book_carries_are_kept_only_against_the_book_delivered_before() -> None:
    carried = _changed(9, 7, bids=[LevelChange(100.0, 0.5, 1.0)])
    assert with_changes(_book(7), carried) is carried
    # Against a book the engine never saw: found again by comparing the two books.
    found = with_changes(_book(8, [(100.0, 2.0)] + BIDS[1:]), carried)
    assert found.changes is not None and found.changes.bids == (LevelChange(100.0, 2.0, 1.0),)
    assert with_changes(None, carried).changes is None


def test_a_book_replacing_an_undelivered_one_carries_the_changes_of_both() -> None:
    pending = _changed(8, 7, bids=[LevelChange(100.0, 0.5, 1.0), LevelChange(99.9, 0.0, 2.0)],
                       asks=[LevelChange(100.1, 3.0, 1.0)])
    newer = _changed(9, 8, bids=[LevelChange(99.9, 2.0, 0.0), LevelChange(99.8, 1.0, 3.0)])
    merged = superseded(pending, newer).changes
    assert merged is not None and merged.prev_seq == 7
    # 99.9 came and went: no change at all against book 7.
    assert set(merged.bids) == {LevelChange(100.0, 0.5, 1.0), LevelChange(99.8, 1.0, 3.0)}
    assert merged.asks == (LevelChange(100.1, 3.0, 1.0),)


def test_a_book_replacing_a_snapshot_or_out_of_chain_is_a_snapshot() -> None:
    newer = _changed(9, 8, bids=[LevelChange(100.0, 2.0, 1.0)])
    assert superseded(_book(8), newer).changes is None
    assert superseded(_changed(8, 7), _changed(9, 5)).changes is None
    assert superseded(_changed(8, 7), _book(9)).changes is None
