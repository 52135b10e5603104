"""What a streamed book changed since the one delivered before it.

A ccxt book is a whole book each time (ccxt applies the exchange's diffs to its own copy);
the engine's readers want the few levels an update touched. ``with_changes`` finds them by
comparing the book with the previous one of the same stream, and attaches them only where
they can be trusted: the book continues the previous one's sequence numbers and its sides
are in order (the sanitizer, judging an update by its changes, leaves the order to the feed).
"""

from __future__ import annotations

from dataclasses import replace

from hft_tui.model import BookChanges, OrderBook, level_changes


def with_changes(previous: OrderBook | None, book: OrderBook) -> OrderBook:
    """``book`` with its changes since ``previous`` (the book delivered before it), or as it
    is (a snapshot) when there is nothing to extend."""
    if previous is None or book.changes is not None or not 0 < previous.seq < book.seq:
        return book
    bids = book.bids.tolist()
    asks = book.asks.tolist()
    if not (_strictly(bids, descending=True) and _strictly(asks, descending=False)):
        return book
    changes = BookChanges(previous.seq, level_changes(previous.bids.tolist(), bids),
                          level_changes(previous.asks.tolist(), asks))
    return replace(book, changes=changes)


def _strictly(levels: list[list[float]], *, descending: bool) -> bool:
    prices = [level[0] for level in levels]
    if descending:
        return all(a > b for a, b in zip(prices, prices[1:]))
    return all(a < b for a, b in zip(prices, prices[1:]))
