"""The head-to-head's event stream: the simulator's BTC/USDT books as L2 deltas, plus trades.

Written once to an ``.npz`` file (plain numpy arrays, so a NautilusTrader virtualenv can
read it without this package) and read back as our engine's events. Each sim book
snapshot becomes the deltas that turn the previous snapshot into it (the first one: a
CLEAR and an ADD per level); snapshots that change nothing are dropped from both sides.
Rebuilding snapshots from the deltas gives back the simulator's books exactly.
"""

from __future__ import annotations

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


def export_stream(path: Path, n_deltas: int, seed: int = 7) -> dict[str, int]:
    """Write at least ``n_deltas`` book deltas (whole snapshots) and the trades between them."""
    # No scripted opening cascade: a plain market, so the probe trades rather than the risk
    # guard holding it reduce-only through the crash.
    settings = load_settings(None, {"engine": {"symbols": [SYMBOL], "seed": seed}, "sim": {"opening_cascade_s": 0}})
    market = build_sim_market(settings, DEFAULT_SIM_START_NS)
    d_ts, d_side, d_action, d_price, d_qty, d_flags = [], [], [], [], [], []
    t_ts, t_price, t_qty, t_side = [], [], [], []
    kinds: list[int] = []
    previous: tuple[dict[float, float], dict[float, float]] | None = None
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
        sides = (dict(event.bids.tolist()), dict(event.asks.tolist()))
        rows: list[tuple[int, int, float, float]] = []
        if previous is None:
            rows.append((0, CLEAR, 0.0, 0.0))
        for side, levels in enumerate(sides):
            before = previous[side] if previous is not None else {}
            rows.extend((side, DELETE, price, 0.0) for price in before if price not in levels)
            for price, qty in levels.items():
                old = before.get(price)
                if old is None:
                    rows.append((side, ADD, price, qty))
                elif old != qty:
                    rows.append((side, UPDATE, price, qty))
        if not rows:
            continue
        previous = sides
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
        kinds=np.array(kinds, dtype=np.int8),
        delta_ts=np.array(d_ts, dtype=np.int64), delta_side=np.array(d_side, dtype=np.int8),
        delta_action=np.array(d_action, dtype=np.int8), delta_price=np.array(d_price),
        delta_qty=np.array(d_qty), delta_flags=np.array(d_flags, dtype=np.uint8),
        trade_ts=np.array(t_ts, dtype=np.int64), trade_price=np.array(t_price),
        trade_qty=np.array(t_qty), trade_side=np.array(t_side, dtype=np.int8),
        tick_size=np.array(rules.tick_size), lot_size=np.array(rules.lot_size),
    )
    return {"deltas": len(d_ts), "books": kinds.count(KIND_BOOK), "trades": len(t_ts)}


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
