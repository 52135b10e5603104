"""The engine's book of positions and PnL, built from fills and marked to book mids.

Equity = initial equity + realised PnL (fees already deducted) + unrealised PnL at the
latest marks. A position with no mark yet is marked at its first fill's price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hft_tui.model import Fill, Position


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    """A read-only view of the portfolio at ``ts_ns``; amounts in quote currency."""

    ts_ns: int
    initial_equity: float
    equity: float
    realized_pnl: float
    unrealized_pnl: float
    fees_paid: float
    day_pnl: float
    day_start_ts_ns: int
    high_water_mark: float
    drawdown_pct: float
    gross_exposure: float
    net_exposure: float
    positions: tuple[Position, ...]
    notional_by_symbol: Mapping[str, float]
    marks: Mapping[str, float]


class Portfolio:
    """Positions per symbol, marks, equity, exposure, day PnL and high-water mark."""

    def __init__(self, initial_equity: float) -> None:
        self.initial_equity = initial_equity
        self.outside_pnl = 0.0  # LIVE: see follow_account
        self._positions: dict[str, Position] = {}
        # The open (non-flat) positions, in ``_positions`` order: equity is summed over these
        # on every book, and in the same order as over all positions, so to the same bit.
        self._open: tuple[tuple[str, Position], ...] = ()
        # Positions are immutable: one flat position per never-traded symbol serves every
        # ``position()`` call (the risk path asks once per book).
        self._flat: dict[str, Position] = {}
        self._marks: dict[str, float] = {}
        self._realized = 0.0
        self._fees = 0.0
        self._day_start_equity = initial_equity
        self._day_start_ts_ns = 0
        self._high_water = initial_equity
        self._last_ts_ns = 0

    def on_fill(self, fill: Fill) -> Position:
        """Apply ``fill``; returns the symbol's new position."""
        before = self.position(fill.symbol)
        after = before.apply(fill)
        self._positions[fill.symbol] = after
        self._index_open()
        self._realized += after.realized_pnl - before.realized_pnl
        self._fees += fill.fee
        self._marks.setdefault(fill.symbol, fill.price)
        self._last_ts_ns = max(self._last_ts_ns, fill.ts_ns)
        self._update_high_water()
        return after

    def restore(self, positions: Mapping[str, Position], realized_pnl: float, fees_paid: float) -> None:
        """Set the state recovered from the WAL (marks start at the entry prices)."""
        self._positions = dict(positions)
        self._index_open()
        self._realized = realized_pnl
        self._fees = fees_paid
        for symbol, position in positions.items():
            self._marks.setdefault(symbol, position.avg_entry)
        self._day_start_equity = self.equity()
        self._update_high_water()

    def rebase(self, equity: float) -> None:
        """LIVE, the session's first account read: make ``equity()`` the account's ``equity``
        as the exchange reported it (what the engine's positions and PnL do not explain moves
        into the base its PnL counts from)."""
        self.initial_equity += equity - self.equity()
        self._update_high_water()

    def follow_account(self, equity: float) -> None:
        """LIVE, later account reads: make ``equity()`` the account's ``equity``, keeping what
        the engine's fills do not explain (deposits, withdrawals, holdings outside the engine
        moving in price, funding) apart in ``outside_pnl``, which ``trading_equity`` leaves out."""
        self.outside_pnl += equity - self.equity()
        self._update_high_water()

    def mark(self, symbol: str, price: float, ts_ns: int = 0) -> None:
        """Mark ``symbol`` at ``price`` (a book mid)."""
        self._marks[symbol] = price
        if ts_ns > self._last_ts_ns:
            self._last_ts_ns = ts_ns
        for open_symbol, _ in self._open:
            if open_symbol == symbol:
                self._update_high_water()
                break

    def mark_price(self, symbol: str) -> float | None:
        """The latest mark of ``symbol`` (None before its first book, candle or fill)."""
        return self._marks.get(symbol)

    def position(self, symbol: str) -> Position:
        """The position in ``symbol`` (flat if never traded)."""
        position = self._positions.get(symbol)
        if position is None:
            position = self._flat.get(symbol)
            if position is None:
                position = self._flat[symbol] = Position(symbol)
        return position

    def positions(self) -> dict[str, Position]:
        """Every non-flat position by symbol."""
        return dict(self._open)

    def realized_pnl(self) -> float:
        """Realised PnL net of fees since the start."""
        return self._realized

    def unrealized_pnl(self) -> float:
        """PnL of open positions at the latest marks."""
        return unrealized_at(self._open, self._marks)

    def equity(self) -> float:
        """Initial equity + realised + unrealised, and what moved the account outside the engine."""
        return self.trading_equity() + self.outside_pnl

    def trading_equity(self) -> float:
        """Initial equity + realised + unrealised: what the engine's own trading made of it,
        the equity the risk guard judges."""
        if not self._open:
            # marked_equity with no open position, to the bit (its sum over none adds 0), as
            # the risk path asks on every book.
            return self.initial_equity + self._realized + 0.0
        return marked_equity(self.initial_equity, self._realized, self._open, self._marks)

    def notional(self, symbol: str) -> float:
        """Signed notional of the position in ``symbol`` at its mark (short < 0)."""
        position = self._positions.get(symbol)
        if position is None or position.is_flat:
            return 0.0
        return position.qty * self._marks[symbol]

    def gross_exposure(self) -> float:
        """Sum of absolute position notionals."""
        return sum(abs(self.notional(s)) for s in self._positions)

    def net_exposure(self) -> float:
        """Sum of signed position notionals."""
        return sum(self.notional(s) for s in self._positions)

    def day_pnl(self) -> float:
        """Equity change since the day started."""
        return self.equity() - self._day_start_equity

    def resume_day(self, ts_ns: int, start_equity: float) -> None:
        """After a restart: the trading day that began at ``ts_ns`` with ``start_equity``
        (the risk guard's, recovered from the WAL) goes on; day PnL does not restart at 0."""
        self._day_start_equity = start_equity
        self._day_start_ts_ns = ts_ns

    def reset_day(self, ts_ns: int) -> None:
        """Start a new trading day at ``ts_ns``: day PnL counts from the current equity."""
        self._day_start_equity = self.equity()
        self._day_start_ts_ns = ts_ns

    @property
    def high_water_mark(self) -> float:
        """Highest equity seen (at fills and marks)."""
        return self._high_water

    def snapshot(self) -> PortfolioSnapshot:
        """A frozen copy of the portfolio's state."""
        unrealized = self.unrealized_pnl()
        equity = self.initial_equity + self._realized + unrealized
        notionals = {s: self.notional(s) for s in sorted(self._positions)
                     if not self._positions[s].is_flat}
        drawdown = (self._high_water - equity) / self._high_water if self._high_water > 0 else 0.0
        return PortfolioSnapshot(
            ts_ns=self._last_ts_ns,
            initial_equity=self.initial_equity,
            equity=equity,
            realized_pnl=self._realized,
            unrealized_pnl=unrealized,
            fees_paid=self._fees,
            day_pnl=equity - self._day_start_equity,
            day_start_ts_ns=self._day_start_ts_ns,
            high_water_mark=self._high_water,
            drawdown_pct=max(drawdown, 0.0) * 100.0,
            gross_exposure=sum(abs(v) for v in notionals.values()),
            net_exposure=sum(notionals.values()),
            positions=tuple(self._positions[s] for s in notionals),
            notional_by_symbol=MappingProxyType(notionals),
            marks=MappingProxyType(dict(sorted(self._marks.items()))),
        )

    def _index_open(self) -> None:
        self._open = tuple((s, p) for s, p in self._positions.items() if not p.is_flat)

    def _update_high_water(self) -> None:
        equity = self.equity()
        if equity > self._high_water:
            self._high_water = equity


def unrealized_at(open_positions: Iterable[tuple[str, Position]], marks: Mapping[str, Any]) -> Any:
    """The open positions' PnL at ``marks``, summed in position order; a mark may be an array (a
    symbol's closes over time), and so is then the sum."""
    return sum((marks[symbol] - p.avg_entry) * p.qty for symbol, p in open_positions)


def marked_equity(initial_equity: float, realized_pnl: float, open_positions: Iterable[tuple[str, Position]],
                  marks: Mapping[str, Any]) -> Any:
    """Initial equity + realised PnL + the open positions at ``marks``: the one formula of the
    portfolio's trading equity, and (with arrays of closes for marks) of the vectorised candle
    backtest's equity curve between the bars it decides."""
    return initial_equity + realized_pnl + unrealized_at(open_positions, marks)
