"""The head-to-head's event streams: the simulator's BTC/USDT books as L2 deltas, plus trades.

Written once to an ``.npz`` file (plain numpy arrays, so a NautilusTrader virtualenv can
read it without this package) and read back as our engine's events. Each sim book
snapshot becomes the deltas that turn the previous snapshot into it (the first one: a
CLEAR and an ADD per level); snapshots that change nothing are dropped from both sides.
An update is the deltas up to one flagged ``F_LAST``; our engine sees one book per update.

Two streams carry the same deltas. The snapshot stream makes each sim snapshot one update
(~51 deltas: the sim requotes almost every level), and rebuilding its updates gives back
the simulator's books exactly. The Binance-like stream cuts each snapshot's deltas into
updates of a few deltas (``update_sizes``, drawn with the seed), as an exchange's diff-depth
stream sends them: every book between two of them is two-sided and uncrossed (deletes that
would cross go first; an update grows until its book is valid) and stamped between the
previous event and the sim's snapshot.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from hft_tui.config.loader import load_settings
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS, build_sim_market
from hft_tui.model import OrderBook, Side, Trade

SYMBOL = "BTC/USDT"
# Delta actions and flags, numbered as NautilusTrader's BookAction and RecordFlag.
ADD, UPDATE, DELETE, CLEAR = 1, 2, 3, 4
F_LAST = 128
# Row kinds in the file's event index.
KIND_BOOK, KIND_TRADE = 0, 1


Row = tuple[int, int, float, float]  # side, action, price, qty
# Updates of this many deltas, drawn in turn: a Binance-like diff-depth stream's few levels.
BINANCE_LIKE_SIZES = (1, 2, 2, 3, 3, 4)


def export_stream(path: Path, n_deltas: int, seed: int = 7,
                  update_sizes: Sequence[int] | None = None) -> dict[str, int]:
    """Write at least ``n_deltas`` book deltas (whole snapshots) and the trades between them;
    one update per snapshot, or updates of ``update_sizes`` deltas (see the module's doc)."""
    # No scripted opening cascade: a plain market, so the probe trades rather than the risk
    # guard holding it reduce-only through the crash.
    settings = load_settings(None, {"engine": {"symbols": [SYMBOL], "seed": seed}, "sim": {"opening_cascade_s": 0}})
    market = build_sim_market(settings, DEFAULT_SIM_START_NS)
    sizes = random.Random(seed)
    d_ts, d_side, d_action, d_price, d_qty, d_flags = [], [], [], [], [], []
    t_ts, t_price, t_qty, t_side = [], [], [], []
    kinds: list[int] = []
    previous: tuple[dict[float, float], dict[float, float]] | None = None
    last_ts = DEFAULT_SIM_START_NS
    while len(d_ts) < n_deltas:
        event = market.next_event()
        if isinstance(event, Trade) and event.symbol == SYMBOL:
            kinds.append(KIND_TRADE)
            t_ts.append(event.ts_ns)
            t_price.append(event.price)
            t_qty.append(event.qty)
            t_side.append(0 if event.side is Side.BUY else 1)
            last_ts = event.ts_ns
            continue
        if not isinstance(event, OrderBook) or event.symbol != SYMBOL:
            continue
        sides = (dict(event.bids.tolist()), dict(event.asks.tolist()))
        if previous is None:
            updates = [[(0, CLEAR, 0.0, 0.0)] + _rows(({}, {}), sides)]
        elif update_sizes is None:
            updates = [_rows(previous, sides)]
        else:
            updates = _small_updates(previous, sides, lambda: sizes.choice(update_sizes))
        if not updates[0]:
            continue
        previous = sides
        for u, rows in enumerate(updates):
            kinds.append(KIND_BOOK)
            ts_ns = last_ts + (event.ts_ns - last_ts) * (u + 1) // len(updates)
            for i, (side, action, price, qty) in enumerate(rows):
                d_ts.append(ts_ns)
                d_side.append(side)
                d_action.append(action)
                d_price.append(price)
                d_qty.append(qty)
                d_flags.append(F_LAST if i == len(rows) - 1 else 0)
        last_ts = event.ts_ns
    rules = market.rules(SYMBOL)
    np.savez(
        path,
        kinds=np.array(kinds, dtype=np.int8),
        delta_ts=np.array(d_ts, dtype=np.int64), delta_side=np.array(d_side, dtype=np.int8),
        delta_action=np.array(d_action, dtype=np.int8), delta_price=np.array(d_price),
        delta_qty=np.array(d_qty), delta_flags=np.array(d_flags, dtype=np.uint8),
        trade_ts=np.array(t_ts, dtype=np.int64), trade_price=np.array(t_price),
        trade_qty=np.array(t_qty), trade_side=np.array(t_side, dtype=np.int8),
        tick_size=np.array(rules.tick_size), lot_size=np.array(rules.lot_size),
    )
    return {"deltas": len(d_ts), "books": kinds.count(KIND_BOOK), "trades": len(t_ts)}


def _rows(before: tuple[dict[float, float], dict[float, float]],
          after: tuple[dict[float, float], dict[float, float]]) -> list[Row]:
    """The deltas turning ``before`` into ``after``: deletes, then adds and resizes, per side."""
    rows: list[Row] = []
    for side, levels in enumerate(after):
        old = before[side]
        rows.extend((side, DELETE, price, 0.0) for price in old if price not in levels)
        for price, qty in levels.items():
            if price not in old:
                rows.append((side, ADD, price, qty))
            elif old[price] != qty:
                rows.append((side, UPDATE, price, qty))
    return rows


def _small_updates(before: tuple[dict[float, float], dict[float, float]],
                   after: tuple[dict[float, float], dict[float, float]],
                   next_size: Callable[[], int]) -> list[list[Row]]:
    """``_rows(before, after)`` cut into updates of ``next_size()`` deltas (or more, until the
    book is two-sided and uncrossed): resizes first, then each add with the deletes on the
    other side that it would cross, adds that cross nothing before those that do, then the
    remaining deletes."""
    book = (dict(before[0]), dict(before[1]))
    rows = _rows(before, after)
    resizes = [r for r in rows if r[1] == UPDATE]
    deletes = {(r[0], r[2]): r for r in rows if r[1] == DELETE}
    adds = sorted((r for r in rows if r[1] == ADD), key=lambda r: bool(_crossed_by(r, before)))
    ordered = list(resizes)
    for add in adds:
        for side, price in _crossed_by(add, before):
            ordered.extend([deletes.pop((side, price))] if (side, price) in deletes else [])
        ordered.append(add)
    ordered.extend(deletes.values())
    updates: list[list[Row]] = []
    update: list[Row] = []
    size = next_size()
    for row in ordered:
        side, action, price, qty = row
        if action == DELETE:
            book[side].pop(price, None)
        else:
            book[side][price] = qty
        update.append(row)
        if len(update) >= size and book[0] and book[1] and max(book[0]) < min(book[1]):
            updates.append(update)
            update, size = [], next_size()
    if update:
        updates.append(update)
    return updates


def _crossed_by(add: Row, book: tuple[dict[float, float], dict[float, float]]) -> list[tuple[int, float]]:
    """The levels of ``book``'s other side that the added level would cross."""
    side, _, price, _ = add
    if side == 0:
        return [(1, p) for p in book[1] if p <= price]
    return [(0, p) for p in book[0] if p >= price]


def load_events(path: Path) -> list[OrderBook | Trade]:
    """The stream as our engine's events: each delta batch applied gives one book snapshot."""
    data = np.load(path)
    kinds = data["kinds"].tolist()
    d_ts, d_side, d_action = data["delta_ts"].tolist(), data["delta_side"].tolist(), data["delta_action"].tolist()
    d_price, d_qty, d_flags = data["delta_price"].tolist(), data["delta_qty"].tolist(), data["delta_flags"].tolist()
    t_ts, t_price, t_qty, t_side = (data["trade_ts"].tolist(), data["trade_price"].tolist(),
                                    data["trade_qty"].tolist(), data["trade_side"].tolist())
    books: tuple[dict[float, float], dict[float, float]] = ({}, {})
    events: list[OrderBook | Trade] = []
    d = t = seq = 0
    for kind in kinds:
        if kind == KIND_TRADE:
            side = Side.BUY if t_side[t] == 0 else Side.SELL
            events.append(Trade(SYMBOL, t_ts[t], t_price[t], t_qty[t], side, str(t)))
            t += 1
            continue
        while True:
            action, levels = d_action[d], books[d_side[d]]
            if action == CLEAR:
                books[0].clear()
                books[1].clear()
            elif action == DELETE:
                del levels[d_price[d]]
            else:
                levels[d_price[d]] = d_qty[d]
            last = d_flags[d] & F_LAST
            ts_ns = d_ts[d]
            d += 1
            if last:
                break
        seq += 1
        bids = sorted(books[0].items(), reverse=True)
        asks = sorted(books[1].items())
        events.append(OrderBook.from_levels(SYMBOL, ts_ns, seq, bids, asks))
    return events
