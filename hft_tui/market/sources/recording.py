"""A recorded session as a market source.

``RecordingSource`` is a ``MarketSource``: the engine (or the TUI) runs on a recording
exactly as on the simulator, paced to the clock or as fast as it is consumed. It reads the
recording through ``RecordedEvents`` (what ``data/recording.py``'s ``RecordedSession`` offers),
so the file format stays in ``data/``, above the market layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

from hft_tui.clock import Clock, WallClock
from hft_tui.market.sources.protocol import MarketEvent

# Sleeps shorter than this are not worth a timer: the event is released at once.
_MIN_SLEEP_S = 0.0005


class RecordedEvents(Protocol):
    """A recording's events in recorded order, optionally only those stamped in ``[start, end)``."""

    def events(self, start_ts_ns: int | None = None, end_ts_ns: int | None = None) -> Iterator[MarketEvent]: ...


class RecordingSource:
    """Streams a recorded session's events in recorded order.

    Paced, the first event is released at once and the rest keep their recorded spacing
    against ``clock``; unpaced, events come as fast as consumed, handing the loop back every
    ``yield_every`` events.
    """

    name = "replay"

    def __init__(
        self,
        session: RecordedEvents,
        *,
        paced: bool = False,
        clock: Clock | None = None,
        start_ts_ns: int | None = None,
        end_ts_ns: int | None = None,
        yield_every: int = 256,
    ) -> None:
        if yield_every < 1:
            raise ValueError(f"yield_every must be >= 1, got {yield_every}")
        self.session = session
        self._paced = paced
        self._clock: Clock = clock if clock is not None else WallClock()
        self._start_ts_ns = start_ts_ns
        self._end_ts_ns = end_ts_ns
        self._yield_every = yield_every
        self._closed = False

    def events(self) -> Iterator[MarketEvent]:
        """The events synchronously (the backtest runner's fast path)."""
        return self.session.events(self._start_ts_ns, self._end_ts_ns)

    async def stream(self) -> AsyncIterator[MarketEvent]:
        """The recorded events until the recording ends or ``close()``."""
        offset_ns: int | None = None
        count = 0
        for event in self.events():
            if self._closed:
                return
            if self._paced:
                if offset_ns is None:
                    offset_ns = self._clock.now_ns() - event.ts_ns
                wait_s = (event.ts_ns + offset_ns - self._clock.now_ns()) / 1e9
                if wait_s > _MIN_SLEEP_S:
                    await asyncio.sleep(wait_s)
                    count = 0
            count += 1
            if count >= self._yield_every:
                count = 0
                await asyncio.sleep(0)
            yield event

    async def close(self) -> None:
        """Stop after the event in flight; safe to call more than once."""
        self._closed = True
