"""What one order book update changed: the levels added, removed and resized, per side.

An update of a diff-depth feed (Binance's ``@depth``, the simulator's delta mode) touches a
few levels; a reader that keeps state per level (running depth sums, whales) updates it
from these instead of reading the whole book again. A book without changes is a snapshot:
everything may have changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from hft_tui.model.slot_setters import set_through_slots


class LevelChange(NamedTuple):
    """One level of one side: its quantity before and after the update (0.0 = absent)."""

    price: float
    old_qty: float
    new_qty: float


@dataclass(frozen=True, slots=True, init=False)
class BookChanges:
    """The levels an update changed, against the book of sequence number ``prev_seq``.

    Applying the changes to that book's levels (set ``new_qty``, drop a level at 0.0) gives
    the levels of the book that carries them, exactly; levels pushed past the book's depth
    count as removed and levels that came into it as added.
    """

    prev_seq: int
    bids: tuple[LevelChange, ...]
    asks: tuple[LevelChange, ...]

    def __init__(self, prev_seq: int, bids: tuple[LevelChange, ...], asks: tuple[LevelChange, ...]) -> None:
        object.__setattr__(self, "prev_seq", prev_seq)
        object.__setattr__(self, "bids", bids)
        object.__setattr__(self, "asks", asks)

    def __reduce__(self) -> tuple[type[BookChanges], tuple[Any, ...]]:
        return (BookChanges, (self.prev_seq, self.bids, self.asks))

    @property
    def count(self) -> int:
        """How many levels changed, both sides together."""
        return len(self.bids) + len(self.asks)


set_through_slots(BookChanges)
# As OrderBook's (model/book.py): the source's type hints, not the runtime classes mypyc gives.
setattr(BookChanges, "__annotations__", {"prev_seq": "int", "bids": "tuple[LevelChange, ...]",
                                          "asks": "tuple[LevelChange, ...]"})


def level_changes(
    old: list[list[float]] | list[tuple[float, float]], new: list[list[float]] | list[tuple[float, float]]
) -> tuple[LevelChange, ...]:
    """The changes that turn one side's ``[price, qty]`` levels ``old`` into ``new``, best first
    as they appear in ``new`` then the removed ones in ``old``'s order."""
    before = {price: qty for price, qty in old}
    after = {price: qty for price, qty in new}
    changed = [LevelChange(price, before.get(price, 0.0), qty)
               for price, qty in new if before.get(price) != qty]
    changed.extend(LevelChange(price, qty, 0.0) for price, qty in old if price not in after)
    return tuple(changed)
