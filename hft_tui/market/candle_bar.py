"""A candle from a file as the market it stands for, taken at its close: a one-level book one
tick around the close, and the bar's buy and sell volume as trades at the close, so book, trade
and candle strategies all see the bar.

Only candle backtests send the core candles (no live source does), so this runs only there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import Candle, MarketRules, OrderBook, Side, Trade

# The synthetic book: one level a side, this many ticks from the close, deep enough for any order.
HALF_SPREAD_TICKS = 1
BOOK_QTY = 1e9
# Each side's volume is this many trades, the sides interleaved: volume-bucketed measures (VPIN)
# see the bar's buy/sell mix, not one side's whole volume followed by the other's.
TRADE_SLICES = 8


@dataclass(frozen=True, slots=True)
class CandleBar:
    """One bar at its close: the candle (with its buy volume), the time and the book."""

    candle: Candle
    ts_ns: int
    book: OrderBook

    @classmethod
    def at_close(cls, candle: Candle, rules: MarketRules, previous: OrderBook | None) -> CandleBar:
        """The bar of ``candle``; its book follows ``previous`` (the symbol's last book) in sequence."""
        if candle.buy_volume <= 0.0:
            # Exchange OHLCV does not say who took the volume: without an estimate every bar
            # would read as all selling to the order-flow strategies (CVD).
            candle = replace(candle, buy_volume=candle.estimated_buy_volume())
        ts_ns = candle.open_ts_ns + parse_timeframe(candle.timeframe)
        half = HALF_SPREAD_TICKS * rules.tick_size
        book = OrderBook.from_levels(
            candle.symbol, ts_ns, previous.seq + 1 if previous is not None else 1,
            np.array([[candle.close - half, BOOK_QTY]]),
            np.array([[candle.close + half, BOOK_QTY]]),
        )
        return cls(candle, ts_ns, book)

    def trades(self) -> Iterator[Trade]:
        """The bar's volume as trades at its close, spread evenly through it."""
        sides = self._sides()
        for _ in range(TRADE_SLICES):
            for side, qty in sides:
                yield self._trade(side, qty)

    def last_trade(self) -> Trade | None:
        """The last of ``trades`` (what the display keeps when no strategy reads trades)."""
        sides = self._sides()
        return self._trade(*sides[-1]) if sides else None

    def _sides(self) -> list[tuple[Side, float]]:
        candle = self.candle
        return [(side, qty) for side, qty in ((Side.BUY, candle.buy_volume),
                                              (Side.SELL, candle.volume - candle.buy_volume)) if qty > 0]

    def _trade(self, side: Side, qty: float) -> Trade:
        return Trade(self.candle.symbol, self.ts_ns, self.candle.close, qty / TRADE_SLICES, side)
