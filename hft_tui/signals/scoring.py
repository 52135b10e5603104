"""Strategy scoring from closed trades, the auto-disable rule, and performance by reason code.

Lifetime figures are kept as running tallies. Auto-disable judges only the most recent
``window_trades`` trades since the strategy was last (re-)enabled, so an operator's
re-enable gives it a fresh trial instead of tripping at once on the old record.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hft_tui.model import ClosedTrade, ReasonCode


class AutoDisableLimits(BaseModel):
    """When a strategy's recent record is bad enough to stop trading it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    enabled: bool = Field(True, description="Auto-disable strategies whose score falls below these limits.")
    min_trades: int = Field(20, ge=1, le=10_000, description="Closed trades needed before a strategy is judged.")
    window_trades: int = Field(
        100, ge=1, le=100_000, description="Most recent trades (since the last re-enable) that are judged."
    )
    min_win_rate: float = Field(0.3, ge=0.0, le=1.0, description="Lowest acceptable share of winning trades.")
    min_profit_factor: float = Field(
        0.8, ge=0.0, le=100.0, description="Lowest acceptable gross profit / gross loss."
    )
    max_drawdown_usd: float = Field(
        0.0, ge=0.0, le=1e9, description="Largest acceptable peak-to-trough PnL drawdown, quote currency; 0 = no limit."
    )

    @model_validator(mode="after")
    def _window_holds_minimum(self) -> AutoDisableLimits:
        if self.window_trades < self.min_trades:
            raise ValueError("window_trades must be at least min_trades")
        return self


@dataclass(frozen=True, slots=True)
class StrategyStats:
    """Score over a set of trades. ``avg_loss_usd`` is a positive magnitude; ``profit_factor``
    is ``inf`` when there were wins and no losses."""

    trades: int = 0
    wins: int = 0
    losses: int = 0
    pnl_usd: float = 0.0
    gross_profit_usd: float = 0.0
    gross_loss_usd: float = 0.0
    max_drawdown_usd: float = 0.0

    @property
    def win_rate(self) -> float:
        return self.wins / self.trades if self.trades else 0.0

    @property
    def profit_factor(self) -> float:
        if self.gross_loss_usd > 0:
            return self.gross_profit_usd / self.gross_loss_usd
        return math.inf if self.gross_profit_usd > 0 else 0.0

    @property
    def expectancy_usd(self) -> float:
        return self.pnl_usd / self.trades if self.trades else 0.0

    @property
    def avg_win_usd(self) -> float:
        return self.gross_profit_usd / self.wins if self.wins else 0.0

    @property
    def avg_loss_usd(self) -> float:
        return self.gross_loss_usd / self.losses if self.losses else 0.0

    @property
    def payoff_ratio(self) -> float:
        """Average win over average loss; 0 when either is unknown."""
        return self.avg_win_usd / self.avg_loss_usd if self.wins and self.losses else 0.0

    @classmethod
    def from_pnls(cls, pnls: Iterable[float]) -> StrategyStats:
        """Stats of trades with these net PnLs, in order."""
        tally = _Tally()
        for pnl in pnls:
            tally.add(pnl)
        return tally.stats()


@dataclass(frozen=True, slots=True)
class ReasonStats:
    """How trades carrying one reason code (at entry or exit) performed."""

    code: ReasonCode
    trades: int
    wins: int
    pnl_usd: float

    @property
    def win_rate(self) -> float:
        return self.wins / self.trades if self.trades else 0.0


class _Tally:
    __slots__ = ("trades", "wins", "losses", "pnl", "gross_profit", "gross_loss", "peak", "max_drawdown")

    def __init__(self) -> None:
        self.trades = self.wins = self.losses = 0
        self.pnl = self.gross_profit = self.gross_loss = self.peak = self.max_drawdown = 0.0

    def add(self, pnl: float) -> None:
        self.trades += 1
        # A scratch trade (pnl == 0) is neither: it dilutes the win rate without touching the factor.
        if pnl > 0:
            self.wins += 1
            self.gross_profit += pnl
        elif pnl < 0:
            self.losses += 1
            self.gross_loss -= pnl
        self.pnl += pnl
        self.peak = max(self.peak, self.pnl)
        self.max_drawdown = max(self.max_drawdown, self.peak - self.pnl)

    def stats(self) -> StrategyStats:
        return StrategyStats(
            trades=self.trades,
            wins=self.wins,
            losses=self.losses,
            pnl_usd=self.pnl,
            gross_profit_usd=self.gross_profit,
            gross_loss_usd=self.gross_loss,
            max_drawdown_usd=self.max_drawdown,
        )


class StrategyScoreboard:
    """Scores per strategy and per reason code; tells when a strategy breaches its limits."""

    def __init__(self, limits: AutoDisableLimits | None = None) -> None:
        self._limits = limits or AutoDisableLimits()
        self._lifetime: dict[str, _Tally] = {}
        self._recent: dict[str, deque[float]] = {}
        self._by_reason: dict[ReasonCode, _Tally] = {}

    @property
    def limits(self) -> AutoDisableLimits:
        return self._limits

    def set_limits(self, limits: AutoDisableLimits) -> None:
        """Replace the limits; the evaluation windows keep their trades (trimmed if shorter)."""
        self._limits = limits
        for name, recent in self._recent.items():
            self._recent[name] = deque(recent, maxlen=limits.window_trades)

    def record(self, trade: ClosedTrade) -> str | None:
        """Count a closed trade; the breach description if the strategy now fails its limits."""
        name = trade.strategy
        tally = self._lifetime.get(name)
        if tally is None:
            tally = self._lifetime[name] = _Tally()
        tally.add(trade.pnl_usd)
        recent = self._recent.get(name)
        if recent is None:
            recent = self._recent[name] = deque(maxlen=self._limits.window_trades)
        recent.append(trade.pnl_usd)
        codes = dict.fromkeys(trade.entry_reasons)  # a code counts once per trade, order kept
        if trade.exit_reason is not None:
            codes[trade.exit_reason] = None
        for code in codes:
            code_tally = self._by_reason.get(code)
            if code_tally is None:
                code_tally = self._by_reason[code] = _Tally()
            code_tally.add(trade.pnl_usd)
        return self.breach(name)

    def breach(self, strategy: str) -> str | None:
        """Why ``strategy``'s recent record fails the limits, or None if it passes or is too short."""
        limits = self._limits
        recent = self._recent.get(strategy)
        if not limits.enabled or recent is None or len(recent) < limits.min_trades:
            return None
        stats = StrategyStats.from_pnls(recent)
        over = f"over the last {stats.trades} trades"
        if stats.win_rate < limits.min_win_rate:
            return f"win rate {stats.win_rate:.1%} below {limits.min_win_rate:.1%} {over}"
        if stats.profit_factor < limits.min_profit_factor:
            return f"profit factor {stats.profit_factor:.2f} below {limits.min_profit_factor:.2f} {over}"
        if limits.max_drawdown_usd > 0 and stats.max_drawdown_usd > limits.max_drawdown_usd:
            return f"drawdown {stats.max_drawdown_usd:.2f} above {limits.max_drawdown_usd:.2f} {over}"
        return None

    def reset_evaluation(self, strategy: str) -> None:
        """Start a fresh trial for ``strategy`` (on re-enable); lifetime figures are kept."""
        self._recent.pop(strategy, None)

    def stats(self, strategy: str) -> StrategyStats:
        """Lifetime score of ``strategy``."""
        tally = self._lifetime.get(strategy)
        return StrategyStats() if tally is None else tally.stats()

    def evaluation_stats(self, strategy: str) -> StrategyStats:
        """Score over the trades the auto-disable rule currently judges."""
        return StrategyStats.from_pnls(self._recent.get(strategy, ()))

    def all_stats(self) -> dict[str, StrategyStats]:
        """Lifetime score of every strategy that closed a trade, by name."""
        return {name: tally.stats() for name, tally in sorted(self._lifetime.items())}

    def by_reason(self) -> dict[ReasonCode, ReasonStats]:
        """Performance of trades by the reason codes they carried, in first-seen order."""
        return {
            code: ReasonStats(code=code, trades=tally.trades, wins=tally.wins, pnl_usd=tally.pnl)
            for code, tally in self._by_reason.items()
        }
