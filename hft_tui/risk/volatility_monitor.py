"""Volatility spikes: how many rolling standard deviations the current return spans.

Per symbol and horizon (1 s and 1 min by default) prices are cut into fixed buckets; each
completed bucket's log return feeds a rolling standard deviation, and the return from the
last completed bucket's close to the current price is scored against it, so a spike is
seen on the tick that makes it, not when its bucket closes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hft_tui.risk.rolling_windows import RollingPopulationStd


class _Horizon:
    """One symbol's state for one return horizon."""

    __slots__ = ("bucket_ns", "bucket", "anchor_price", "last_price", "returns")

    def __init__(self, bucket_ns: int, lookback: int) -> None:
        self.bucket_ns = bucket_ns
        self.bucket = -1
        self.anchor_price = 0.0
        self.last_price = 0.0
        self.returns = RollingPopulationStd(lookback)


class VolatilityMonitor:
    """Scores each price against each horizon's rolling return deviation."""

    __slots__ = ("_horizons_ns", "_lookback", "_min_returns", "_floor", "_symbols")

    def __init__(
        self, horizons_s: Sequence[float], lookback: int, min_returns: int, floor_bps: float
    ) -> None:
        self._horizons_ns = tuple(int(h * 1e9) for h in horizons_s)
        self._lookback = lookback
        self._min_returns = min_returns
        self._floor = floor_bps * 1e-4
        self._symbols: dict[str, tuple[_Horizon, ...]] = {}

    def update(self, symbol: str, price: float, ts_ns: int) -> float:
        """The largest ``|return| / sigma`` over the horizons for this price (0.0 while warming up)."""
        horizons = self._symbols.get(symbol)
        if horizons is None:
            horizons = tuple(_Horizon(h, self._lookback) for h in self._horizons_ns)
            self._symbols[symbol] = horizons
        worst = 0.0
        for h in horizons:
            bucket = ts_ns // h.bucket_ns
            if h.bucket < 0:
                h.bucket = bucket
                h.anchor_price = h.last_price = price
                continue
            if bucket > h.bucket:
                # A gap of several buckets is not one horizon's return: re-anchor without sampling.
                if bucket == h.bucket + 1:
                    h.returns.push(math.log(h.last_price / h.anchor_price))
                h.anchor_price = h.last_price
                h.bucket = bucket
            h.last_price = price
            if h.returns.count >= self._min_returns:
                sigma = max(h.returns.std(), self._floor)
                score = abs(math.log(price / h.anchor_price)) / sigma
                if score > worst:
                    worst = score
        return worst
