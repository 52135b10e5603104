"""The engine's trading state and the rules for moving between states.

ACTIVE trades normally; REDUCING admits only orders that reduce exposure; HALTED admits
nothing but cancels and reduce-only exits. Escalation is automatic. REDUCING falls back to
ACTIVE only when the DRB guard says the budgets recovered (with hysteresis, see the guard).
HALTED is for the kill switch and the hard budgets (the day's loss, the drawdown); it is
left only by an explicit operator reset, never automatically. Feed faults never change the
trading state: they freeze entries on their symbol (see ``market/feed_health``). FAILED
(the journal could not make a record durable) admits what HALTED admits and is never left:
the process must restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hft_tui.model.reason_codes import ReasonCode


class TradingState(StrEnum):
    """What the risk layer lets through to the broker."""

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"
    FAILED = "FAILED"

    @property
    def severity(self) -> int:
        """0 for ACTIVE, 1 for REDUCING, 2 for HALTED: escalation raises it."""
        return _SEVERITY[self]


_SEVERITY = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2, TradingState.FAILED: 3}

# Only the guard's "budgets recovered" verdicts may lift REDUCING without an operator.
RECOVERY_REASONS: frozenset[ReasonCode] = frozenset({ReasonCode.DRB_WITHIN_BUDGET, ReasonCode.DRB_DAILY_RESET,
                                                     ReasonCode.LIVE_RECONCILED})


@dataclass(frozen=True, slots=True)
class StateTransition:
    """One change of trading state, as journaled in the WAL."""

    from_state: TradingState
    to_state: TradingState
    reason: ReasonCode
    ts_ns: int
    detail: str = ""

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON types for the WAL."""
        return {
            "from": self.from_state.value,
            "to": self.to_state.value,
            "reason": self.reason.value,
            "ts_ns": self.ts_ns,
            "detail": self.detail,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> StateTransition:
        """The transition a ``to_payload`` dict describes (WAL recovery)."""
        return cls(
            from_state=TradingState(payload["from"]),
            to_state=TradingState(payload["to"]),
            reason=ReasonCode(payload["reason"]),
            ts_ns=int(payload["ts_ns"]),
            detail=str(payload.get("detail", "")),
        )


class TradingStateMachine:
    """Holds the trading state and enforces the transition rules; returns what changed."""

    __slots__ = ("_state", "_reason", "_since_ts_ns")

    def __init__(self, state: TradingState = TradingState.ACTIVE) -> None:
        self._state = state
        self._reason: ReasonCode | None = None
        self._since_ts_ns = 0

    @property
    def state(self) -> TradingState:
        return self._state

    @property
    def reason(self) -> ReasonCode | None:
        """Why the machine is in its state (None before the first transition)."""
        return self._reason

    @property
    def since_ts_ns(self) -> int:
        return self._since_ts_ns

    def transition(
        self, to: TradingState, reason: ReasonCode, ts_ns: int, detail: str = ""
    ) -> StateTransition | None:
        """Move to ``to`` if the rules allow it; None when nothing changes.

        Escalation always applies. Leaving HALTED here never applies (see ``operator_reset``),
        so the engine may forward every guard verdict without checking. Going from REDUCING
        to ACTIVE needs a recovery reason; any other reason is a caller bug and raises.
        """
        current = self._state
        if to is current or current is TradingState.FAILED:
            return None
        if current is TradingState.HALTED and to is not TradingState.FAILED:
            return None
        if to.severity < current.severity and reason not in RECOVERY_REASONS:
            raise ValueError(f"{current} -> {to} needs a recovery reason, got {reason}")
        return self._apply(to, reason, ts_ns, detail)

    def operator_reset(
        self, ts_ns: int, to: TradingState = TradingState.ACTIVE, detail: str = ""
    ) -> StateTransition | None:
        """The operator's explicit reset (OPERATOR_RESET): the only way out of HALTED.

        ``to`` may be REDUCING when the guard still calls for it after the reset.
        """
        if to in (TradingState.HALTED, TradingState.FAILED):
            raise ValueError(f"an operator reset cannot lead to {to}; use transition({to}, ...)")
        if to is self._state or self._state is TradingState.FAILED:
            return None
        return self._apply(to, ReasonCode.OPERATOR_RESET, ts_ns, detail)

    def restore(self, state: TradingState, reason: ReasonCode | None = None, since_ts_ns: int = 0) -> None:
        """Set the state recovered from the WAL, without a transition."""
        self._state = state
        self._reason = reason
        self._since_ts_ns = since_ts_ns

    def _apply(self, to: TradingState, reason: ReasonCode, ts_ns: int, detail: str) -> StateTransition:
        transition = StateTransition(self._state, to, reason, ts_ns, detail)
        self._state = to
        self._reason = reason
        self._since_ts_ns = ts_ns
        return transition
