"""What a strategy offers the pipeline besides its signals: gates and marks on the order book.

A strategy declares these through ``Strategy.offers()``; the core installs the gates and the
snapshot builder reads the marks from the declarations, never from a strategy's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hft_tui.model import ReasonCode, Side, Signal

GateResult = tuple[float, ReasonCode | None]
"""A gate's verdict on one signal: a size factor in [0, 1] and, below 1, why (0 blocks)."""


class BookMark(Protocol):
    """One mark the order book pane shows beside a level (e.g. a whale resting near the touch)."""

    @property
    def side(self) -> Side: ...

    @property
    def price(self) -> float: ...

    @property
    def qty(self) -> float: ...

    @property
    def notional(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Gate:
    """A check every signal passes before sizing; ``rank`` orders the gates of all strategies
    (lower first: the first gate that blocks names the rejection)."""

    check: Callable[[Signal], GateResult]
    rank: int = 100


@dataclass(frozen=True, slots=True)
class Offers:
    """Everything a strategy adds to the pipeline and the screen; nothing by default."""

    gates: tuple[Gate, ...] = ()
    book_marks: Callable[[str], Sequence[BookMark]] | None = None


NOTHING_OFFERED = Offers()
