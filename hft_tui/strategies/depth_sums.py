"""The quantity resting in the top N levels of each side of a book, kept from each update's
changes instead of summed again.

Quantities are summed as whole units of 1e-8 (``depth_units``): integer sums are exact in
any order, so the running sum after any chain of updates equals the sum of the book's
levels read afresh, to the unit, and the imbalance drawn from it does not drift.
"""

from __future__ import annotations

from math import floor, inf
from typing import Final

import numpy as np

from hft_tui.model import LevelChange, OrderBook

_UNITS_PER_QTY: Final = 1e8


def depth_units(qty: float) -> int:
    """A quantity as whole 1e-8 units (the sum's own currency): ``round(qty * 1e8)``, to the unit.

    Written with ``floor`` because compiled (mypyc) ``floor`` is native where ``round`` is a
    call into the interpreter (~1.1k instructions). ``scaled - units`` is exact (the fraction
    of a float is a float), so the nearest integer, ties to even, comes out as round's.
    """
    scaled = qty * _UNITS_PER_QTY
    units = floor(scaled)
    rest = scaled - units
    if rest > 0.5 or (rest == 0.5 and units & 1):
        return units + 1
    return units


class TopDepth:
    """The units resting in the best ``levels`` levels of one side."""

    __slots__ = ("_levels", "_bids", "units", "_count", "_edge")

    def __init__(self, levels: int, bids: bool) -> None:
        self._levels = levels
        self._bids = bids
        self.units = 0
        self._count = 0  # levels summed: min(levels, the side's depth)
        # A price the summed levels are at or better than and the others past (the last one
        # summed's when read); None: the whole side is summed.
        self._edge: float | None = None

    def read(self, side: np.ndarray) -> None:
        """Sum the side afresh."""
        top = side[: self._levels].tolist()
        self.units = sum(depth_units(qty) for _, qty in top)
        self._follow(len(top), side)

    def apply(self, changes: tuple[LevelChange, ...], side: np.ndarray) -> None:
        """Follow one update: ``changes`` took the previous book's side to ``side``."""
        count = self._count
        units = self.units
        bids = self._bids
        edge = self._edge
        reach = edge if edge is not None else (-inf if bids else inf)
        for price, old_qty, new_qty in changes:
            if price >= reach if bids else price <= reach:
                units += depth_units(new_qty) - depth_units(old_qty)
                if not old_qty:
                    count += 1
                elif not new_qty:
                    count -= 1
        levels = self._levels
        self.units = units
        if count == levels and edge is not None:
            return  # still the top levels at or better than the edge, the rest past it
        # ``count`` levels now sit at or better than the old edge, a prefix of the side:
        # give back what went past the top ``levels``, take in what moved up into them.
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
