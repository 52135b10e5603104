"""Closed trades across every session, as the WAL's ``trade_closed`` records tell them (the
records themselves, ``TradeClosed``): read once from the start, then only what was appended
since (the trades screen keeps up with a running engine this way; ``hft-tui trades`` reads it
once)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from hft_tui.wal.follow import WalFollower
from hft_tui.wal.record_types import TradeClosed


class TradeHistory:
    """Every trade closed in the WAL at ``wal_dir``, oldest first; ``update`` reads on (from
    any thread: one update at a time, and ``trades`` only ever grows at its end)."""

    def __init__(self, wal_dir: Path) -> None:
        self._follower = WalFollower(wal_dir)
        self._lock = threading.Lock()
        self.trades: list[TradeClosed] = []

    def update(self) -> int:
        """Read the trades closed since the last update; returns how many there were."""
        with self._lock:
            before = len(self.trades)
            for record in self._follower.available(only=b'"' + TradeClosed.TYPE.encode() + b'"'):
                if record.type == TradeClosed.TYPE:
                    self.trades.append(TradeClosed.from_payload(record.payload))
            return len(self.trades) - before


def matching(trades: Iterable[TradeClosed], *, symbol: str | None = None,
             strategy: str | None = None) -> list[TradeClosed]:
    """The trades of ``symbol`` and ``strategy`` (either None: any)."""
    return [t for t in trades
            if (symbol is None or t.symbol == symbol) and (strategy is None or t.strategy == strategy)]


def closed_trades(wal_dir: Path, *, symbol: str | None = None, strategy: str | None = None) -> list[TradeClosed]:
    """Every closed trade in the WAL at ``wal_dir``, oldest first, of ``symbol``/``strategy`` if given."""
    history = TradeHistory(wal_dir)
    history.update()
    return matching(history.trades, symbol=symbol, strategy=strategy)
