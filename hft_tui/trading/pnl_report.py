"""Realised PnL of closed trades over the risk guard's trading calendar: today, this week,
this month or all time, per strategy and per symbol, per trading day, and the curve of its
running total. The trading day starts at ``risk.daily_reset_utc`` (the guard's day); a week
starts on the Monday's trading day, a month on the 1st's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hft_tui.risk.drb_guard import DAY_NS
from hft_tui.wal.record_types import TradeClosed

_EPOCH = dt.date(1970, 1, 1)


class Period(StrEnum):
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


def day_offset_ns(day_start_ts_ns: int) -> int:
    """How long after UTC midnight the trading day that began at ``day_start_ts_ns`` starts."""
    return day_start_ts_ns % DAY_NS


def trading_date(ts_ns: int, day_offset_ns: int) -> dt.date:
    """The date of the trading day ``ts_ns`` falls in (days start ``day_offset_ns`` after UTC midnight)."""
    return _EPOCH + dt.timedelta(days=(ts_ns - day_offset_ns) // DAY_NS)


def period_start_ns(period: Period, now_ns: int, day_offset_ns: int) -> int:
    """When ``period`` began, as of ``now_ns``: 0 for all time."""
    today = trading_date(now_ns, day_offset_ns)
    if period is Period.TODAY:
        first = today
    elif period is Period.WEEK:
        first = today - dt.timedelta(days=today.weekday())
    elif period is Period.MONTH:
        first = today.replace(day=1)
    else:
        return 0
    return (first - _EPOCH).days * DAY_NS + day_offset_ns


@dataclass(frozen=True, slots=True)
class PnlGroup:
    """Trades, wins, PnL (net of fees) and fees under one key; fees are None when a trade
    among them was journaled before ``trade_closed`` carried its fees."""

    key: str
    trades: int
    wins: int
    pnl: float
    fees: float | None

    @property
    def win_pct(self) -> float:
        return 100.0 * self.wins / self.trades if self.trades else 0.0


def pnl_by(trades: Iterable[TradeClosed], key: Callable[[TradeClosed], str]) -> list[PnlGroup]:
    """Trades, wins, PnL and fees per ``key`` (in order of first appearance)."""
    groups: dict[str, list[TradeClosed]] = {}
    for trade in trades:
        groups.setdefault(key(trade), []).append(trade)
    return [_group(k, v) for k, v in groups.items()]


def _group(key: str, trades: Sequence[TradeClosed]) -> PnlGroup:
    known = [t.known_fees for t in trades]
    fees = None if None in known else sum(f or 0.0 for f in known)
    return PnlGroup(key, len(trades), sum(1 for t in trades if t.pnl > 0), sum(t.pnl for t in trades), fees)


@dataclass(frozen=True, slots=True)
class PnlReport:
    """The realised PnL of one period; ``curve`` is (exit time, running PnL) per trade."""

    period: Period
    since_ns: int
    total: PnlGroup
    by_strategy: tuple[PnlGroup, ...]
    by_symbol: tuple[PnlGroup, ...]
    by_day: tuple[PnlGroup, ...]
    curve: tuple[tuple[int, float], ...]


def pnl_report(trades: Iterable[TradeClosed], period: Period, now_ns: int, day_offset_ns: int) -> PnlReport:
    """The trades closed in ``period`` (as of ``now_ns``), summed every way the views show."""
    since = period_start_ns(period, now_ns, day_offset_ns)
    chosen = sorted((t for t in trades if t.exit_ts_ns >= since), key=lambda t: t.exit_ts_ns)
    running, curve = 0.0, []
    for trade in chosen:
        running += trade.pnl
        curve.append((trade.exit_ts_ns, running))
    return PnlReport(
        period, since, _group("total", chosen),
        tuple(pnl_by(chosen, lambda t: t.strategy)), tuple(pnl_by(chosen, lambda t: t.symbol)),
        tuple(pnl_by(chosen, lambda t: trading_date(t.exit_ts_ns, day_offset_ns).isoformat())),
        tuple(curve))
