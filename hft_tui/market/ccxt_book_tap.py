"""Our books taken from what changed in ccxt.pro's, as its tapped books log it.

ccxt applies an exchange's diff-depth messages to its own book and hands the whole book
over. Converting all of it and comparing it with the book before, on every update that
changed two or three levels, cost more than the update (the live profile's ``is_number``
and ``book_diff``). The exchange's books are tapped (``ccxt_tapped_book``): each notes the
price of every level stored into it and forgets its last take when reset to a snapshot.
``take_book`` then converts only those levels into the update's ``BookChanges`` and copies
the arrays in one C call. It is compiled with the hot path (``compiled_modules.txt``); the
tapped books, subclasses of ccxt's Python classes, are not.

The fast path is only for the plain case: a tapped book taken before, not reset since,
no deeper than ours, its sequence moving forward, its stamp and every stored level plain
numbers. Anything else (a first book, a resync's snapshot, a REST poll, an exchange whose
books have other shapes) is converted whole by ``book_from_ccxt`` and delivered as a
snapshot, which the sanitizer then judges whole.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np

from hft_tui.market.ccxt_convert import book_from_ccxt
from hft_tui.market.sanitizer import MAX_TS_MS, is_number
from hft_tui.model import BookChanges, LevelChange, OrderBook, ReasonCode

_chain = itertools.chain.from_iterable


class Taken(NamedTuple):
    """What the last take of a ccxt book saw: its nonce and each side as price -> qty.

    The levels are ccxt's, unchecked until a take reads them: typed ``Any``, so the compiled
    build neither rejects a level that is not a float nor turns an int into one."""

    seq: int
    bids: dict[Any, Any]
    asks: dict[Any, Any]


def take_book(symbol: str, raw: Any, *, received_ms: int, depth: int,
              contract_size: float = 1.0) -> OrderBook | ReasonCode:
    """``raw`` as our book: with the changes since its last take when it is a tapped book in
    the plain case, else converted whole (a snapshot); or why it is malformed."""
    taken = getattr(raw, "taken", None)
    if taken is not None:
        changed = _changed(symbol, raw, taken, depth, contract_size)
        if changed is not None:
            return changed
    book = book_from_ccxt(symbol, raw, received_ms=received_ms, depth=depth, contract_size=contract_size)
    if hasattr(raw, "taken"):
        raw.taken = None if isinstance(book, ReasonCode) else _remember(raw, book.seq, depth)
    return book


def _remember(raw: Any, seq: int, depth: int) -> Taken | None:
    """The state the next take starts from (None: it cannot, take it whole again)."""
    bids, asks = raw["bids"], raw["asks"]
    bids.touched.clear()
    asks.touched.clear()
    if seq <= 0 or len(bids) > depth or len(asks) > depth:
        return None
    try:
        return Taken(seq, dict(bids), dict(asks))
    except (TypeError, ValueError):  # levels that are not [price, qty] pairs
        return None


def _changed(symbol: str, raw: Any, taken: Taken, depth: int, contract_size: float) -> OrderBook | None:
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
    raw.taken = Taken(nonce, new_bids, new_asks)
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


def _side_changes(old: dict[Any, Any], new: dict[Any, Any], touched: list[Any],
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
