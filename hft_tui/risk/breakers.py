"""Circuit breakers: they trip when a budget's hard limit is crossed.

A latching breaker (a hard budget: the day's loss, the drawdown) stays tripped whatever its
budget does afterwards (a loss that recovers, a new trading day) and HALTs trading; only an
operator reset re-arms it. Any other breaker holds trading in REDUCING while tripped and is
re-armed by the guard once its budget is back below the recovery level (hysteresis).
"""

from __future__ import annotations

from hft_tui.model.reason_codes import ReasonCode
from hft_tui.risk.drb_state import LATCHING_BREAKERS, BreakerState


class CircuitBreaker:
    """One breaker for one budget."""

    __slots__ = ("name", "code", "latching", "_tripped_ts_ns", "_detail")

    def __init__(self, name: str, code: ReasonCode) -> None:
        self.name = name
        self.code = code
        self.latching = name in LATCHING_BREAKERS
        self._tripped_ts_ns: int | None = None
        self._detail = ""

    @property
    def tripped(self) -> bool:
        return self._tripped_ts_ns is not None

    @property
    def tripped_ts_ns(self) -> int | None:
        return self._tripped_ts_ns

    def trip(self, ts_ns: int, detail: str) -> bool:
        """Latch at ``ts_ns``; True if this call tripped it, False if it already was."""
        if self._tripped_ts_ns is not None:
            return False
        self._tripped_ts_ns = ts_ns
        self._detail = detail
        return True

    def rearm(self) -> None:
        """Ready to trip again (an operator reset, or a non-latching breaker's budget recovered)."""
        self._tripped_ts_ns = None
        self._detail = ""

    def state(self) -> BreakerState:
        return BreakerState(self.name, self.code, self.tripped, self._tripped_ts_ns, self._detail)

    def restore(self, state: BreakerState) -> None:
        """Take the latch recovered from the WAL."""
        self._tripped_ts_ns = (state.tripped_ts_ns or 0) if state.tripped else None
        self._detail = state.detail
