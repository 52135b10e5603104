"""Closed trades across every session, as the WAL's ``trade_closed`` records tell them: read
once from the start, then only what was appended since (the trades screen keeps up with a
running engine this way; ``hft-tui trades`` reads it once)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hft_tui.wal.follow import WalFollower
from hft_tui.wal.record_types import ABSENT, TradeClosed

TRADE_CLOSED = TradeClosed.TYPE


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    """One round trip. ``pnl`` is net of fees; ``fees`` is None for a trade journaled before
    ``trade_closed`` carried them."""

    strategy: str
    symbol: str
    side: str
    qty: float
    entry_price: float
    exit_price: float
    pnl: float
    fees: float | None
    entry_ts_ns: int
    exit_ts_ns: int
    exit_reason: str
    entry_reasons: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return (self.exit_ts_ns - self.entry_ts_ns) / 1e9

    @classmethod
    def from_record(cls, payload: Mapping[str, Any]) -> ClosedTrade:
        t = TradeClosed.from_payload(payload)
        fees = None if t.fees is ABSENT or t.fees is None else float(t.fees)
        return cls(str(t.strategy), str(t.symbol), str(t.side), float(t.qty), float(t.entry_price),
                   float(t.exit_price), float(t.pnl), fees, int(t.entry_ts_ns), int(t.exit_ts_ns),
                   str(t.exit_reason or ""), tuple(t.entry_reasons or ()))


class TradeHistory:
    """Every trade closed in the WAL at ``wal_dir``, oldest first; ``update`` reads on (from
    any thread: one update at a time, and ``trades`` only ever grows at its end)."""

    def __init__(self, wal_dir: Path) -> None:
        self._follower = WalFollower(wal_dir)
        self._lock = threading.Lock()
        self.trades: list[ClosedTrade] = []

    def update(self) -> int:
        """Read the trades closed since the last update; returns how many there were."""
        with self._lock:
            before = len(self.trades)
            for record in self._follower.available(only=b'"' + TRADE_CLOSED.encode() + b'"'):
                if record.type == TRADE_CLOSED:
                    self.trades.append(ClosedTrade.from_record(record.payload))
            return len(self.trades) - before


def matching(trades: Iterable[ClosedTrade], *, symbol: str | None = None,
             strategy: str | None = None) -> list[ClosedTrade]:
    """The trades of ``symbol`` and ``strategy`` (either None: any)."""
    return [t for t in trades
            if (symbol is None or t.symbol == symbol) and (strategy is None or t.strategy == strategy)]


def closed_trades(wal_dir: Path, *, symbol: str | None = None, strategy: str | None = None) -> list[ClosedTrade]:
    """Every closed trade in the WAL at ``wal_dir``, oldest first, of ``symbol``/``strategy`` if given."""
    history = TradeHistory(wal_dir)
    history.update()
    return matching(history.trades, symbol=symbol, strategy=strategy)
