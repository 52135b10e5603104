"""Typed in-process events and the engine's metrics.

Subscribers register per event type; ``publish`` calls them synchronously, in order, on
the engine's loop. Handlers must be quick: anything slow belongs in its own task.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type, handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def unsubscribe(self, event_type: type, handler: Handler) -> None:
        self._handlers[event_type].remove(handler)

    def publish(self, event: object) -> None:
        for handler in self._handlers.get(type(event), ()):
            handler(event)


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """Engine health as the UI and the benchmarks see it."""

    events_total: int = 0
    events_per_s: float = 0.0
    loop_lag_ms: float = 0.0
    wal_fsync_ms: float = 0.0
    wal_records_per_s: float = 0.0
    feed_latency_ms: dict[str, float] = field(default_factory=dict)
    errors: int = 0


class Metrics:
    """Counters and gauges updated on the hot path; rates computed over a sliding window."""

    def __init__(self, window_s: float = 5.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._monotonic = monotonic
        self.events_total = 0
        self.errors = 0
        self.loop_lag_ms = 0.0
        self.wal_fsync_ms = 0.0
        self.feed_latency_ms: dict[str, float] = {}
        self._wal_records_total = 0
        self._samples: deque[tuple[float, int, int]] = deque()

    def count_event(self) -> None:
        self.events_total += 1

    def count_wal_records(self, n: int) -> None:
        self._wal_records_total += n

    def snapshot(self, now: float | None = None) -> MetricsSnapshot:
        """A frozen copy with rates over the last window (monotonic seconds)."""
        now = self._monotonic() if now is None else now
        self._samples.append((now, self.events_total, self._wal_records_total))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window_s:
            self._samples.popleft()
        t0, events0, wal0 = self._samples[0]
        elapsed = now - t0
        events_rate = (self.events_total - events0) / elapsed if elapsed > 0 else 0.0
        wal_rate = (self._wal_records_total - wal0) / elapsed if elapsed > 0 else 0.0
        return MetricsSnapshot(
            events_total=self.events_total,
            events_per_s=events_rate,
            loop_lag_ms=self.loop_lag_ms,
            wal_fsync_ms=self.wal_fsync_ms,
            wal_records_per_s=wal_rate,
            feed_latency_ms=dict(self.feed_latency_ms),
            errors=self.errors,
        )
