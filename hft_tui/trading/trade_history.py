"""Closed trades across every session, as the WAL's ``trade_closed`` records tell them, and
their PnL grouped by strategy, symbol or UTC day."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hft_tui.clock import iso_utc
from hft_tui.wal.reader import iter_records


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    strategy: str
    symbol: str
    side: str
    qty: float
    entry_price: float
    exit_price: float
    pnl: float
    entry_ts_ns: int
    exit_ts_ns: int
    exit_reason: str
    entry_reasons: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return (self.exit_ts_ns - self.entry_ts_ns) / 1e9


@dataclass(frozen=True, slots=True)
class PnlGroup:
    key: str
    trades: int
    wins: int
    pnl: float


def closed_trades(wal_dir: Path, *, symbol: str | None = None, strategy: str | None = None) -> list[ClosedTrade]:
    """Every closed trade in the WAL at ``wal_dir``, oldest first, of ``symbol``/``strategy`` if given."""
    trades = []
    for record in iter_records(wal_dir, tolerate_torn_tail=True):
        if record.type != "trade_closed":
            continue
        p = record.payload
        trade = ClosedTrade(str(p["strategy"]), str(p["symbol"]), str(p["side"]), float(p["qty"]),
                            float(p["entry_price"]), float(p["exit_price"]), float(p["pnl"]),
                            int(p["entry_ts_ns"]), int(p["exit_ts_ns"]), str(p.get("exit_reason") or ""),
                            tuple(p.get("entry_reasons") or ()))
        if (symbol is None or trade.symbol == symbol) and (strategy is None or trade.strategy == strategy):
            trades.append(trade)
    return trades


def pnl_by(trades: Iterable[ClosedTrade], key: Callable[[ClosedTrade], str]) -> list[PnlGroup]:
    """Trades, wins and PnL per ``key`` (in order of first appearance)."""
    groups: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        groups.setdefault(key(trade), []).append(trade)
    return [PnlGroup(k, len(v), sum(1 for t in v if t.pnl > 0), sum(t.pnl for t in v)) for k, v in groups.items()]


def utc_day(trade: ClosedTrade) -> str:
    """The UTC date the trade closed on."""
    return iso_utc(trade.exit_ts_ns)[:10]
