"""Candles from trades (and book mids while a bucket has no trade) at several timeframes.

A bucket closes when an event stamped at or after its end arrives: a trade, a book, or the
engine's timer through ``on_time``. Buckets with no data at all produce no candle: a gap in
the data stays visible as a gap rather than as invented flat bars.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from hft_tui.model import Candle, OrderBook, Side, Trade

_UNIT_NS = {
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3_600 * 1_000_000_000,
    "d": 86_400 * 1_000_000_000,
    "w": 7 * 86_400 * 1_000_000_000,
}
_TIMEFRAME_RE = re.compile(r"^([1-9][0-9]*)([smhdw])$")

#: The timeframes a strategy parameter may name (the builder itself parses any ``<n><unit>``).
Timeframe = Literal["1s", "5s", "15s", "30s", "1m", "3m", "5m", "15m", "30m", "1h", "4h", "1d"]

_NO_CANDLES: tuple[Candle, ...] = ()


def parse_timeframe(timeframe: str) -> int:
    """Length of a timeframe such as ``"1s"``, ``"5m"``, ``"1h"``, ``"1d"`` in nanoseconds."""
    match = _TIMEFRAME_RE.match(timeframe)
    if match is None:
        raise ValueError(f"bad timeframe {timeframe!r}: expected <n><s|m|h|d|w>, e.g. '1m'")
    return int(match.group(1)) * _UNIT_NS[match.group(2)]


class _OpenBar:
    """The bucket being built. Trade OHLC wins; mid OHLC stands in when no trade came."""

    __slots__ = (
        "open_ts_ns", "end_ts_ns", "n_trades", "n_mids",
        "open", "high", "low", "close",
        "mid_open", "mid_high", "mid_low", "mid_close",
        "volume", "buy_volume",
    )  # fmt: skip

    def __init__(self, open_ts_ns: int, end_ts_ns: int) -> None:
        self.open_ts_ns = open_ts_ns
        self.end_ts_ns = end_ts_ns
        self.n_trades = 0
        self.n_mids = 0
        self.open = self.high = self.low = self.close = 0.0
        self.mid_open = self.mid_high = self.mid_low = self.mid_close = 0.0
        self.volume = 0.0
        self.buy_volume = 0.0

    def add_trade(self, price: float, qty: float, is_buy: bool) -> None:
        if self.n_trades == 0:
            self.open = self.high = self.low = price
        elif price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        self.close = price
        self.n_trades += 1
        self.volume += qty
        if is_buy:
            self.buy_volume += qty

    def add_mid(self, mid: float) -> None:
        if self.n_mids == 0:
            self.mid_open = self.mid_high = self.mid_low = mid
        elif mid > self.mid_high:
            self.mid_high = mid
        elif mid < self.mid_low:
            self.mid_low = mid
        self.mid_close = mid
        self.n_mids += 1

    def to_candle(self, symbol: str, timeframe: str) -> Candle:
        if self.n_trades:
            return Candle(
                symbol, timeframe, self.open_ts_ns,
                self.open, self.high, self.low, self.close,
                self.volume, self.buy_volume,
            )  # fmt: skip
        return Candle(
            symbol, timeframe, self.open_ts_ns,
            self.mid_open, self.mid_high, self.mid_low, self.mid_close,
            0.0, 0.0,
        )  # fmt: skip


class CandleBuilder:
    """Builds OHLCV candles per symbol at each configured timeframe.

    ``on_trade``, ``on_book`` and ``on_time`` return the candles their timestamp closed,
    oldest timeframe-order first (usually none). Events older than the open bucket are not
    folded into it; ``late_events`` counts them.
    """

    def __init__(self, timeframes: Sequence[str] = ("1m", "5m", "15m")) -> None:
        if not timeframes:
            raise ValueError("at least one timeframe is needed")
        if len(set(timeframes)) != len(timeframes):
            raise ValueError(f"duplicate timeframes in {list(timeframes)}")
        self.timeframes: tuple[str, ...] = tuple(timeframes)
        self._frames: tuple[tuple[str, int], ...] = tuple((tf, parse_timeframe(tf)) for tf in timeframes)
        # symbol -> one open bar (or None) per timeframe, in ``timeframes`` order.
        self._bars: dict[str, list[_OpenBar | None]] = {}
        # symbol -> (mid, from_ns, until_ns): the mid folded last, while every open bar of the
        # symbol spans [from_ns, until_ns). A book at that mid inside that span changes no bar
        # (a diff-depth feed repeats the mid on most updates), so it is not folded again.
        self._quiet: dict[str, tuple[float, int, int]] = {}
        self.late_events = 0

    def on_trade(self, trade: Trade) -> Sequence[Candle]:
        """Fold a trade into every timeframe; return the candles it closed."""
        self._quiet.pop(trade.symbol, None)
        bars = self._bars_for(trade.symbol)
        ts_ns = trade.ts_ns
        closed: list[Candle] | None = None
        is_buy = trade.side is Side.BUY
        for i, (tf, tf_ns) in enumerate(self._frames):
            bar = bars[i]
            if bar is None or ts_ns >= bar.end_ts_ns:
                if bar is not None:
                    if closed is None:
                        closed = []
                    closed.append(bar.to_candle(trade.symbol, tf))
                start = ts_ns - ts_ns % tf_ns
                bar = bars[i] = _OpenBar(start, start + tf_ns)
            elif ts_ns < bar.open_ts_ns:
                self.late_events += 1
                continue
            bar.add_trade(trade.price, trade.qty, is_buy)
        return closed if closed is not None else _NO_CANDLES

    def on_book(self, book: OrderBook) -> Sequence[Candle]:
        """Fold the book's mid into every timeframe (used only where no trade came)."""
        if not len(book.bids) or not len(book.asks):
            return _NO_CANDLES
        mid = (float(book.bids[0, 0]) + float(book.asks[0, 0])) * 0.5
        return self.on_mid(book.symbol, book.ts_ns, mid)

    def on_mid(self, symbol: str, ts_ns: int, mid: float) -> Sequence[Candle]:
        """Fold a mid price stamped ``ts_ns``; return the candles it closed."""
        quiet = self._quiet.get(symbol)
        if quiet is not None and quiet[0] == mid and quiet[1] <= ts_ns < quiet[2]:
            return _NO_CANDLES
        bars = self._bars_for(symbol)
        closed: list[Candle] | None = None
        opened = quiet is None
        late = False
        for i, (tf, tf_ns) in enumerate(self._frames):
            bar = bars[i]
            if bar is None or ts_ns >= bar.end_ts_ns:
                if bar is not None:
                    if closed is None:
                        closed = []
                    closed.append(bar.to_candle(symbol, tf))
                start = ts_ns - ts_ns % tf_ns
                bar = bars[i] = _OpenBar(start, start + tf_ns)
                opened = True
            elif ts_ns < bar.open_ts_ns:
                self.late_events += 1
                late = True
                continue
            bar.add_mid(mid)
        if late:
            # A bar did not take this mid: its close is not ``mid``, so the next one is not a repeat.
            self._quiet.pop(symbol, None)
        elif opened:
            self._quiet[symbol] = (mid, max(b.open_ts_ns for b in bars), min(b.end_ts_ns for b in bars))  # type: ignore[union-attr]
        else:
            self._quiet[symbol] = (mid, quiet[1], quiet[2])  # type: ignore[index]
        return closed if closed is not None else _NO_CANDLES

    def on_time(self, symbol: str, ts_ns: int) -> Sequence[Candle]:
        """Close the buckets of ``symbol`` that ended at or before ``ts_ns`` (no trade needed)."""
        self._quiet.pop(symbol, None)
        bars = self._bars.get(symbol)
        if bars is None:
            return _NO_CANDLES
        closed: list[Candle] | None = None
        for i, (tf, _) in enumerate(self._frames):
            bar = bars[i]
            if bar is not None and ts_ns >= bar.end_ts_ns:
                if closed is None:
                    closed = []
                closed.append(bar.to_candle(symbol, tf))
                bars[i] = None
        return closed if closed is not None else _NO_CANDLES

    def current(self, symbol: str, timeframe: str) -> Candle | None:
        """The still-open candle of ``symbol`` at ``timeframe``, or None if no bucket is open."""
        try:
            i = self.timeframes.index(timeframe)
        except ValueError:
            raise KeyError(f"timeframe {timeframe!r} is not built; built: {self.timeframes}") from None
        bars = self._bars.get(symbol)
        bar = bars[i] if bars is not None else None
        return bar.to_candle(symbol, timeframe) if bar is not None else None

    def _bars_for(self, symbol: str) -> list[_OpenBar | None]:
        bars = self._bars.get(symbol)
        if bars is None:
            bars = self._bars[symbol] = [None] * len(self._frames)
        return bars
