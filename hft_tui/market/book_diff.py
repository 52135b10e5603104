"""What a streamed book changed since the one delivered before it.

A ccxt book is a whole book each time (ccxt applies the exchange's diffs to its own copy);
the engine's readers want the few levels an update touched. Most books come with them, taken
from the levels ccxt stored (``ccxt_book_tap``); ``superseded`` keeps them right when a newer
book replaces an undelivered one, and ``with_changes`` finds them for the rest by comparing
the book with the previous one delivered, attaching them only where they can be trusted: the
book continues the previous one's sequence numbers and its sides are in order (the sanitizer,
judging an update by its changes, leaves the order to the feed).
"""

from __future__ import annotations

from dataclasses import replace

from hft_tui.model import BookChanges, LevelChange, OrderBook, level_changes


def with_changes(previous: OrderBook | None, book: OrderBook) -> OrderBook:
    """``book`` with its changes since ``previous`` (the book delivered before it), or as a
    snapshot when there is nothing to extend. Changes the book carries are kept when they
    are against ``previous``."""
    if book.changes is not None:
        if previous is not None and book.changes.prev_seq == previous.seq:
            return book
        book = replace(book, changes=None)
    if previous is None or not 0 < previous.seq < book.seq:
        return book
    bids = book.bids.tolist()
    asks = book.asks.tolist()
    if not (_strictly(bids, descending=True) and _strictly(asks, descending=False)):
        return book
    changes = BookChanges(previous.seq, level_changes(previous.bids.tolist(), bids),
                          level_changes(previous.asks.tolist(), asks))
    return replace(book, changes=changes)


def superseded(pending: OrderBook, book: OrderBook) -> OrderBook:
    """``book``, replacing the undelivered ``pending``, with the changes of both: against the
    book ``pending`` changed (None, a snapshot, unless both carry changes in a chain)."""
    first, second = pending.changes, book.changes
    if second is None:
        return book
    if first is None or second.prev_seq != pending.seq:
        return replace(book, changes=None)
    return replace(book, changes=BookChanges(first.prev_seq, _merged(first.bids, second.bids),
                                             _merged(first.asks, second.asks)))


def _merged(first: tuple[LevelChange, ...], second: tuple[LevelChange, ...]) -> tuple[LevelChange, ...]:
    """One side's changes of two updates in a row: each level's quantity before the first
    and after the second; levels that came back to where they were drop out."""
    if not first:
        return second
    merged = {change.price: change for change in first}
    for price, old_qty, new_qty in second:
        before = merged.get(price)
        merged[price] = LevelChange(price, old_qty if before is None else before.old_qty, new_qty)
    return tuple(change for change in merged.values() if change.old_qty != change.new_qty)


def _strictly(levels: list[list[float]], *, descending: bool) -> bool:
    prices = [level[0] for level in levels]
    if descending:
        return all(a > b for a, b in zip(prices, prices[1:]))
    return all(a < b for a, b in zip(prices, prices[1:]))
