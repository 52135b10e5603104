"""A strategy's signal (side, confidence, reasons, exits) and its priority."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

from hft_tui.model.reason_codes import ReasonCode
from hft_tui.model.side import Side


class Priority(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


@dataclass(frozen=True, slots=True)
class Signal:
    """A strategy's opinion: trade ``side`` on ``symbol`` with ``confidence`` in [0, 1]."""

    symbol: str
    side: Side
    confidence: float
    priority: Priority
    reasons: tuple[ReasonCode, ...]
    strategy: str
    ts_ns: int
    expiry_ts_ns: int
    take_profit: float | None = None
    stop_loss: float | None = None
    size_hint: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise ValueError(f"signal confidence must be in [0, 1], got {self.confidence!r}")
        if not self.reasons:
            raise ValueError("a signal needs at least one reason code")

    def is_expired(self, now_ns: int) -> bool:
        return now_ns >= self.expiry_ts_ns
