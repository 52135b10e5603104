"""The head-to-head's event streams: the simulator's BTC/USDT books as L2 deltas, plus trades.

Written once to an ``.npz`` file (plain numpy arrays, so a NautilusTrader virtualenv can
read it without this package) and read back as our engine's events. An update is the
deltas up to one flagged ``F_LAST``; our engine sees one book per update, and reading the
file back gives the simulator's books exactly.

Two streams, from the simulator's two book modes (``sim.book_updates``):

- ``snapshots``: every sim book drawn whole; an update holds the deltas that turn the
  previous book into it (~51: the sim requotes almost every level; the first one a CLEAR
  and an ADD per level; books that change nothing are dropped). Our books are snapshots.
- ``deltas``: the simulator's diff-depth feed (``market/sim_book_deltas.py``, as Binance's
  ``@depth``): an update holds the few levels it changed (at most 4), deletes first so that
  NautilusTrader's book never crosses inside an update; a resync snapshot (every 10 minutes)
  is a CLEAR and its levels. Our books carry the same ``changes`` as the simulator's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from hft_tui.config.loader import load_settings
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS, build_sim_market
from hft_tui.market.simulator import SimulatedMarket
from hft_tui.model import BookChanges, LevelChange, OrderBook, Side, Trade

SYMBOL = "BTC/USDT"
# Delta actions and flags, numbered as NautilusTrader's BookAction and RecordFlag.
ADD, UPDATE, DELETE, CLEAR = 1, 2, 3, 4
F_LAST = 128
# Row kinds in the file's event index.
KIND_BOOK, KIND_TRADE = 0, 1

BookUpdates = Literal["snapshots", "deltas"]
Row = tuple[int, int, float, float]  # side, action, price, qty
Sides = tuple[dict[float, float], dict[float, float]]


def stream_market(book_updates: BookUpdates, seed: int = 7) -> SimulatedMarket:
    """The simulator whose ``SYMBOL`` events the streams carry."""
    # No scripted opening cascade: a plain market, so the probe trades rather than the risk
    # guard holding it reduce-only through the crash.
    settings = load_settings(None, {"engine": {"symbols": [SYMBOL], "seed": seed},
                                    "sim": {"opening_cascade_s": 0, "book_updates": book_updates}})
    return build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, DEFAULT_SIM_START_NS)


def export_stream(path: Path, n_deltas: int, seed: int = 7, book_updates: BookUpdates = "snapshots") -> dict[str, int]:
    """Write at least ``n_deltas`` book deltas (whole updates) and the trades between them, from
    the simulator in its ``book_updates`` mode (see the module's doc)."""
    market = stream_market(book_updates, seed)
    d_ts, d_side, d_action, d_price, d_qty, d_flags = [], [], [], [], [], []
    t_ts, t_price, t_qty, t_side = [], [], [], []
    kinds: list[int] = []
    previous: Sides = ({}, {})
    while len(d_ts) < n_deltas:
        event = market.next_event()
        if isinstance(event, Trade) and event.symbol == SYMBOL:
            kinds.append(KIND_TRADE)
            t_ts.append(event.ts_ns)
            t_price.append(event.price)
            t_qty.append(event.qty)
            t_side.append(0 if event.side is Side.BUY else 1)
            continue
        if not isinstance(event, OrderBook) or event.symbol != SYMBOL:
            continue
        sides: Sides = (dict(event.bids.tolist()), dict(event.asks.tolist()))
        if event.changes is not None:
            rows = _change_rows(event.changes)
        elif book_updates == "deltas" or not d_ts:
            rows = [(0, CLEAR, 0.0, 0.0)] + _rows(({}, {}), sides)
        else:
            rows = _rows(previous, sides)
        previous = sides
        if not rows:
            continue
        kinds.append(KIND_BOOK)
        for i, (side, action, price, qty) in enumerate(rows):
            d_ts.append(event.ts_ns)
            d_side.append(side)
            d_action.append(action)
            d_price.append(price)
            d_qty.append(qty)
            d_flags.append(F_LAST if i == len(rows) - 1 else 0)
    rules = market.rules(SYMBOL)
    np.savez(
        path,
        book_updates=np.array(book_updates),
        kinds=np.array(kinds, dtype=np.int8),
        delta_ts=np.array(d_ts, dtype=np.int64), delta_side=np.array(d_side, dtype=np.int8),
        delta_action=np.array(d_action, dtype=np.int8), delta_price=np.array(d_price),
        delta_qty=np.array(d_qty), delta_flags=np.array(d_flags, dtype=np.uint8),
        trade_ts=np.array(t_ts, dtype=np.int64), trade_price=np.array(t_price),
        trade_qty=np.array(t_qty), trade_side=np.array(t_side, dtype=np.int8),
        tick_size=np.array(rules.tick_size), lot_size=np.array(rules.lot_size),
    )
    return {"deltas": len(d_ts), "books": kinds.count(KIND_BOOK), "trades": len(t_ts)}


def _rows(before: Sides, after: Sides) -> list[Row]:
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


def _change_rows(changes: BookChanges) -> list[Row]:
    """One diff-depth update's deltas: the levels it removes (both sides), then those it sets."""
    deletes: list[Row] = []
    sets: list[Row] = []
    for side, side_changes in enumerate((changes.bids, changes.asks)):
        for price, old_qty, new_qty in side_changes:
            if not new_qty:
                deletes.append((side, DELETE, price, 0.0))
            else:
                sets.append((side, UPDATE if old_qty else ADD, price, new_qty))
    return deletes + sets


def load_events(path: Path) -> list[OrderBook | Trade]:
    """The stream as our engine's events: each update applied gives one book, carrying the
    levels it changed on the ``deltas`` stream (a snapshot after a CLEAR)."""
    data = np.load(path)
    with_changes = str(data["book_updates"]) == "deltas"
    kinds = data["kinds"].tolist()
    d_ts, d_side, d_action = data["delta_ts"].tolist(), data["delta_side"].tolist(), data["delta_action"].tolist()
    d_price, d_qty, d_flags = data["delta_price"].tolist(), data["delta_qty"].tolist(), data["delta_flags"].tolist()
    t_ts, t_price, t_qty, t_side = (data["trade_ts"].tolist(), data["trade_price"].tolist(),
                                    data["trade_qty"].tolist(), data["trade_side"].tolist())
    books: Sides = ({}, {})
    events: list[OrderBook | Trade] = []
    d = t = seq = 0
    for kind in kinds:
        if kind == KIND_TRADE:
            side = Side.BUY if t_side[t] == 0 else Side.SELL
            events.append(Trade(SYMBOL, t_ts[t], t_price[t], t_qty[t], side, str(t)))
            t += 1
            continue
        changed: tuple[list[LevelChange], list[LevelChange]] = ([], [])
        snapshot = False
        while True:
            action, levels, price = d_action[d], books[d_side[d]], d_price[d]
            if action == CLEAR:
                books[0].clear()
                books[1].clear()
                snapshot = True
            elif action == DELETE:
                changed[d_side[d]].append(LevelChange(price, levels.pop(price), 0.0))
            else:
                changed[d_side[d]].append(LevelChange(price, levels.get(price, 0.0), d_qty[d]))
                levels[price] = d_qty[d]
            last = d_flags[d] & F_LAST
            ts_ns = d_ts[d]
            d += 1
            if last:
                break
        seq += 1
        changes = None if snapshot or not with_changes else BookChanges(seq - 1, tuple(changed[0]), tuple(changed[1]))
        bids = sorted(books[0].items(), reverse=True)
        asks = sorted(books[1].items())
        events.append(OrderBook.from_levels(SYMBOL, ts_ns, seq, bids, asks, changes))
    return events
