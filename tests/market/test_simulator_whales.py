"""Whales: large resting orders appear now and then, sit at one price, and go away."""

from __future__ import annotations

import numpy as np

from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import OrderBook, Side

START_NS = 1_767_225_600_000_000_000
# Ordinary levels top out at 5 BTC (~$325k); whales are drawn from $600k to $3M.
WHALE_USD = 500_000.0


def _largest_level(book: OrderBook) -> tuple[Side, float, float]:
    """(side, price, notional) of the book's largest level."""
    bid_notional = book.bids[:, 0] * book.bids[:, 1]
    ask_notional = book.asks[:, 0] * book.asks[:, 1]
    if bid_notional.max() >= ask_notional.max():
        i = int(np.argmax(bid_notional))
        return Side.BUY, float(book.bids[i, 0]), float(bid_notional[i])
    i = int(np.argmax(ask_notional))
    return Side.SELL, float(book.asks[i, 0]), float(ask_notional[i])


def test_whales_appear_rest_at_one_price_for_a_while_and_leave() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 17, start_ts_ns=START_NS)
    sightings: list[tuple[int, Side, float]] = []  # (ts_ns, side, price) of BTC whales
    books = 0
    while market.now_ns() - START_NS < 30 * 60 * 1_000_000_000:
        event = market.next_event()
        if isinstance(event, OrderBook) and event.symbol == "BTC/USDT":
            books += 1
            side, price, notional = _largest_level(event)
            if notional > WHALE_USD:
                sightings.append((event.ts_ns, side, price))
    assert sightings, "no whale in half an hour"
    assert len(sightings) < books, "whales come and go"
    # The first whale keeps its price for many consecutive sightings over seconds.
    first_ts, first_side, first_price = sightings[0]
    same = [s for s in sightings if s[1] is first_side and s[2] == first_price]
    assert len(same) > 100
    assert same[-1][0] - first_ts > 10 * 1_000_000_000


def test_a_whale_never_sits_at_or_through_the_other_side() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 17, start_ts_ns=START_NS)
    for _ in range(60_000):
        event = market.next_event()
        if isinstance(event, OrderBook):
            side, price, notional = _largest_level(event)
            if notional > WHALE_USD:
                if side is Side.BUY:
                    assert price < event.asks[0, 0]
                else:
                    assert price > event.bids[0, 0]
