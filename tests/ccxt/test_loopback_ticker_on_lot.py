"""The loopback's random walk publishes only sizes a real exchange could: whole lots of
each market's step size, in the book and in trades."""

from __future__ import annotations

import asyncio

from live_harness import wait_until
from loopback_exchange import LoopbackExchange


def whole_lots(qty: float, step: str) -> bool:
    lots = qty / float(step)
    return lots >= 1 - 1e-9 and abs(lots - round(lots)) < 1e-6


async def test_every_size_the_random_walk_publishes_is_on_its_market_lot_grid(loopback: LoopbackExchange) -> None:
    walking = asyncio.ensure_future(loopback.run_ticker(0.0))
    try:
        await wait_until(lambda: all(len(loopback.trades[m]) >= 50 for m in loopback.markets), "50 trades a market")
    finally:
        walking.cancel()
        await asyncio.gather(walking, return_exceptions=True)

    for market_id, market in loopback.markets.items():
        bids, asks = loopback.book_levels(market_id)
        sizes = [qty for _, qty in bids + asks] + [float(t["qty"]) for t in loopback.trades[market_id]]
        assert [q for q in sizes if not whole_lots(q, market.step_size)] == [], market_id
