"""The TUI's only handle on the engine: read snapshots, send commands.

The engine runs on its own event loop in a background thread, so rendering, layout and
key handling can never delay market data processing or the WAL. Snapshots are immutable
and swapped atomically, so reading one from the UI thread needs no lock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

from hft_tui.redaction import describe_error
from hft_tui.session.engine import Engine
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.commands import Command, CommandResult

STOP_TIMEOUT_S = 10.0


class Link(Protocol):
    """What the workstation needs of an engine, in this process or served (``RemoteLink``)."""

    # Quitting stops the engine (embedded) or only leaves it (attached).
    stops_engine_on_quit: bool
    # A view-only link sends no commands.
    view_only: bool
    # The engine's WAL directory, read for the trade history (a served engine is on this host).
    wal_dir: Path | None

    @property
    def snapshot(self) -> EngineSnapshot: ...

    def now_ns(self) -> int: ...

    def start(self) -> None: ...

    def send(self, command: Command, on_done: Callable[[CommandResult], None] | None = None) -> None: ...

    def stop(self, reason: str) -> None: ...


class EngineLink:
    """Owns the engine's thread. ``threaded=False`` leaves the engine to the caller (tests)."""

    stops_engine_on_quit = True
    view_only = False

    def __init__(self, engine: Engine, *, threaded: bool = True) -> None:
        self.engine = engine
        self._threaded = threaded
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._run_future: Future[str] | None = None
        self.commands_sent: list[Command] = []
        self.wal_dir: Path | None = engine.wal.directory
        # threaded=False: whoever applies ``commands_sent`` hands the results to these.
        self.awaiting: list[tuple[Command, Callable[[CommandResult], None]]] = []

    @property
    def snapshot(self) -> EngineSnapshot:
        return self.engine.snapshot

    def now_ns(self) -> int:
        """The engine's clock, read from the UI's thread: ages and the clock on screen keep
        moving on the UI's timer even when no snapshot arrives."""
        return self.engine.clock.now_ns()

    def start(self) -> None:
        """Start the engine in its own thread and wait until its loop is running."""
        if not self._threaded or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._thread_main, name="hft-engine", daemon=True)
        self._thread.start()
        self._started.wait()

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._run_future = asyncio.run_coroutine_threadsafe(self.engine.run(), loop)
        self._started.set()
        loop.run_until_complete(asyncio.wrap_future(self._run_future, loop=loop))
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    def send(self, command: Command, on_done: Callable[[CommandResult], None] | None = None) -> None:
        """Send ``command`` to the engine; ``on_done`` gets the result (on the engine's thread)."""
        if self._loop is None:
            # No engine loop (``threaded=False``): the caller applies what was sent and answers
            # ``awaiting``. A running link keeps nothing, so a long session does not grow these.
            self.commands_sent.append(command)
            if on_done is not None:
                self.awaiting.append((command, on_done))
            return
        future = asyncio.run_coroutine_threadsafe(self.engine.execute(command), self._loop)
        if on_done is not None:
            future.add_done_callback(lambda f: on_done(_result_of(f)))

    def stop(self, reason: str) -> None:
        """Stop the engine (WAL flushed, ``session_stop`` written) and join its thread."""
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self.engine.request_stop, reason)
        self._thread.join(STOP_TIMEOUT_S)
        self._thread = None


def _result_of(future: Future[CommandResult]) -> CommandResult:
    exc = future.exception()
    if exc is not None:
        return CommandResult(False, describe_error(exc))
    return future.result()
