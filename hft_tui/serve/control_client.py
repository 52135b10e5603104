"""A client of the served engine's control socket (``ctl`` and the attached workstation).

One reader task dispatches what the engine sends: replies to the request that asked,
snapshots to the callback given (notices come in the snapshot's notice log, or from
``notices()``). Everything runs on the caller's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hft_tui.serve.protocol import (
    MAX_MESSAGE_BYTES,
    PROTOCOL_VERSION,
    ProtocolError,
    command_to_wire,
    decode,
    encode,
    result_from_wire,
)
from hft_tui.serve.snapshot_stream import SnapshotReceiver
from hft_tui.serve.socket_address import socket_address
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.commands import Command, CommandResult

CONNECT_TIMEOUT_S = 5.0
# The engine's replies come back with a few engine-side bytes: a generous bound.
MAX_REPLY_BYTES = 64 * MAX_MESSAGE_BYTES


class EngineUnreachable(ConnectionError):
    """No served engine answers on the socket; the text says what was tried."""


class ControlClient:
    """One connection; ``connect`` says hello and waits for the engine's welcome."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 on_snapshot: Callable[[EngineSnapshot], None] | None) -> None:
        self._reader = reader
        self._writer = writer
        self._on_snapshot = on_snapshot
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._receiver = SnapshotReceiver()
        self._reading: asyncio.Task[None] | None = None
        self.welcome: dict[str, Any] = {}
        self.closed = asyncio.Event()
        self.close_reason = ""

    @classmethod
    async def connect(cls, path: Path, *, client: str, refresh_hz: float = 0.0, view_only: bool = False,
                      on_snapshot: Callable[[EngineSnapshot], None] | None = None) -> ControlClient:
        try:
            with socket_address(path) as address:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_unix_connection(address, limit=MAX_REPLY_BYTES), CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise EngineUnreachable(f"no served engine answers on {path} ({type(exc).__name__})") from None
        self = cls(reader, writer, on_snapshot)
        writer.write(encode({"type": "hello", "version": PROTOCOL_VERSION, "client": client,
                             "refresh_hz": refresh_hz, "view_only": view_only}))
        try:
            welcome = decode(await asyncio.wait_for(reader.readline(), CONNECT_TIMEOUT_S))
        except (ProtocolError, OSError, TimeoutError, ValueError) as exc:
            writer.close()
            raise EngineUnreachable(f"the engine on {path} did not greet us ({exc or type(exc).__name__})") from None
        if welcome["type"] != "welcome":
            writer.close()
            raise EngineUnreachable(f"the engine on {path} refused us: {welcome.get('message', welcome)}")
        self.welcome = welcome
        self._reading = asyncio.create_task(self._read(), name="control-client-read")
        return self

    async def _read(self) -> None:
        try:
            while line := await self._reader.readline():
                message = decode(line)
                kind = message["type"]
                if kind == "snapshot":
                    snapshot = self._receiver.apply(message)
                    if snapshot is not None and self._on_snapshot is not None:
                        self._on_snapshot(snapshot)
                elif kind == "bye":
                    self.close_reason = str(message.get("reason", ""))
                elif message.get("id") in self._pending:
                    self._pending.pop(message["id"]).set_result(message)
        except (OSError, ValueError) as exc:
            self.close_reason = self.close_reason or f"{type(exc).__name__}: {exc}"
        finally:
            self.close_reason = self.close_reason or "the engine closed the connection"
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(EngineUnreachable(self.close_reason))
            self._pending.clear()
            self.closed.set()

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send ``message`` with a fresh id and wait for the reply that carries it."""
        if self.closed.is_set():
            raise EngineUnreachable(self.close_reason)
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        self._writer.write(encode({**message, "id": request_id}))
        return await future

    async def command(self, command: Command) -> CommandResult:
        reply = await self.request({"type": "command", "command": command_to_wire(command)})
        return result_from_wire(reply)

    async def notices(self) -> list[dict[str, Any]]:
        reply = await self.request({"type": "get_notices"})
        return list(reply.get("notices", []))

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
