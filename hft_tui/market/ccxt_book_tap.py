"""ccxt.pro books that log the levels they store, and our books taken from what changed.

ccxt applies an exchange's diff-depth messages to its own book and hands the whole book
over. Converting all of it and comparing it with the book before, on every update that
changed two or three levels, cost more than the update (the live profile's ``is_number``
and ``book_diff``). ``tap_order_books`` replaces the exchange's ``order_book`` factory, so
the books it builds note the price of every level stored into them (``storeArray``: the
levels of a diff message and of a snapshot both go through it) and say when they were
reset to a snapshot (a resync). ``take_book`` then converts only those levels into the
update's ``BookChanges`` and copies the arrays in one C call.

The fast path is only for the plain case: a tapped book taken before, not reset since,
no deeper than ours, its sequence moving forward, its stamp and every stored level plain
numbers. Anything else (a first book, a resync's snapshot, a REST poll, an exchange whose
books have other shapes) is converted whole by ``book_from_ccxt`` and delivered as a
snapshot, which the sanitizer then judges whole.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from hft_tui.market.ccxt_convert import book_from_ccxt
from hft_tui.market.sanitizer import MAX_TS_MS, is_number
from hft_tui.model import BookChanges, LevelChange, OrderBook, ReasonCode

_chain = itertools.chain.from_iterable


class _Taken(NamedTuple):
    """What the last take of a ccxt book saw: its nonce and each side as price -> qty."""

    seq: int
    bids: dict[float, float]
    asks: dict[float, float]


class _LoggedSide:
    """Mixed into ccxt's ``Asks``/``Bids``: notes the price of every level stored."""

    touched: list[Any]

    def __init__(self, deltas: Iterable[Any] = (), depth: int | None = None) -> None:
        self.touched = []
        super().__init__(deltas, depth)  # type: ignore[call-arg]

    def storeArray(self, delta: Any) -> None:  # noqa: N802 - ccxt's name
        self.touched.append(delta[0])
        super().storeArray(delta)  # type: ignore[misc]


@cache
def _tapped_book_class() -> type:
    """ccxt's ``OrderBook`` with logged sides, forgetting its last take when reset."""
    from ccxt.async_support.base.ws.order_book import OrderBook as CcxtBook
    from ccxt.async_support.base.ws.order_book_side import Asks, Bids

    asks_class = type("TappedAsks", (_LoggedSide, Asks), {})
    bids_class = type("TappedBids", (_LoggedSide, Bids), {})

    class TappedBook(CcxtBook):  # type: ignore[misc,valid-type]
        def __init__(self, snapshot: dict[str, Any] | None = None, depth: int | None = None) -> None:
            snapshot = snapshot or {}
            self.taken: _Taken | None = None
            depth = depth or sys.maxsize
            super().__init__({**snapshot, "asks": asks_class(snapshot.get("asks", []), depth),
                              "bids": bids_class(snapshot.get("bids", []), depth)}, depth)

        def reset(self, snapshot: dict[str, Any] | None = None) -> None:
            self.taken = None  # a snapshot: the next take is whole
            super().reset(snapshot or {})

    return TappedBook


def tap_order_books(exchange: Any) -> None:
    """Make ``exchange`` build books that log their stored levels (call before any watch)."""
    book_class = _tapped_book_class()

    def order_book(snapshot: dict[str, Any] | None = None, depth: int | None = None) -> Any:
        return book_class(snapshot, depth)

    exchange.order_book = order_book


def take_book(symbol: str, raw: Any, *, received_ms: int, depth: int,
              contract_size: float = 1.0) -> OrderBook | ReasonCode:
    """``raw`` as our book: with the changes since its last take when it is a tapped book in
    the plain case, else converted whole (a snapshot); or why it is malformed."""
    taken = getattr(raw, "taken", None)
    if taken is not None:
        book = _changed(symbol, raw, taken, depth, contract_size)
        if book is not None:
            return book
    book = book_from_ccxt(symbol, raw, received_ms=received_ms, depth=depth, contract_size=contract_size)
    if hasattr(raw, "taken"):
        raw.taken = None if isinstance(book, ReasonCode) else _remember(raw, book.seq, depth)
    return book


def _remember(raw: Any, seq: int, depth: int) -> _Taken | None:
    """The state the next take starts from (None: it cannot, take it whole again)."""
    bids, asks = raw["bids"], raw["asks"]
    bids.touched.clear()
    asks.touched.clear()
    if seq <= 0 or len(bids) > depth or len(asks) > depth:
        return None
    try:
        return _Taken(seq, dict(bids), dict(asks))
    except (TypeError, ValueError):  # levels that are not [price, qty] pairs
        return None


def _changed(symbol: str, raw: Any, taken: _Taken, depth: int, contract_size: float) -> OrderBook | None:
    """The book with its changes since ``taken``; None when only a whole take can say."""
    bids, asks = raw["bids"], raw["asks"]
    nonce, ts = raw.get("nonce"), raw.get("timestamp")
    if not (type(nonce) is int and taken.seq < nonce and type(ts) is int and 0 <= ts <= MAX_TS_MS):
        return None
    if len(bids) > depth or len(asks) > depth:
        return None
    try:
        new_bids, new_asks = dict(bids), dict(asks)
    except (TypeError, ValueError):
        return None
    bid_changes = _side_changes(taken.bids, new_bids, bids.touched, contract_size)
    ask_changes = _side_changes(taken.asks, new_asks, asks.touched, contract_size)
    if bid_changes is None or ask_changes is None:
        return None
    bids.touched.clear()
    asks.touched.clear()
    raw.taken = _Taken(nonce, new_bids, new_asks)
    # Every level is a [price, qty] pair (the dicts above said so), every value a number:
    # those not stored since the last take were taken then.
    bid_arr = np.fromiter(_chain(bids), np.float64, 2 * len(bids))
    ask_arr = np.fromiter(_chain(asks), np.float64, 2 * len(asks))
    if contract_size != 1.0:
        scale = np.array([1.0, contract_size])
        with np.errstate(all="ignore"):  # an absurd size overflows to inf: the sanitizer's to judge
            bid_arr = bid_arr.reshape(-1, 2) * scale
            ask_arr = ask_arr.reshape(-1, 2) * scale
    return OrderBook.from_levels(symbol, ts * 1_000_000, nonce, bid_arr, ask_arr,
                                 BookChanges(taken.seq, bid_changes, ask_changes))


def _side_changes(old: dict[float, float], new: dict[float, float], touched: list[Any],
                  contract_size: float) -> tuple[LevelChange, ...] | None:
    """One side's changes: the stored levels whose quantity moved, and the levels ccxt cut
    off past its depth (stored nowhere); None if a stored level is not a plain number or the
    changes do not account for the side's depth."""
    changes = []
    seen = set()
    count = len(old)
    for price in touched:
        if price in seen:
            continue
        seen.add(price)
        before = old.get(price, 0.0)
        after = new.get(price, 0.0)
        if before == after:
            continue
        if not (is_number(price) and is_number(after)):
            return None
        count += (not before) - (not after)
        changes.append(LevelChange(price, before * contract_size, after * contract_size))
    if count != len(new):
        for price, qty in old.items():
            if price not in new and price not in seen:
                count -= 1
                changes.append(LevelChange(price, qty * contract_size, 0.0))
        if count != len(new):
            return None
    return tuple(changes)
