"""An L2 order book (price and quantity arrays, best first) and its levels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from hft_tui.model.book_changes import BookChanges
from hft_tui.model.slot_setters import set_through_slots


class BookLevel(NamedTuple):
    price: float
    qty: float


@dataclass(frozen=True, slots=True, eq=False, init=False)
class OrderBook:
    """An L2 order book snapshot.

    Levels are ``(n, 2)`` float64 arrays of ``[price, qty]``: bids best (highest) first,
    asks best (lowest) first. The arrays are read-only; a new update is a new book.
    ``changes`` says which levels differ from the book of sequence ``changes.prev_seq`` (a
    diff-depth update); None means a snapshot, where any level may have changed.

    Compiled, this is a native class: its fields are read as struct members, not looked up.
    ``symbol``, ``ts_ns`` and ``seq`` hold whatever a source handed over (``| Any``), as the
    Python class always did: a book that is not market data (the fuzzer's) reaches the
    sanitizer, which rejects it as MALFORMED, instead of failing where it was made.
    """

    symbol: str | Any
    ts_ns: int | Any
    seq: int | Any
    bids: np.ndarray
    asks: np.ndarray
    changes: BookChanges | None = None

    def __init__(self, symbol: str | Any, ts_ns: int | Any, seq: int | Any, bids: np.ndarray, asks: np.ndarray,
                 changes: BookChanges | None = None) -> None:
        object.__setattr__(self, "symbol", symbol)
        object.__setattr__(self, "ts_ns", ts_ns)
        object.__setattr__(self, "seq", seq)
        object.__setattr__(self, "bids", bids)
        object.__setattr__(self, "asks", asks)
        object.__setattr__(self, "changes", changes)

    def __reduce__(self) -> tuple[type[OrderBook], tuple[Any, ...]]:
        return (OrderBook, (self.symbol, self.ts_ns, self.seq, self.bids, self.asks, self.changes))

    @classmethod
    def from_levels(
        cls,
        symbol: str,
        ts_ns: int,
        seq: int,
        bids: list[tuple[float, float]] | list[list[float]] | np.ndarray,
        asks: list[tuple[float, float]] | list[list[float]] | np.ndarray,
        changes: BookChanges | None = None,
    ) -> OrderBook:
        bid_arr = np.asarray(bids, dtype=np.float64).reshape(-1, 2)
        ask_arr = np.asarray(asks, dtype=np.float64).reshape(-1, 2)
        bid_arr.flags.writeable = False
        ask_arr.flags.writeable = False
        return cls(symbol, ts_ns, seq, bid_arr, ask_arr, changes)

    @property
    def best_bid(self) -> float | None:
        return float(self.bids[0, 0]) if len(self.bids) else None

    @property
    def best_ask(self) -> float | None:
        return float(self.asks[0, 0]) if len(self.asks) else None

    @property
    def mid(self) -> float | None:
        if not len(self.bids) or not len(self.asks):
            return None
        return (float(self.bids[0, 0]) + float(self.asks[0, 0])) / 2.0

    @property
    def spread(self) -> float | None:
        if not len(self.bids) or not len(self.asks):
            return None
        return float(self.asks[0, 0]) - float(self.bids[0, 0])

    @property
    def spread_bps(self) -> float | None:
        mid = self.mid
        spread = self.spread
        if mid is None or spread is None or mid <= 0:
            return None
        return spread / mid * 1e4

    def bid_levels(self) -> list[BookLevel]:
        return [BookLevel(float(p), float(q)) for p, q in self.bids]

    def ask_levels(self) -> list[BookLevel]:
        return [BookLevel(float(p), float(q)) for p, q in self.asks]

    def imbalance(self, depth: int = 10) -> float | None:
        """(bid qty - ask qty) / (bid qty + ask qty) over the top ``depth`` levels, in [-1, 1]."""
        bid_qty = float(self.bids[:depth, 1].sum())
        ask_qty = float(self.asks[:depth, 1].sum())
        total = bid_qty + ask_qty
        return None if total <= 0 else (bid_qty - ask_qty) / total


set_through_slots(OrderBook)
# Compiled, mypyc gives a native dataclass its fields' runtime classes as ``__annotations__`` (a
# union becomes ``type``); what reads the type hints (serve/snapshot_codec.py) needs the source's.
setattr(OrderBook, "__annotations__", {"symbol": "str | Any", "ts_ns": "int | Any", "seq": "int | Any",
                                        "bids": "np.ndarray", "asks": "np.ndarray", "changes": "BookChanges | None"})
