"""Trailing-window statistics the DRB guard updates per event in O(1) amortised time.

Memory is bounded by construction, whatever the event rate: the maximum is kept per time
bucket, event counts are capped, the standard deviation lives in a fixed ring.
"""

from __future__ import annotations

import math
from collections import deque


class RollingMax:
    """Largest value pushed within a trailing time window, at bucket resolution.

    A bucket leaves the window only once all of it is older than the window, so the
    reported maximum never understates the true one.
    """

    __slots__ = ("_window_ns", "_bucket_ns", "_buckets", "_values")

    def __init__(self, window_ns: int, bucket_ns: int) -> None:
        self._window_ns = window_ns
        self._bucket_ns = bucket_ns
        # Monotonic: values strictly decrease from left to right, buckets increase.
        self._buckets: deque[int] = deque()
        self._values: deque[float] = deque()

    def push(self, value: float, ts_ns: int) -> None:
        """Add one observation at ``ts_ns``."""
        bucket = ts_ns // self._bucket_ns
        values = self._values
        buckets = self._buckets
        if values and values[-1] >= value and buckets[-1] >= bucket:
            return
        newest = bucket
        while values and values[-1] <= value:
            values.pop()
            # The new value dominates the popped ones and must live as long as the latest of them.
            newest = max(newest, buckets.pop())
        values.append(value)
        buckets.append(newest)

    def max(self, ts_ns: int) -> float | None:
        """The window's maximum as of ``ts_ns``; None when the window is empty."""
        oldest_live = (ts_ns - self._window_ns) // self._bucket_ns
        buckets = self._buckets
        while buckets and buckets[0] < oldest_live:
            buckets.popleft()
            self._values.popleft()
        return self._values[0] if self._values else None

    def clear(self) -> None:
        self._buckets.clear()
        self._values.clear()


class EventCounter:
    """How many events happened within a trailing time window, counted up to ``cap``."""

    __slots__ = ("_window_ns", "_ts_ns")

    def __init__(self, window_ns: int, cap: int) -> None:
        self._window_ns = window_ns
        # Beyond the cap the count no longer changes any decision, so older events may go.
        self._ts_ns: deque[int] = deque(maxlen=cap)

    def add(self, ts_ns: int) -> None:
        self._ts_ns.append(ts_ns)

    def next_expiry_ns(self) -> int | None:
        """When the oldest event held leaves the window (the count drops); None when empty."""
        return self._ts_ns[0] + self._window_ns if self._ts_ns else None

    def count(self, ts_ns: int) -> int:
        """Events with a timestamp in ``(ts_ns - window, ts_ns]``, at most ``cap``."""
        events = self._ts_ns
        horizon = ts_ns - self._window_ns
        while events and events[0] <= horizon:
            events.popleft()
        return len(events)

    def clear(self) -> None:
        self._ts_ns.clear()


class RollingPopulationStd:
    """Standard deviation of the last ``size`` samples, from running sums over a ring."""

    __slots__ = ("_ring", "_next", "_count", "_sum", "_sum_sq")

    def __init__(self, size: int) -> None:
        self._ring = [0.0] * size
        self._next = 0
        self._count = 0
        self._sum = 0.0
        self._sum_sq = 0.0

    @property
    def count(self) -> int:
        return self._count

    def push(self, value: float) -> None:
        """Add a sample, dropping the oldest once the ring is full."""
        ring = self._ring
        old = ring[self._next]
        ring[self._next] = value
        self._next += 1
        if self._count < len(ring):
            self._count += 1
            self._sum += value
            self._sum_sq += value * value
        else:
            self._sum += value - old
            self._sum_sq += value * value - old * old
        if self._next == len(ring):
            self._next = 0
            # Recompute once per lap so running-sum rounding never accumulates.
            if self._count == len(ring):
                self._sum = math.fsum(ring)
                self._sum_sq = math.fsum(v * v for v in ring)

    def std(self) -> float:
        """Population standard deviation of the samples held; 0.0 with fewer than two."""
        n = self._count
        if n < 2:
            return 0.0
        mean = self._sum / n
        return math.sqrt(max(self._sum_sq / n - mean * mean, 0.0))
