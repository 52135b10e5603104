"""The decision record: what the signal manager did with one signal, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hft_tui.model import ReasonCode, Signal


@dataclass(frozen=True, slots=True)
class Decision:
    """One signal's verdict. Every signal submitted yields exactly one, accepted or not.

    ``reasons`` starts with ``SIGNAL_ACCEPTED`` or the rejecting code; an accepted decision
    also lists the non-blocking gate codes (e.g. ``VPIN_ELEVATED``) that shrank
    ``size_factor``. Rejected decisions carry ``size_factor`` 0.
    """

    signal: Signal
    accepted: bool
    reasons: tuple[ReasonCode, ...]
    size_factor: float
    ts_ns: int

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready fields in a fixed order, for the WAL's decision stream."""
        s = self.signal
        return {
            "ts_ns": self.ts_ns,
            "symbol": s.symbol,
            "strategy": s.strategy,
            "side": s.side.value,
            "accepted": self.accepted,
            "reasons": [code.value for code in self.reasons],
            "size_factor": self.size_factor,
            "confidence": s.confidence,
            "priority": int(s.priority),
            "signal_reasons": [code.value for code in s.reasons],
            "signal_ts_ns": s.ts_ns,
            "expiry_ts_ns": s.expiry_ts_ns,
            "take_profit": s.take_profit,
            "stop_loss": s.stop_loss,
            "size_hint": s.size_hint,
        }
