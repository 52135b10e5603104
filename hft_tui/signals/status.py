"""Whether a strategy's signals may trade, and the journaled record of every change."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class StrategyStatus(StrEnum):
    """ACTIVE trades; PAUSED (operator) and DISABLED (its score) have their signals dropped."""

    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


class StrategyAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    DISABLE = "disable"
    ENABLE = "enable"


@dataclass(frozen=True, slots=True)
class StrategyStatusChange:
    """A pause, resume, auto-disable or re-enable; the engine journals it and replays it on recovery."""

    strategy: str
    action: StrategyAction
    ts_ns: int
    detail: str = ""

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready fields for the WAL."""
        return {"ts_ns": self.ts_ns, "strategy": self.strategy, "action": self.action.value, "detail": self.detail}
