"""The quantity resting in the top N levels of each side of a book, kept from each update's
changes instead of summed again.

Quantities are summed as whole units of 1e-8 (``depth_units``): integer sums are exact in
any order, so the running sum after any chain of updates equals the sum of the book's
levels read afresh, to the unit, and the imbalance drawn from it does not drift.
"""

from __future__ import annotations

import numpy as np

from hft_tui.model import LevelChange, OrderBook

_UNITS_PER_QTY = 1e8


def depth_units(qty: float) -> int:
    """A quantity as whole 1e-8 units (the sum's own currency)."""
    return round(qty * _UNITS_PER_QTY)


class TopDepth:
    """The units resting in the best ``levels`` levels of one side."""

    __slots__ = ("_levels", "_bids", "units", "_count", "_edge")

    def __init__(self, levels: int, bids: bool) -> None:
        self._levels = levels
        self._bids = bids
        self.units = 0
        self._count = 0  # levels summed: min(levels, the side's depth)
        self._edge: float | None = None  # price of the last level summed; None: the whole side

    def read(self, side: np.ndarray) -> None:
        """Sum the side afresh."""
        top = side[: self._levels].tolist()
        self.units = sum(depth_units(qty) for _, qty in top)
        self._follow(len(top), side)

    def apply(self, changes: tuple[LevelChange, ...], side: np.ndarray) -> None:
        """Follow one update: ``changes`` took the previous book's side to ``side``."""
        edge = self._edge
        units = self.units
        count = self._count
        bids = self._bids
        for price, old_qty, new_qty in changes:
            if edge is None or (price >= edge if bids else price <= edge):
                units += round(new_qty * _UNITS_PER_QTY) - round(old_qty * _UNITS_PER_QTY)
                if not old_qty:
                    count += 1
                elif not new_qty:
                    count -= 1
        # ``count`` levels now sit at or better than the old edge, a prefix of the side:
        # give back what went past the top ``levels``, take in what moved up into them.
        levels = self._levels
        depth = len(side)
        for i in range(levels, count):
            units -= depth_units(side.item(i, 1))
        for i in range(count, min(levels, depth)):
            units += depth_units(side.item(i, 1))
        self.units = units
        self._follow(min(levels, depth), side)

    def _follow(self, count: int, side: np.ndarray) -> None:
        self._count = count
        self._edge = side.item(count - 1, 0) if count == self._levels else None


class BookDepth:
    """Both sides' top-``levels`` sums of one symbol's book, for the book of ``seq``."""

    __slots__ = ("bids", "asks", "seq")

    def __init__(self, levels: int) -> None:
        self.bids = TopDepth(levels, True)
        self.asks = TopDepth(levels, False)
        self.seq: int | None = None

    def update(self, book: OrderBook) -> None:
        """Follow ``book``: from its changes when they extend the book summed last, else afresh."""
        changes = book.changes
        if changes is not None and changes.prev_seq == self.seq:
            self.bids.apply(changes.bids, book.bids)
            self.asks.apply(changes.asks, book.asks)
        else:
            self.bids.read(book.bids)
            self.asks.read(book.asks)
        self.seq = book.seq

    def imbalance(self) -> float | None:
        """(bid - ask) / (bid + ask) over the top levels, in [-1, 1]; None on an empty book."""
        bid = self.bids.units
        total = bid + self.asks.units
        return None if total <= 0 else (bid - self.asks.units) / total
