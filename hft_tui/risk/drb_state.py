"""What the DRB guard publishes: budgets, breakers, size scale and the state they call for.

A ``DrbState`` is journaled whenever it changes; equality ignores the timestamp, so two
states compare equal exactly when nothing an operator or a recovery cares about differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hft_tui.model.reason_codes import ReasonCode
from hft_tui.risk.trading_state import TradingState


@dataclass(frozen=True, slots=True)
class BudgetState:
    """One budget: ``used`` of ``limit`` in ``unit``; ``pct`` of the hard limit, in publish steps."""

    name: str
    code: ReasonCode
    unit: str
    used: float
    limit: float
    soft_limit: float
    pct: float

    def to_payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code.value,
            "unit": self.unit,
            "used": self.used,
            "limit": self.limit,
            "soft_limit": self.soft_limit,
            "pct": self.pct,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BudgetState:
        return cls(
            name=str(payload["name"]),
            code=ReasonCode(payload["code"]),
            unit=str(payload["unit"]),
            used=float(payload["used"]),
            limit=float(payload["limit"]),
            soft_limit=float(payload["soft_limit"]),
            pct=float(payload["pct"]),
        )


# Breakers of the hard budgets latch and HALT until an operator reset; every other breaker
# holds REDUCING and re-arms by itself once its budget is back below the recovery level.
LATCHING_BREAKERS: frozenset[str] = frozenset({"daily_loss", "drawdown"})


@dataclass(frozen=True, slots=True)
class BreakerState:
    """One circuit breaker: armed, or tripped at ``tripped_ts_ns`` for ``code``."""

    name: str
    code: ReasonCode
    tripped: bool
    tripped_ts_ns: int | None = None
    detail: str = ""

    @property
    def armed(self) -> bool:
        return not self.tripped

    @property
    def latching(self) -> bool:
        """True for a hard budget's breaker: tripped, it HALTs until an operator reset."""
        return self.name in LATCHING_BREAKERS

    def to_payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code.value,
            "tripped": self.tripped,
            "tripped_ts_ns": self.tripped_ts_ns,
            "detail": self.detail,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BreakerState:
        ts = payload.get("tripped_ts_ns")
        return cls(
            name=str(payload["name"]),
            code=ReasonCode(payload["code"]),
            tripped=bool(payload["tripped"]),
            tripped_ts_ns=None if ts is None else int(ts),
            detail=str(payload.get("detail", "")),
        )


@dataclass(frozen=True, slots=True)
class DrbState:
    """The guard's published state.

    ``desired_state`` is what the budgets call for and ``reason`` why; the
    ``TradingStateMachine`` decides what actually happens (HALTED stays until an operator
    reset). The anchors (day start, start-of-day equity, realised PnL of the day, and the
    equity, high-water mark and rapid-window peak on the journal's grid) are what
    ``DrbGuard.restore`` needs after a crash.
    """

    desired_state: TradingState
    reason: ReasonCode
    size_scale: float
    budgets: tuple[BudgetState, ...]
    breakers: tuple[BreakerState, ...]
    day_start_ts_ns: int
    start_of_day_equity: float
    equity: float
    high_water_mark: float
    window_peak_equity: float
    realized_pnl_day: float
    ts_ns: int = field(default=0, compare=False)

    def budget(self, name: str) -> BudgetState:
        """The budget called ``name``; KeyError if there is none."""
        for budget in self.budgets:
            if budget.name == name:
                return budget
        raise KeyError(name)

    def breaker(self, name: str) -> BreakerState:
        """The breaker called ``name``; KeyError if there is none."""
        for breaker in self.breakers:
            if breaker.name == name:
                return breaker
        raise KeyError(name)

    @property
    def tripped(self) -> tuple[BreakerState, ...]:
        return tuple(b for b in self.breakers if b.tripped)

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON types for the WAL."""
        return {
            "ts_ns": self.ts_ns,
            "desired_state": self.desired_state.value,
            "reason": self.reason.value,
            "size_scale": self.size_scale,
            "day_start_ts_ns": self.day_start_ts_ns,
            "start_of_day_equity": self.start_of_day_equity,
            "equity": self.equity,
            "high_water_mark": self.high_water_mark,
            "window_peak_equity": self.window_peak_equity,
            "realized_pnl_day": self.realized_pnl_day,
            "budgets": [b.to_payload() for b in self.budgets],
            "breakers": [b.to_payload() for b in self.breakers],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DrbState:
        """The state a ``to_payload`` dict describes (WAL recovery)."""
        return cls(
            desired_state=TradingState(payload["desired_state"]),
            reason=ReasonCode(payload["reason"]),
            size_scale=float(payload["size_scale"]),
            budgets=tuple(BudgetState.from_payload(b) for b in payload["budgets"]),
            breakers=tuple(BreakerState.from_payload(b) for b in payload["breakers"]),
            day_start_ts_ns=int(payload["day_start_ts_ns"]),
            start_of_day_equity=float(payload["start_of_day_equity"]),
            equity=float(payload["equity"]),
            high_water_mark=float(payload["high_water_mark"]),
            window_peak_equity=float(payload["window_peak_equity"]),
            realized_pnl_day=float(payload["realized_pnl_day"]),
            ts_ns=int(payload.get("ts_ns", 0)),
        )
