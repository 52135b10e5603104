"""The simulator's books as a diff-depth feed: a few levels per update.

The simulator draws every book whole, every level's size jittered, so consecutive snapshots
differ in nearly every level (~51 of 40 on average). An exchange's diff-depth stream
(Binance's ``@depth``) is not like that: each update carries the few levels that changed.
``SimBookDeltas`` follows the simulator's books the way such a feed would: a level that
appears in the simulator's book appears, one that leaves it goes, and of the levels whose
size moved only the ``resizes_per_book`` that moved most are updated (a whale shows at
once, the jitter of a level at the back catches up later). What one simulated book changed
goes out as updates of at most ``levels_per_update`` levels, removals first, their times
spread between the previous event and the book's own; each update is an ``OrderBook`` with
its ``changes`` and a sequence number of the feed's own. The first book of a symbol, and one
every ``snapshot_every_s`` after it, is a snapshot (``changes`` None), as after a resync.

It works on the books as they are handed out, so a rewinding market (a forced regime) needs
nothing from it, and it draws no random numbers: the snapshot stream stays as it was.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from hft_tui.model import BookChanges, LevelChange, OrderBook

_NS_PER_S = 1_000_000_000


@dataclass(slots=True)
class _Shown:
    """One symbol's book as the feed last showed it: price -> qty per side."""

    seq: int
    snapshot_ts_ns: int
    bids: dict[float, float]
    asks: dict[float, float]


class SimBookDeltas:
    """Turns each simulated book into the updates a diff-depth feed would send."""

    def __init__(
        self, levels_per_update: int = 4, resizes_per_book: int = 2, snapshot_every_s: float = 600.0
    ) -> None:
        if levels_per_update < 1:
            raise ValueError(f"levels_per_update must be >= 1, got {levels_per_update}")
        if resizes_per_book < 0:
            raise ValueError(f"resizes_per_book must be >= 0, got {resizes_per_book}")
        if not snapshot_every_s > 0:
            raise ValueError(f"snapshot_every_s must be > 0, got {snapshot_every_s}")
        self._per_update = levels_per_update
        self._resizes = resizes_per_book
        self._snapshot_every_ns = int(snapshot_every_s * _NS_PER_S)
        self._shown: dict[str, _Shown] = {}

    def updates(self, book: OrderBook, after_ns: int) -> list[OrderBook]:
        """The updates that bring the feed's view of ``book.symbol`` to ``book`` (or a
        snapshot), timed after ``after_ns`` and up to ``book.ts_ns``; none when nothing moved."""
        shown = self._shown.get(book.symbol)
        if shown is None or book.ts_ns - shown.snapshot_ts_ns >= self._snapshot_every_ns:
            seq = 1 if shown is None else shown.seq + 1
            self._shown[book.symbol] = _Shown(seq, book.ts_ns, dict(book.bids.tolist()), dict(book.asks.tolist()))
            return [OrderBook(book.symbol, book.ts_ns, seq, book.bids, book.asks)]
        pending = self._changes(shown, book.bids.tolist(), book.asks.tolist())
        per_update = self._per_update
        chunks = [pending[i:i + per_update] for i in range(0, len(pending), per_update)]
        out: list[OrderBook] = []
        bid_changes: list[LevelChange] = []
        ask_changes: list[LevelChange] = []
        for n, chunk in enumerate(chunks):
            for is_bid, change in chunk:
                side = shown.bids if is_bid else shown.asks
                (bid_changes if is_bid else ask_changes).append(change)
                if change.new_qty:
                    side[change.price] = change.new_qty
                else:
                    del side[change.price]
            bids = sorted(shown.bids.items(), reverse=True)
            asks = sorted(shown.asks.items())
            last = n == len(chunks) - 1
            if not last and not (bids and asks and bids[0][0] < asks[0][0]):
                continue  # never a book a feed could not show: the next chunk goes with this one
            ts_ns = book.ts_ns if last else after_ns + (book.ts_ns - after_ns) * (n + 1) // len(chunks)
            changes = BookChanges(shown.seq, tuple(bid_changes), tuple(ask_changes))
            shown.seq += 1
            out.append(OrderBook.from_levels(book.symbol, ts_ns, shown.seq, bids, asks, changes))
            bid_changes = []
            ask_changes = []
        return out

    def _changes(
        self, shown: _Shown, bids: list[list[float]], asks: list[list[float]]
    ) -> list[tuple[bool, LevelChange]]:
        """The levels that leave and come, in an order that keeps every step a book a feed
        could show, then the largest resizes."""
        removed: list[tuple[bool, LevelChange]] = []
        added: list[tuple[bool, LevelChange]] = []
        resizes: list[tuple[float, bool, int, float, float, float]] = []
        for is_bid, before, target in ((True, shown.bids, bids), (False, shown.asks, asks)):
            prices = set()
            for i, (price, qty) in enumerate(target):
                prices.add(price)
                old = before.get(price)
                if old is None:
                    added.append((is_bid, LevelChange(price, 0.0, qty)))
                elif old != qty:
                    # The largest moves first, bids before asks and best first on a tie.
                    resizes.append((-abs(qty - old), not is_bid, i, price, old, qty))
            removed.extend((is_bid, LevelChange(price, qty, 0.0)) for price, qty in before.items()
                           if price not in prices)
        largest = heapq.nsmallest(self._resizes, resizes)
        return (_interleave(shown, removed, added)
                + [(not ask, LevelChange(price, old, qty)) for _, ask, _, price, old, qty in largest])


def _interleave(
    shown: _Shown, removed: list[tuple[bool, LevelChange]], added: list[tuple[bool, LevelChange]]
) -> list[tuple[bool, LevelChange]]:
    """Removals and additions in turn, so the depth stays about even: a removal that would
    empty its side waits, an addition that would cross the other side waits."""
    bids = set(shown.bids)
    asks = set(shown.asks)
    order: list[tuple[bool, LevelChange]] = []
    want_removal = True
    while removed or added:
        step = None
        if want_removal:
            step = next((r for r in removed if len(bids if r[0] else asks) > 1), None)
        if step is None:
            best_bid = max(bids, default=-math.inf)
            best_ask = min(asks, default=math.inf)
            step = next((a for a in added
                         if (a[1].price < best_ask if a[0] else a[1].price > best_bid)), None)
        if step is None:
            step = removed[0] if removed else added[0]
        want_removal = not want_removal
        order.append(step)
        is_bid, change = step
        side = bids if is_bid else asks
        if change.new_qty:
            added.remove(step)
            side.add(change.price)
        else:
            removed.remove(step)
            side.discard(change.price)
    return order
