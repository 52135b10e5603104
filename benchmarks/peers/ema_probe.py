"""The head-to-head's minimal strategy on our side: an EMA of the mid on every book (the
per-event indicator work), and every ``every`` events a signal, buy and sell in turn, so
each one can trade (an entry when flat, a reversal that closes the position otherwise).
NautilusTrader's probe sends a market order at the same cadence; here the signal goes
through the manager, sizing and the risk gate like any other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import Field

from hft_tui.model import OrderBook, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams

_SIGNAL_TTL_NS = 1_000_000_000


class EmaProbeParams(StrategyParams):
    """Parameters of the benchmark probe."""

    every: int = Field(1000, ge=1, description="Events between two signals.")
    ema_alpha: float = Field(2.0 / 101.0, gt=0.0, le=1.0, description="EMA weight of the newest mid.")


class EmaProbe(Strategy[EmaProbeParams]):
    """EMA of the mid; a signal every ``every`` book or trade events."""

    name: ClassVar[str] = "ema_probe"
    params_model: ClassVar[type[StrategyParams]] = EmaProbeParams

    def __init__(self, params: EmaProbeParams | None = None) -> None:
        super().__init__(params)
        self.ema: float | None = None
        self._count = 0
        self._buy_next = True

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        mid = (book.bids.item(0, 0) + book.asks.item(0, 0)) * 0.5
        self.ema = mid if self.ema is None else self.ema + self.params.ema_alpha * (mid - self.ema)
        return self._tick(book.symbol, book.ts_ns)

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        return self._tick(trade.symbol, trade.ts_ns)

    def _tick(self, symbol: str, ts_ns: int) -> Sequence[Signal]:
        self._count += 1
        if self._count % self.params.every or self.ema is None:
            return NO_SIGNALS
        buy, self._buy_next = self._buy_next, not self._buy_next
        return (Signal(symbol, Side.BUY if buy else Side.SELL, 1.0, Priority.MEDIUM,
                       (ReasonCode.TREND_STRONG_UP if buy else ReasonCode.TREND_STRONG_DOWN,),
                       self.name, ts_ns, ts_ns + _SIGNAL_TTL_NS),)
