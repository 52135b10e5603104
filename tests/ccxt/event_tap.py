"""Drains a market source in the background so tests can wait for the events they expect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hft_tui.market.sources.protocol import MarketEvent, MarketSource


class EventTap:
    """Records every event a source yields; ``wait_for`` blocks until one matches."""

    def __init__(self, source: MarketSource) -> None:
        self.events: list[MarketEvent] = []
        self._source = source
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventTap:
        self._task = asyncio.create_task(self._drain())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self._source.close()

    async def _drain(self) -> None:
        async for event in self._source.stream():
            async with self._changed:
                self.events.append(event)
                self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[MarketEvent], bool], timeout: float = 5.0,
                       after: int = 0) -> MarketEvent:
        """The first event at index >= ``after`` matching ``predicate``."""
        async def scan() -> MarketEvent:
            async with self._changed:
                while True:
                    for event in self.events[after:]:
                        if predicate(event):
                            return event
                    if self._task is not None and self._task.done():
                        self._task.result()
                        raise AssertionError("source stream ended")
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(scan(), timeout)
        except TimeoutError:
            raise AssertionError(f"no matching event within {timeout}s; got {self.events!r}") from None

    def mark(self) -> int:
        """An index to pass as ``after`` so only later events count."""
        return len(self.events)
