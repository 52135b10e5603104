"""Volume profile: traded volume by price bucket over a rolling time window.

The point of control (POC) is the bucket with the most volume; the value area is the
contiguous run of buckets around it holding ``value_area_share`` (70 %) of the volume,
grown one bucket at a time towards the heavier neighbour (the usual CBOT construction).
Adding a trade is O(1) amortised; the view is computed on demand and cached until the
next trade, so the UI can poll it without cost on the hot path.

A bucket lives while it holds trades of the window: it is counted, not judged by what float
subtraction leaves of its volume (a 1e-13 print, or a 1 beside a 1e250, leaves nothing, and
the bucket must still be there when its other trades age out).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VolumeProfileView:
    """A read-only profile. Prices are bucket floors: a bucket holds [price, price + bucket_size)."""

    symbol: str
    ts_ns: int
    bucket_size: float
    total_qty: float
    poc_price: float
    value_area_high: float
    value_area_low: float
    levels: tuple[tuple[float, float], ...]  # (bucket price, qty), ascending by price

    def in_value_area(self, price: float) -> bool:
        """Whether ``price`` falls inside the value area's buckets."""
        return self.value_area_low <= price < self.value_area_high + self.bucket_size


class VolumeProfile:
    """Rolling volume-at-price for one symbol, bucketed by ``ticks_per_bucket`` ticks."""

    def __init__(
        self,
        symbol: str,
        tick_size: float,
        ticks_per_bucket: int,
        window_s: float,
        value_area_share: float = 0.7,
    ) -> None:
        if tick_size <= 0 or ticks_per_bucket < 1 or window_s <= 0:
            raise ValueError("tick_size and window_s must be positive and ticks_per_bucket >= 1")
        if not 0.0 < value_area_share <= 1.0:
            raise ValueError("value_area_share must be in (0, 1]")
        self.symbol = symbol
        self.tick_size = tick_size
        self.ticks_per_bucket = ticks_per_bucket
        self.bucket_size = tick_size * ticks_per_bucket
        self.value_area_share = value_area_share
        self._window_ns = int(window_s * 1e9)
        # Digits that make bucket_index * bucket_size print as the exchange would quote it.
        self._price_digits = max(0, -math.floor(math.log10(tick_size))) + 2
        self._qty_by_bucket: dict[int, float] = {}
        self._trades_by_bucket: dict[int, int] = {}
        self._trades: deque[tuple[int, int, float]] = deque()
        self._last_ts_ns = 0
        self._view: VolumeProfileView | None = None

    def bucket_of(self, price: float) -> int:
        """The bucket index of ``price``; via the tick index so 100.1 / 0.1 never floors to 1000."""
        return round(price / self.tick_size) // self.ticks_per_bucket

    def bucket_price(self, bucket: int) -> float:
        """The floor price of bucket ``bucket``."""
        return round(bucket * self.bucket_size, self._price_digits)

    def add(self, price: float, qty: float, ts_ns: int) -> None:
        """Count a trade of ``qty`` at ``price``; forget trades older than the window."""
        if not (0.0 < qty < math.inf and 0.0 < price / self.tick_size < math.inf):  # also NaN
            return
        bucket = self.bucket_of(price)
        self._qty_by_bucket[bucket] = self._qty_by_bucket.get(bucket, 0.0) + qty
        self._trades_by_bucket[bucket] = self._trades_by_bucket.get(bucket, 0) + 1
        self._trades.append((ts_ns, bucket, qty))
        if ts_ns > self._last_ts_ns:
            self._last_ts_ns = ts_ns
        self._evict(self._last_ts_ns - self._window_ns)
        self._view = None

    def _evict(self, cutoff_ns: int) -> None:
        trades = self._trades
        qty_by_bucket = self._qty_by_bucket
        trades_by_bucket = self._trades_by_bucket
        while trades and trades[0][0] < cutoff_ns:
            _, bucket, qty = trades.popleft()
            left = trades_by_bucket[bucket] - 1
            if left == 0:
                del qty_by_bucket[bucket]
                del trades_by_bucket[bucket]
            else:
                trades_by_bucket[bucket] = left
                qty_by_bucket[bucket] = max(qty_by_bucket[bucket] - qty, 0.0)

    def view(self) -> VolumeProfileView | None:
        """POC, value area and levels over the window; None before the first trade."""
        if self._view is not None:
            return self._view
        if not self._qty_by_bucket:
            return None
        buckets = sorted(self._qty_by_bucket)
        qtys = [self._qty_by_bucket[b] for b in buckets]
        total = math.fsum(qtys)
        # Ties go to the lower price so the POC is deterministic.
        poc = max(range(len(qtys)), key=lambda i: (qtys[i], -i))
        lo = hi = poc
        covered = qtys[poc]
        target = total * self.value_area_share
        while covered < target and (lo > 0 or hi < len(qtys) - 1):
            below = qtys[lo - 1] if lo > 0 else -1.0
            above = qtys[hi + 1] if hi < len(qtys) - 1 else -1.0
            if above >= below:
                hi += 1
                covered += above
            else:
                lo -= 1
                covered += below
        self._view = VolumeProfileView(
            symbol=self.symbol,
            ts_ns=self._last_ts_ns,
            bucket_size=self.bucket_size,
            total_qty=total,
            poc_price=self.bucket_price(buckets[poc]),
            value_area_high=self.bucket_price(buckets[hi]),
            value_area_low=self.bucket_price(buckets[lo]),
            levels=tuple((self.bucket_price(b), q) for b, q in zip(buckets, qtys, strict=True)),
        )
        return self._view
