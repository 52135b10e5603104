"""Whales: large resting orders appear now and then, act as a wall the price leans on,
trail the market when it moves away, and go."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import OrderBook, Side

START_NS = 1_767_225_600_000_000_000
# Ordinary levels top out at 5 BTC (~$325k); whales are drawn from $600k to $3M.
WHALE_USD = 500_000.0


@dataclass
class Episode:
    side: Side
    first_ts: int
    last_ts: int = 0
    prices: list[float] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.last_ts - self.first_ts) / 1e9


def _whale(book: OrderBook) -> tuple[Side, float, int] | None:
    """(side, price, level) of the book's whale, if it shows one."""
    bid_notional = book.bids[:, 0] * book.bids[:, 1]
    ask_notional = book.asks[:, 0] * book.asks[:, 1]
    if bid_notional.max() > WHALE_USD:
        level = int(np.argmax(bid_notional))
        return Side.BUY, float(book.bids[level, 0]), level
    if ask_notional.max() > WHALE_USD:
        level = int(np.argmax(ask_notional))
        return Side.SELL, float(book.asks[level, 0]), level
    return None


def _btc_whale_episodes(seed: int, minutes: int) -> tuple[list[Episode], int]:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, seed, start_ts_ns=START_NS)
    episodes: list[Episode] = []
    current: Episode | None = None
    books = 0
    while market.now_ns() - START_NS < minutes * 60 * 1_000_000_000:
        event = market.next_event()
        if not (isinstance(event, OrderBook) and event.symbol == "BTC/USDT"):
            continue
        books += 1
        seen = _whale(event)
        if seen is None:
            current = None
            continue
        side, price, level = seen
        if current is None or current.side is not side:
            current = Episode(side, event.ts_ns)
            episodes.append(current)
        current.last_ts = event.ts_ns
        current.prices.append(price)
        current.levels.append(level)
    return episodes, books


def test_whales_come_and_go_and_some_stand_for_many_seconds() -> None:
    episodes, books = _btc_whale_episodes(17, 30)
    assert len(episodes) >= 3
    assert sum(len(e.prices) for e in episodes) < 0.5 * books
    assert max(e.seconds for e in episodes) > 10.0
    assert {e.side for e in episodes} == {Side.BUY, Side.SELL}


def test_a_whale_only_ever_trails_towards_the_market_and_holds_the_touch() -> None:
    episodes, _ = _btc_whale_episodes(17, 30)
    for episode in episodes:
        steps = np.diff(episode.prices)
        if episode.side is Side.BUY:
            assert np.all(steps >= 0), "a bid wall never steps down"
        else:
            assert np.all(steps <= 0), "an offer wall never steps up"
    # The price leans on the wall: often the whale is the best level itself.
    at_touch = sum(level == 0 for e in episodes for level in e.levels)
    assert at_touch > 50


def test_a_whale_never_sits_at_or_through_the_other_side() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 17, start_ts_ns=START_NS)
    for _ in range(60_000):
        event = market.next_event()
        if isinstance(event, OrderBook) and (seen := _whale(event)) is not None:
            side, price, _ = seen
            if side is Side.BUY:
                assert price < event.asks[0, 0]
            else:
                assert price > event.bids[0, 0]
