"""A served engine on its own thread and loop, as ``hft-tui serve`` runs it, for tests whose
own loop belongs to a Textual app or a client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from hft_tui.serve.control_server import ControlServer
from hft_tui.serve.protocol import socket_path
from hft_tui.session.engine import Engine

T = TypeVar("T")
WAIT_S = 30.0


class ServedEngineThread:
    """``running=False`` serves an engine the test drives by hand (nothing is started)."""

    def __init__(self, engine: Engine, state_dir: Path, *, running: bool = True) -> None:
        self.engine = engine
        self.server = ControlServer(engine, socket_path(state_dir))
        self._running = running
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="served-engine", daemon=True)

    def __enter__(self) -> ServedEngineThread:
        self._thread.start()
        if self._running:
            self.call(self.engine.start())
        self.call(self.server.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.call(self.server.close())
        if self._running:
            self.call(self.engine.stop("test over"))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT_S)
        self._loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the engine's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(WAIT_S)

    def restart_server(self) -> None:
        """Close the socket (every client loses it), then listen again."""
        self.call(self.server.close())
        self.server = ControlServer(self.engine, self.server.path)
        self.call(self.server.start())
