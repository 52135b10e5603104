"""One alert target's own queue, batch window, rate limit and sending task: a slow, dead or
busy target holds up only its own alerts, never another target's and never the engine.

The task waits ``batch_s`` after the first event for more, keeps to ``max_per_minute``
messages, and hands each message to apprise on the lane's own worker thread. Every queued
event goes into the next message (a burst of fills is one message naming each of them); only
beyond ``MAX_QUEUED`` waiting events are the oldest dropped, and the next message says how many.

The send is awaited with ``asyncio.wait``, never ``asyncio.wait_for``: on Python 3.11,
``wait_for`` returns the result instead of raising when it is cancelled just as the send
completes, which left the task running and ``close`` waiting for it forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import apprise

from hft_tui.alerts.targets import AlertTarget
from hft_tui.config.alerts_settings import AlertsSettings

MAX_QUEUED = 10_000
RATE_WINDOW_S = 60.0


class TargetLane:
    """Sends queued ``(kind, text)`` events to one target; ``on_failure(text)`` says a failed send."""

    def __init__(self, target: AlertTarget, settings: AlertsSettings, on_failure: Callable[[str], None],
                 source: str) -> None:
        self.target = target
        self._settings = settings
        self._on_failure = on_failure
        self._source = source
        self._queue: deque[tuple[str, str]] = deque()
        self._dropped = 0
        self._wake = asyncio.Event()
        self._sent_at: deque[float] = deque()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: asyncio.Future[None] | None = None  # the message being sent, if any
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"alerts-{target.name}")
        self.sent = 0  # messages delivered
        self.failed = 0  # messages not delivered

    def put(self, kind: str, text: str) -> None:
        """Queue one event (cheap; never waits)."""
        if len(self._queue) >= MAX_QUEUED:
            self._queue.popleft()
            self._dropped += 1
        self._queue.append((kind, text))
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"alerts {self.target.name}")

    async def close(self, flush_timeout_s: float) -> None:
        """Stop the task, let a message under way finish (a kill alert sent just before the stop
        is delivered, and counted), then send what is queued: all within ``flush_timeout_s``."""
        deadline = asyncio.get_running_loop().time() + flush_timeout_s
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})
            self._task = None
        if self._in_flight is not None:
            await _finish(self._in_flight, deadline)
        if self._queue:
            await _finish(asyncio.ensure_future(self._send_batch()), deadline)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._settings.batch_s)  # let the burst gather
            await self._keep_to_rate()
            # Shielded: closing the lane stops it between two messages, never inside one.
            self._in_flight = asyncio.ensure_future(self._send_batch())
            await asyncio.shield(self._in_flight)
            self._in_flight = None
            if not self._queue:
                self._wake.clear()

    async def _keep_to_rate(self) -> None:
        now = time.monotonic()
        while self._sent_at and now - self._sent_at[0] >= RATE_WINDOW_S:
            self._sent_at.popleft()
        if len(self._sent_at) >= self._settings.max_per_minute:
            await asyncio.sleep(RATE_WINDOW_S - (now - self._sent_at[0]))

    async def _send_batch(self) -> None:
        events = list(self._queue)
        self._queue.clear()
        if not events:
            return
        lines = [f"[{kind}] {text}" for kind, text in events]
        if self._dropped:
            lines.append(f"({self._dropped} older event(s) dropped: too many queued)")
            self._dropped = 0
        title = f"{self._source}: {events[0][1]}" if len(events) == 1 else f"{self._source}: {len(events)} events"
        self._sent_at.append(time.monotonic())
        error = await self._send(title, "\n".join(lines))
        if not error:
            self.sent += 1
            return
        self.failed += 1
        with contextlib.suppress(Exception):  # whoever is told of the failure must not stop the lane
            self._on_failure(f"alert target {self.target.name} failed: {error}; its alerts are not delivered")

    async def _send(self, title: str, body: str) -> str:
        """Deliver one message; the error ("" when delivered)."""
        loop = asyncio.get_running_loop()
        sending = loop.run_in_executor(self._executor, _notify, self.target.notifier, title, body)
        done, _ = await asyncio.wait({sending}, timeout=self._settings.send_timeout_s)
        if not done:
            sending.cancel()
            return f"no answer within {self._settings.send_timeout_s:g} s"
        try:
            return "" if sending.result() else "the target refused or could not be reached"
        except Exception as exc:  # noqa: BLE001 - a broken target must never take the engine down
            return type(exc).__name__


async def _finish(sending: asyncio.Future[None], deadline: float) -> None:
    """Wait for ``sending`` until ``deadline`` (the loop's time), then give up on it."""
    done, _ = await asyncio.wait({sending}, timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
    if not done:
        sending.cancel()
        await asyncio.wait({sending})


def _notify(notifier: apprise.Apprise, title: str, body: str) -> bool:
    return bool(notifier.notify(body=body, title=title))
