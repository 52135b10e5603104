"""Incremental indicators: every update is O(1), whatever the window length.

Count windows keep a ring buffer and running sums; time windows keep a queue and evict
from the front as time moves on. Running sums drift under floating-point add/subtract, so
count windows recompute theirs exactly once per full turn of the ring (amortised O(1)).
"""

from __future__ import annotations

import math
from collections import deque


class RollingMean:
    """Simple moving average of the last ``period`` values."""

    __slots__ = ("period", "_ring", "_idx", "_count", "_sum", "_pushes")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"period must be >= 1, got {period}")
        self.period = period
        self._ring = [0.0] * period
        self._idx = 0
        self._count = 0
        self._sum = 0.0
        self._pushes = 0

    def push(self, value: float) -> None:
        """Add a value, evicting the oldest once the window is full."""
        ring = self._ring
        if self._count == self.period:
            self._sum -= ring[self._idx]
        else:
            self._count += 1
        ring[self._idx] = value
        self._sum += value
        self._idx = (self._idx + 1) % self.period
        self._pushes += 1
        if self._pushes >= self.period:
            self._pushes = 0
            self._sum = math.fsum(ring)

    @property
    def full(self) -> bool:
        return self._count == self.period

    @property
    def count(self) -> int:
        return self._count

    @property
    def total(self) -> float:
        return self._sum

    @property
    def value(self) -> float:
        """The mean of the values held (NaN while empty)."""
        return self._sum / self._count if self._count else math.nan


class RollingStd:
    """Rolling mean and sample standard deviation of the last ``period`` values.

    Sums are kept relative to a shift (the first value, then the mean at each turn of the
    ring) so that the sum/sum-of-squares form keeps its precision on prices far from zero.
    """

    __slots__ = ("period", "_ring", "_idx", "_count", "_shift", "_sum", "_sumsq", "_pushes")

    def __init__(self, period: int) -> None:
        if period < 2:
            raise ValueError(f"period must be >= 2, got {period}")
        self.period = period
        self._ring = [0.0] * period
        self._idx = 0
        self._count = 0
        self._shift = math.nan
        self._sum = 0.0
        self._sumsq = 0.0
        self._pushes = 0

    def push(self, value: float) -> None:
        """Add a value, evicting the oldest once the window is full."""
        if not self._count:
            self._shift = value
        x = value - self._shift
        ring = self._ring
        if self._count == self.period:
            old = ring[self._idx]
            self._sum -= old
            self._sumsq -= old * old
        else:
            self._count += 1
        ring[self._idx] = x
        self._sum += x
        self._sumsq += x * x
        self._idx = (self._idx + 1) % self.period
        self._pushes += 1
        if self._pushes >= self.period:
            self._rebase()

    def _rebase(self) -> None:
        # Once per turn of the ring: re-centre on the current mean (prices wander far from
        # the first value over a day) and recompute both sums exactly.
        self._pushes = 0
        ring = self._ring
        offset = math.fsum(ring) / self.period
        for i in range(self.period):
            ring[i] -= offset
        self._shift += offset
        self._sum = math.fsum(ring)
        self._sumsq = math.fsum(v * v for v in ring)

    @property
    def full(self) -> bool:
        return self._count == self.period

    @property
    def count(self) -> int:
        return self._count

    @property
    def mean(self) -> float:
        if not self._count:
            return math.nan
        return self._shift + self._sum / self._count

    @property
    def std(self) -> float:
        """Sample standard deviation (NaN with fewer than two values)."""
        n = self._count
        if n < 2:
            return math.nan
        var = (self._sumsq - self._sum * self._sum / n) / (n - 1)
        return math.sqrt(var) if var > 0.0 else 0.0


class RollingSum:
    """Sum of the last ``period`` values (e.g. signed volume over the last N trades)."""

    __slots__ = ("_mean",)

    def __init__(self, period: int) -> None:
        self._mean = RollingMean(period)

    def push(self, value: float) -> None:
        self._mean.push(value)

    @property
    def full(self) -> bool:
        return self._mean.full

    @property
    def count(self) -> int:
        return self._mean.count

    @property
    def value(self) -> float:
        return self._mean.total


class Ema:
    """Exponential moving average with ``alpha = 2 / (period + 1)``; seeded with the first value."""

    __slots__ = ("alpha", "_value", "_count")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"period must be >= 1, got {period}")
        self.alpha = 2.0 / (period + 1.0)
        self._value = math.nan
        self._count = 0

    def push(self, value: float) -> None:
        if self._count == 0:
            self._value = value
        else:
            self._value += self.alpha * (value - self._value)
        self._count += 1

    @property
    def count(self) -> int:
        return self._count

    @property
    def value(self) -> float:
        return self._value


class TimeWindowSum:
    """Sum of values stamped within the last ``window_ns`` nanoseconds."""

    __slots__ = ("window_ns", "_items", "_sum", "_first_ts_ns")

    def __init__(self, window_ns: int) -> None:
        if window_ns <= 0:
            raise ValueError(f"window must be positive, got {window_ns} ns")
        self.window_ns = window_ns
        self._items: deque[tuple[int, float]] = deque()
        self._sum = 0.0
        self._first_ts_ns: int | None = None

    def push(self, ts_ns: int, value: float) -> None:
        """Add a value at ``ts_ns`` and evict what fell out of the window."""
        if self._first_ts_ns is None:
            self._first_ts_ns = ts_ns
        self._items.append((ts_ns, value))
        self._sum += value
        self.evict(ts_ns)

    def evict(self, now_ns: int) -> None:
        """Drop values older than the window as seen from ``now_ns``."""
        items = self._items
        cutoff = now_ns - self.window_ns
        while items and items[0][0] <= cutoff:
            self._sum -= items.popleft()[1]
        if not items:
            # An empty window has an exact sum; resetting here stops drift from accumulating.
            self._sum = 0.0

    @property
    def value(self) -> float:
        return self._sum

    def span_ns(self, now_ns: int) -> int:
        """How much history the window covers at ``now_ns``: at most the window length."""
        if self._first_ts_ns is None:
            return 0
        return min(self.window_ns, now_ns - self._first_ts_ns)


class TimeWindowExtremes:
    """Rolling max and min over the last ``window_ns`` nanoseconds via monotonic queues.

    A queue is a list read from its head index: evicting the oldest moves the head, and the
    list sheds its evicted front now and then. Compiled (mypyc), list reads and writes are
    native where a deque's are calls into the interpreter."""

    __slots__ = ("window_ns", "_maxq", "_minq", "_max_head", "_min_head")

    def __init__(self, window_ns: int) -> None:
        if window_ns <= 0:
            raise ValueError(f"window must be positive, got {window_ns} ns")
        self.window_ns = window_ns
        # Each queue holds (ts_ns, value) from its head on: maxq values decreasing, minq increasing.
        self._maxq: list[tuple[int, float]] = []
        self._minq: list[tuple[int, float]] = []
        self._max_head = 0
        self._min_head = 0

    def push(self, ts_ns: int, value: float) -> None:
        """Add an observation and evict those that fell out of the window."""
        entry = (ts_ns, value)
        cutoff = ts_ns - self.window_ns
        maxq = self._maxq
        head = self._max_head
        while len(maxq) > head and maxq[-1][1] <= value:
            maxq.pop()
        maxq.append(entry)
        while maxq[head][0] <= cutoff:
            head += 1
        self._max_head = _shed(maxq, head)
        minq = self._minq
        head = self._min_head
        while len(minq) > head and minq[-1][1] >= value:
            minq.pop()
        minq.append(entry)
        while minq[head][0] <= cutoff:
            head += 1
        self._min_head = _shed(minq, head)

    def kept(self) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """The (ts_ns, value) the max and the min queues keep, oldest first."""
        return self._maxq[self._max_head:], self._minq[self._min_head:]

    @property
    def empty(self) -> bool:
        return not self._maxq

    @property
    def max(self) -> float:
        return self._maxq[self._max_head][1] if self._maxq else math.nan

    @property
    def min(self) -> float:
        return self._minq[self._min_head][1] if self._minq else math.nan

    @property
    def next_eviction_ns(self) -> int:
        """The first stamp at which the oldest value of either extreme leaves the window."""
        return min(self._maxq[self._max_head][0], self._minq[self._min_head][0]) + self.window_ns

    @property
    def max_ts_ns(self) -> int:
        return self._maxq[self._max_head][0] if self._maxq else 0

    @property
    def min_ts_ns(self) -> int:
        return self._minq[self._min_head][0] if self._minq else 0


def _shed(queue: list[tuple[int, float]], head: int) -> int:
    """Drop the evicted front of ``queue`` once it is most of the list; the new head."""
    if head > 64 and 2 * head > len(queue):
        del queue[:head]
        return 0
    return head


class PerSecondVolatility:
    """Volatility of log returns in units of 1/sqrt(second), sampled at most once a second.

    A return spanning ``dt`` seconds (quiet periods) is scaled by ``1/sqrt(dt)`` so every
    sample estimates the same per-second variance; the estimate is the root mean square of
    the last ``samples`` scaled returns (crypto returns have ~zero mean at this horizon).
    """

    __slots__ = ("_sq", "_last_price", "_last_ts_ns")

    _SECOND_NS = 1_000_000_000

    def __init__(self, samples: int) -> None:
        self._sq = RollingMean(samples)
        self._last_price = math.nan
        self._last_ts_ns = 0

    def update(self, ts_ns: int, price: float) -> None:
        """Feed a price; a sample is taken once at least a second passed since the last one."""
        if not price > 0.0:
            return
        if self._last_price != self._last_price:  # NaN: first price seen
            self._last_price = price
            self._last_ts_ns = ts_ns
            return
        dt_ns = ts_ns - self._last_ts_ns
        if dt_ns < self._SECOND_NS:
            return
        r = math.log(price / self._last_price)
        self._sq.push(r * r * self._SECOND_NS / dt_ns)
        self._last_price = price
        self._last_ts_ns = ts_ns

    @property
    def next_sample_ns(self) -> int:
        """The first stamp at which a price is sampled (0: the next price is the first)."""
        return self._last_ts_ns + self._SECOND_NS if self._last_price == self._last_price else 0

    @property
    def count(self) -> int:
        return self._sq.count

    @property
    def sigma(self) -> float:
        """Per-second volatility of log returns (NaN before the first sample)."""
        v = self._sq.value
        return math.sqrt(v) if v == v else math.nan
