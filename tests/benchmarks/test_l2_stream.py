"""The head-to-head's stream file gives back the simulator's own feed, in both book modes.

NautilusTrader reads the file's deltas and our engine the books ``load_events`` rebuilds
from them, so both engines see one market: the simulator's (``benchmarks/peers/l2_stream.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.peers.l2_stream import (
    CLEAR,
    DELETE,
    F_LAST,
    SYMBOL,
    BookUpdates,
    export_stream,
    load_events,
    stream_market,
)
from hft_tui.model import OrderBook, Trade

N_DELTAS = 20_000


def _sim_events(book_updates: BookUpdates, count: int) -> list[OrderBook | Trade]:
    market = stream_market(book_updates)
    events: list[OrderBook | Trade] = []
    while len(events) < count:
        event = market.next_event()
        if isinstance(event, (OrderBook, Trade)) and event.symbol == SYMBOL:
            events.append(event)
    return events


def test_the_delta_stream_reads_back_as_the_simulators_diff_depth_feed(tmp_path: Path) -> None:
    path = tmp_path / "delta.npz"
    export_stream(path, N_DELTAS, book_updates="deltas")
    ours = load_events(path)
    sim = _sim_events("deltas", len(ours))
    updates = 0
    for got, want in zip(ours, sim, strict=True):
        assert type(got) is type(want) and got.ts_ns == want.ts_ns
        if isinstance(want, Trade):
            assert (got.price, got.qty, got.side) == (want.price, want.qty, want.side)
            continue
        assert got.seq == want.seq
        assert np.array_equal(got.bids, want.bids) and np.array_equal(got.asks, want.asks)
        if want.changes is None:
            assert got.changes is None
            continue
        updates += 1
        assert got.changes is not None and got.changes.prev_seq == want.changes.prev_seq
        assert sorted(got.changes.bids) == sorted(want.changes.bids)
        assert sorted(got.changes.asks) == sorted(want.changes.asks)
    assert updates > len(ours) // 2


def test_the_snapshot_stream_reads_back_as_the_simulators_books_whole(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.npz"
    export_stream(path, N_DELTAS, book_updates="snapshots")
    ours = load_events(path)
    books = [e for e in _sim_events("snapshots", len(ours) + 50) if isinstance(e, OrderBook)]
    got = [e for e in ours if isinstance(e, OrderBook)]
    assert all(book.changes is None for book in got)
    # Books that changed nothing are not in the stream: match each of ours to the sim's by time.
    by_ts = {book.ts_ns: book for book in books}
    for book in got:
        want = by_ts[book.ts_ns]
        assert np.array_equal(book.bids, want.bids) and np.array_equal(book.asks, want.asks)


def test_no_delta_update_crosses_the_book_while_it_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "delta.npz"
    export_stream(path, N_DELTAS, book_updates="deltas")
    data = np.load(path)
    sides: tuple[dict[float, float], dict[float, float]] = ({}, {})
    in_snapshot = False
    for side, action, price, qty, flags in zip(data["delta_side"].tolist(), data["delta_action"].tolist(),
                                               data["delta_price"].tolist(), data["delta_qty"].tolist(),
                                               data["delta_flags"].tolist()):
        if action == CLEAR:
            sides[0].clear()
            sides[1].clear()
            in_snapshot = True
        elif action == DELETE:
            del sides[side][price]
        else:
            sides[side][price] = qty
        if not in_snapshot and sides[0] and sides[1]:
            assert max(sides[0]) < min(sides[1])
        if flags & F_LAST:
            in_snapshot = False
