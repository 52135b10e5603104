"""ccxt.pro books that log the levels they store, for ``ccxt_book_tap.take_book``.

``tap_order_books`` replaces the exchange's ``order_book`` factory, so the books it builds
note the price of every level stored into them (``storeArray``: the levels of a diff message
and of a snapshot both go through it) and forget their last take when reset to a snapshot (a
resync). They subclass ccxt's own Python classes, so this module stays out of the compiled
build; ccxt is imported when the first book is built, not when this module is.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from typing import Any

from hft_tui.market.ccxt_book_tap import Taken


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
            self.taken: Taken | None = None
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
