"""Commands the operator (TUI, CLI, tests) sends to the engine. Plain immutable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StopEngine:
    reason: str = "operator"


@dataclass(frozen=True, slots=True)
class Kill:
    """Stop everything: pause strategies, cancel all, flatten all, HALT."""

    source: str = "operator"


@dataclass(frozen=True, slots=True)
class Flatten:
    """Close one symbol's position (or all when ``symbol`` is None) without halting."""

    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class PauseStrategy:
    """Pause one strategy, or all when ``name`` is None."""

    name: str | None = None


@dataclass(frozen=True, slots=True)
class ResumeStrategy:
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EnableStrategy:
    """Re-enable a strategy that the signal manager auto-disabled."""

    name: str


@dataclass(frozen=True, slots=True)
class DisableStrategy:
    """Stop feeding a strategy until the operator enables it; ``reason`` is a reason code. The
    core decides this itself for a strategy whose hooks are too slow (``STRATEGY_SLOW``)."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class SetStrategyParams:
    """Replace some of a strategy's parameters; validated against its model first."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    revert_to_defaults: bool = False


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """A manual order from the operator; it passes the same risk gate as any strategy's."""

    symbol: str
    side: str  # "buy" | "sell"
    qty: float
    price: float | None = None  # None = market
    reduce_only: bool = False


@dataclass(frozen=True, slots=True)
class ResetHalt:
    """Leave HALTED: the only way out, and only by an operator."""

    confirmation: str = ""


@dataclass(frozen=True, slots=True)
class AcknowledgeNotices:
    """The operator has read every notice up to ``up_to_seq``: they leave the unread count."""

    up_to_seq: int


Command = (
    StopEngine | Kill | Flatten | PauseStrategy | ResumeStrategy | EnableStrategy | DisableStrategy
    | SetStrategyParams | ResetHalt | PlaceOrder | AcknowledgeNotices
)


@dataclass(frozen=True, slots=True)
class CommandResult:
    ok: bool
    message: str
