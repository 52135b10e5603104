"""Sends alert events through apprise from a task of its own, batched and rate-limited, so a
slow or dead target never delays the engine; every failure is journaled (by the target's
environment variable name: the URL holds secrets and is never written anywhere).

``emit`` only queues (it is called on the engine's hot path); the task waits ``batch_s``
after the first event for more, keeps to ``max_per_minute`` messages, and hands each message
to apprise on a worker thread with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import apprise

from hft_tui.alerts.settings import AlertsSettings

# Events waiting beyond this are dropped (and the drop said in the next message).
MAX_QUEUED = 1000
FLUSH_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class AlertTarget:
    """One apprise target: the environment variable it came from, and apprise's handle."""

    name: str
    notifier: apprise.Apprise


class TargetError(ValueError):
    """A target named in the settings is not usable; the text says which and why."""


def targets_from_env(settings: AlertsSettings, environ: dict[str, str] | None = None) -> list[AlertTarget]:
    """Each ``[alerts] targets`` variable's apprise URL, checked; TargetError when unset or unknown."""
    environ = dict(os.environ) if environ is None else environ
    targets = []
    for name in settings.targets:
        url = environ.get(name, "").strip()
        if not url:
            raise TargetError(f"alerts: {name} is not set in the environment")
        notifier = apprise.Apprise()
        if not notifier.add(url):
            raise TargetError(f"alerts: {name} does not hold an apprise URL that apprise understands")
        targets.append(AlertTarget(name, notifier))
    return targets


class AlertDispatcher:
    """Owns the sending task; ``journal(type, payload)`` records failures (on the same loop)."""

    def __init__(self, settings: AlertsSettings, targets: list[AlertTarget],
                 journal: Callable[[str, dict[str, object]], None], *, source: str = "hft-tui") -> None:
        self._settings = settings
        self._kinds = frozenset(settings.events)
        self._targets = targets
        self._journal = journal
        self._source = source
        self._queue: deque[tuple[str, str]] = deque()
        self._dropped = 0
        self._wake = asyncio.Event()
        self._sent_at: deque[float] = deque()
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=max(1, len(targets)), thread_name_prefix="hft-alerts")
        self.sent = 0
        self.failed = 0

    def emit(self, kind: str, text: str) -> None:
        """Queue one event (cheap; never waits)."""
        if kind not in self._kinds or not self._targets:
            return
        if len(self._queue) >= MAX_QUEUED:
            self._queue.popleft()
            self._dropped += 1
        self._queue.append((kind, text))
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="alerts")

    async def close(self) -> None:
        """Send what is queued (bounded), then stop the task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._queue:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._send_batch(), FLUSH_TIMEOUT_S)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._settings.batch_s)  # let the burst gather
            await self._keep_to_rate()
            await self._send_batch()
            if not self._queue:
                self._wake.clear()

    async def _keep_to_rate(self) -> None:
        now = time.monotonic()
        while self._sent_at and now - self._sent_at[0] >= 60.0:
            self._sent_at.popleft()
        if len(self._sent_at) >= self._settings.max_per_minute:
            await asyncio.sleep(60.0 - (now - self._sent_at[0]))

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
        body = "\n".join(lines)
        loop = asyncio.get_running_loop()
        for target in self._targets:
            try:
                ok = await asyncio.wait_for(
                    loop.run_in_executor(self._executor, _notify, target.notifier, title, body),
                    self._settings.send_timeout_s)
                error = "" if ok else "the target refused or could not be reached"
            except TimeoutError:
                error = f"no answer within {self._settings.send_timeout_s:g} s"
            except Exception as exc:  # noqa: BLE001 - a broken target must never take the engine down
                error = type(exc).__name__
            if error:
                self.failed += 1
                with contextlib.suppress(Exception):  # a journal that refuses records says so itself
                    self._journal("alert_failed", {"target": target.name, "events": len(events), "error": error})
            else:
                self.sent += 1


def _notify(notifier: apprise.Apprise, title: str, body: str) -> bool:
    return bool(notifier.notify(body=body, title=title))
