"""Injected clocks: the only place the engine learns what time it is.

Live runs use the wall clock; sim and backtest runs advance a simulated clock with the
data; tests freeze it. Nothing else in the engine calls ``time.time``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int:
        """Nanoseconds since the Unix epoch, UTC."""
        ...


class WallClock:
    def now_ns(self) -> int:
        return time.time_ns()


class SimulatedClock:
    """Time that moves only when the data says so; never goes backwards."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now_ns = start_ns

    def now_ns(self) -> int:
        return self._now_ns

    def advance_to(self, ts_ns: int) -> None:
        if ts_ns > self._now_ns:
            self._now_ns = ts_ns


class LatchedClock:
    """A clock read once per event: every read while one event (or one command) is processed
    sees the same time, so a replay that restores that one reading makes the same decisions.

    The engine calls ``latch`` as each event or command reaches the core; readings never go
    backwards, even when the source (the wall clock under NTP) does.
    """

    def __init__(self, source: Clock) -> None:
        self.source = source
        self._now_ns = source.now_ns()

    def now_ns(self) -> int:
        return self._now_ns

    def latch(self) -> int:
        """Take a new reading from the source; the time every read returns until the next."""
        reading = self.source.now_ns()
        if reading > self._now_ns:
            self._now_ns = reading
        return self._now_ns


class FrozenClock(SimulatedClock):
    """A clock for tests: fixed until the test moves it."""

    def advance(self, seconds: float) -> None:
        self._now_ns += int(seconds * 1e9)


def wall_source(clock: Clock) -> Clock | None:
    """The time that passes while the core works on one event (to time strategy hooks): the
    source under a latch, a wall clock itself; None for a data clock, on which work takes no time."""
    if isinstance(clock, LatchedClock):
        return clock.source
    if isinstance(clock, SimulatedClock):
        return None
    return clock


def iso_utc(ts_ns: int) -> str:
    """ISO-8601 UTC with microseconds, e.g. ``2026-01-01T00:00:00.000000Z``."""
    dt = datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=UTC)
    micros = (ts_ns // 1_000) % 1_000_000
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"



# (unit, its seconds, the next smaller unit, its seconds), largest first.
_DURATION_UNITS = (("d", 86400, "h", 3600), ("h", 3600, "m", 60), ("m", 60, "s", 1))


def duration_text(seconds: float) -> str:
    """How long something lasted, at a glance: ``0.4s``, ``9.6s``, ``42s``, ``3m04s``,
    ``2h05m``, ``3d04h`` (tenths under ten seconds, so a quick round trip is not ``0s``)."""
    if seconds < 10:
        return f"{max(seconds, 0.0):.1f}s"
    whole = int(seconds)
    for unit, size, smaller, smaller_size in _DURATION_UNITS:
        if whole >= size:
            return f"{whole // size}{unit}{whole % size // smaller_size:02d}{smaller}"
    return f"{whole}s"
