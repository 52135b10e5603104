"""Closing a symbol reduce-only until it is flat: the targets and their deadlines, apart from
the orders (``flatten_orders.py`` sends those).

Exits, a flatten and the kill each start one here with their reason. On every book of the
symbol ``FlattenOrders`` asks what to do: nothing (none started), done (less than a lot is
left: the target is dropped), expired (still holding past the deadline: dropped, and it says
so and journals it instead of trading on for ever) or work (it keeps one reduce-only market
order working for what is left).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hft_tui.model import ReasonCode

NS_PER_S = 1_000_000_000
# Exit and flatten orders are retried on each book until flat or until this deadline.
FLATTEN_DEADLINE_NS = 10 * NS_PER_S


@dataclass(frozen=True, slots=True)
class FlattenTarget:
    reason: ReasonCode
    deadline_ns: int


class FlattenStep(Enum):
    NOTHING = "nothing"
    DONE = "done"
    EXPIRED = "expired"
    WORK = "work"


class FlattenWork:
    """The symbols being closed, each with its reason and deadline."""

    def __init__(self) -> None:
        self._targets: dict[str, FlattenTarget] = {}

    def __bool__(self) -> bool:
        return bool(self._targets)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._targets

    def start(self, symbol: str, reason: ReasonCode, ts_ns: int) -> None:
        """Close ``symbol`` for ``reason`` from ``ts_ns`` on (a new start moves the deadline)."""
        self._targets[symbol] = FlattenTarget(reason, ts_ns + FLATTEN_DEADLINE_NS)

    def done(self, symbol: str) -> None:
        """``symbol`` went flat (its trade closed)."""
        self._targets.pop(symbol, None)

    def step(self, symbol: str, ts_ns: int, lots_left: int) -> tuple[FlattenStep, FlattenTarget | None]:
        """What to do about ``symbol`` now, holding ``lots_left`` whole lots, and its target."""
        target = self._targets.get(symbol)
        if target is None:
            return FlattenStep.NOTHING, None
        if not lots_left:
            del self._targets[symbol]
            return FlattenStep.DONE, target
        if ts_ns > target.deadline_ns:
            del self._targets[symbol]
            return FlattenStep.EXPIRED, target
        return FlattenStep.WORK, target
