"""The workstation's handle on a served engine (``hft-tui attach``): the same interface as
:class:`EngineLink`, over the engine's control socket, so every pane, key, modal and
confirmation works unchanged.

The socket is read on a background thread with its own loop; decoded snapshots are swapped
in atomically. If the socket is lost, the last snapshot is shown as not running with a
notice saying so, and the link reconnects until it is stopped. Quitting an attached
workstation detaches: the engine keeps trading.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

from hft_tui.serve.control_client import ControlClient, EngineUnreachable
from hft_tui.serve.protocol import ATTACH_CLIENT
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.commands import Command, CommandResult, StopEngine

FIRST_SNAPSHOT_TIMEOUT_S = 10.0
RECONNECT_FIRST_S = 0.2
RECONNECT_MAX_S = 2.0
STOP_TIMEOUT_S = 5.0


class RemoteLink:
    """Attach to the engine serving on ``path``; ``start`` returns once the first snapshot is in."""

    stops_engine_on_quit = False

    def __init__(self, path: Path, *, refresh_hz: float, view_only: bool = False,
                 wal_dir: Path | None = None) -> None:
        self.path = path
        self.view_only = view_only
        self.wal_dir = wal_dir  # the served engine's, on this host: the trade history reads it
        self._refresh_hz = refresh_hz
        self._snapshot: EngineSnapshot | None = None
        self._received_ns = 0  # monotonic, when the last snapshot arrived
        self._client: ControlClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._first = threading.Event()
        self._failure: EngineUnreachable | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def snapshot(self) -> EngineSnapshot:
        assert self._snapshot is not None, "start() the link first"
        return self._snapshot

    def now_ns(self) -> int:
        """The engine's clock as seen from here: the last snapshot's time plus the time since
        it arrived (so ages keep growing when the engine falls silent)."""
        return self.snapshot.ts_ns + (time.monotonic_ns() - self._received_ns)

    @property
    def connected(self) -> bool:
        return self._client is not None

    def start(self) -> None:
        """Connect and wait for the engine's first snapshot; EngineUnreachable if it does not come."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._thread_main, name="hft-attach", daemon=True)
        self._thread.start()
        if not self._first.wait(FIRST_SNAPSHOT_TIMEOUT_S):
            self._failure = self._failure or EngineUnreachable(f"no snapshot from the engine on {self.path}")
        if self._failure is not None:
            self.stop("attach failed")
            raise self._failure

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._run())
        finally:
            loop.close()

    async def _connect(self) -> ControlClient:
        return await ControlClient.connect(self.path, client=ATTACH_CLIENT, refresh_hz=self._refresh_hz,
                                           view_only=self.view_only, on_snapshot=self._on_snapshot)

    async def _run(self) -> None:
        self._stopping = stopping = asyncio.Event()
        try:
            self._client = await self._connect()
        except EngineUnreachable as exc:
            self._failure = exc
            self._first.set()
            return
        delay = RECONNECT_FIRST_S
        while not stopping.is_set():
            client = self._client
            if client is not None:
                await _first_of(client.closed.wait(), stopping.wait())
                if stopping.is_set():
                    await client.close()
                    break
                self._client = None
                self._lost(client.close_reason)
            await _first_of(asyncio.sleep(delay), stopping.wait())
            try:
                self._client = await self._connect()
                delay = RECONNECT_FIRST_S
            except EngineUnreachable:
                delay = min(delay * 2, RECONNECT_MAX_S)

    def _on_snapshot(self, snapshot: EngineSnapshot) -> None:
        self._received_ns = time.monotonic_ns()
        self._snapshot = snapshot
        self._first.set()

    def _lost(self, why: str) -> None:
        last = self._snapshot
        if last is not None:
            self._snapshot = replace(last, seq=last.seq + 1, running=False,
                                     notice=f"lost the served engine ({why}); reconnecting to {self.path}")

    def send(self, command: Command, on_done: Callable[[CommandResult], None] | None = None) -> None:
        """Send ``command`` to the served engine; ``on_done`` gets the result (on the link's thread)."""
        if isinstance(command, StopEngine):
            return  # quitting an attached workstation detaches; the engine keeps trading
        if self.view_only:
            _report(on_done, CommandResult(False, "view-only: commands are not sent"))
            return
        client, loop = self._client, self._loop
        if client is None or loop is None:
            _report(on_done, CommandResult(False, "not connected to the served engine: not sent"))
            return
        future = asyncio.run_coroutine_threadsafe(client.command(command), loop)
        if on_done is not None:
            future.add_done_callback(lambda f: on_done(_result_of(f)))

    def stop(self, reason: str) -> None:
        """Detach (the engine keeps running) and join the link's thread."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if thread is None:
            return
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        thread.join(STOP_TIMEOUT_S)
        self._thread = None


async def _first_of(*waits: object) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]  # type: ignore[call-overload]
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()


def _report(on_done: Callable[[CommandResult], None] | None, result: CommandResult) -> None:
    if on_done is not None:
        on_done(result)


def _result_of(future: Future[CommandResult]) -> CommandResult:
    exc = future.exception()
    if exc is not None:
        return CommandResult(False, f"not delivered: {exc}")
    return future.result()
