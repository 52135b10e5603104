"""The simulated market as a MarketSource: paced to the wall clock, or as fast as consumed; and
its one stream of events, which the backtest runner reads unpaced and synchronously."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

from hft_tui.clock import Clock, WallClock
from hft_tui.market.simulator import SimulatedMarket
from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.model import FeedState, FeedStatus

# Sleeps shorter than this are not worth a timer: the event is released at once.
_MIN_SLEEP_S = 0.0005
# An event due longer ago than this was held up by a stall of the process (the market building
# its next window, a busy loop), not by a timer's jitter: the market pauses for it.
_STALL_NS = 5_000_000


def simulated_events(market: SimulatedMarket, start_ns: int = 0) -> Iterator[MarketEvent]:
    """What the simulated market says, unpaced and without end: one LIVE status per symbol, then
    its events. A stream that begins at ``start_ns`` (a backtest's window) skips the events
    before it, and its statuses say LIVE from then."""
    for symbol in market.symbols:
        yield FeedStatus(symbol, max(market.now_ns(), start_ns), FeedState.LIVE, "simulated market")
    next_event = market.next_event
    while True:
        event = next_event()
        if event.ts_ns >= start_ns:
            yield event


class SimSource:
    """Streams a SimulatedMarket.

    Paced, events come out at their simulated times: the market is moved to start at the
    clock's present (if it has not started yet), so events carry real timestamps. The market
    lives in this process, so it pauses when the process stalls: an event that comes due
    while the process is busy (building the market's next window, a slow step) is stamped
    when it is handed over, and every later one as much later, instead of coming out stamped
    in the past, which the sanitizer would judge a late feed (``FEED_LATENCY``). Unpaced,
    events come out as fast as the consumer takes them, handing the loop back every
    ``yield_every`` events so a UI stays responsive.
    """

    name = "sim"

    def __init__(
        self,
        market: SimulatedMarket,
        *,
        paced: bool,
        clock: Clock | None = None,
        yield_every: int = 256,
    ) -> None:
        if yield_every < 1:
            raise ValueError(f"yield_every must be >= 1, got {yield_every}")
        self._market = market
        self._paced = paced
        self._clock: Clock = clock if clock is not None else WallClock()
        self._yield_every = yield_every
        self._closed = False
        self._offset_ns = 0
        if paced:
            self._align_to_clock()

    def _align_to_clock(self) -> None:
        """Start the market at the clock's present, so its first events are not already late."""
        now_ns = self._clock.now_ns()
        try:
            self._market.rebase_start(now_ns)
        except RuntimeError:
            pass  # already running: keep its timestamps and pace relative to them
        self._offset_ns = now_ns - self._market.now_ns()

    @property
    def market(self) -> SimulatedMarket:
        """The market behind the stream (for regime display and demo controls)."""
        return self._market

    async def stream(self) -> AsyncIterator[MarketEvent]:
        """``simulated_events`` (one LIVE status per symbol, then the market's events) until
        ``close()``."""
        if self._paced:
            # The consumer may start well after construction (an app's first frame).
            self._align_to_clock()
        events = simulated_events(self._market)
        if self._paced:
            async for event in self._paced_events(events):
                yield event
        else:
            async for event in self._unpaced_events(events):
                yield event

    async def _unpaced_events(self, events: Iterator[MarketEvent]) -> AsyncIterator[MarketEvent]:
        next_event = events.__next__
        every = self._yield_every
        count = 0
        while not self._closed:
            yield next_event()
            count += 1
            if count >= every:
                count = 0
                await asyncio.sleep(0)

    async def _paced_events(self, events: Iterator[MarketEvent]) -> AsyncIterator[MarketEvent]:
        next_event = events.__next__
        clock = self._clock
        offset_ns = self._offset_ns
        every = self._yield_every
        since_yield = 0
        paused_ns = 0
        while not self._closed:
            event = next_event()
            wait_s = (event.ts_ns + offset_ns - clock.now_ns()) / 1e9
            if wait_s > _MIN_SLEEP_S:
                await asyncio.sleep(wait_s)
                since_yield = 0
                if self._closed:
                    return
            else:
                # Due already: release it at once, but still let the loop run.
                since_yield += 1
                if since_yield >= every:
                    since_yield = 0
                    await asyncio.sleep(0)
            late_ns = clock.now_ns() - (event.ts_ns + offset_ns)
            if late_ns > _STALL_NS:  # held up by a stall of the process: the market pauses
                offset_ns += late_ns
                paused_ns += late_ns
            yield replace(event, ts_ns=event.ts_ns + paused_ns) if paused_ns else event

    async def close(self) -> None:
        """Stop the stream after the event in flight; safe to call more than once."""
        self._closed = True
