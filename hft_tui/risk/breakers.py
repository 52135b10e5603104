"""Circuit breakers: latches that trip when a budget's hard limit is crossed.

A tripped breaker stays tripped whatever its budget does afterwards (a loss that recovers,
an error window that empties, a new trading day); only an operator reset re-arms it.
"""

from __future__ import annotations

from hft_tui.model.reason_codes import ReasonCode
from hft_tui.risk.drb_state import BreakerState


class CircuitBreaker:
    """One latched breaker for one budget."""

    __slots__ = ("name", "code", "_tripped_ts_ns", "_detail")

    def __init__(self, name: str, code: ReasonCode) -> None:
        self.name = name
        self.code = code
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
        """Operator reset: ready to trip again."""
        self._tripped_ts_ns = None
        self._detail = ""

    def state(self) -> BreakerState:
        return BreakerState(self.name, self.code, self.tripped, self._tripped_ts_ns, self._detail)

    def restore(self, state: BreakerState) -> None:
        """Take the latch recovered from the WAL."""
        self._tripped_ts_ns = (state.tripped_ts_ns or 0) if state.tripped else None
        self._detail = state.detail
