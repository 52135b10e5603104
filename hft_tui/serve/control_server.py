"""The served engine's control socket: a Unix socket in the state dir, owner-only.

Runs on the engine's loop. Each client says hello first; then it is streamed snapshots
conflated to the refresh rate it asked for (only the latest, only what changed), can send
commands (journaled and applied by the engine between two events, whatever any other
client is showing), and asks for the engine's notices (its notice log, as the latest snapshot holds it). A client that misbehaves gets an
error reply; one that sends an oversized line, falls too far behind or disconnects is
dropped, and the engine and the other clients carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hft_tui.serve.protocol import (
    ATTACH_CLIENT,
    MAX_MESSAGE_BYTES,
    PROTOCOL_VERSION,
    ProtocolError,
    command_from_wire,
    decode,
    encode,
    result_to_wire,
)
from hft_tui.serve.snapshot_codec import encode_fields
from hft_tui.serve.snapshot_stream import TAIL_FIELDS, SnapshotSender, encode_items
from hft_tui.serve.socket_address import socket_address
from hft_tui.session.engine import Engine
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.commands import CommandResult, StopEngine

SOCKET_MODE = 0o600
MAX_REFRESH_HZ = 30.0
# A client whose unsent output passes this is not reading: it is dropped, not buffered for.
MAX_CLIENT_BACKLOG_BYTES = 4 * 1024 * 1024
HELLO_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 2.0


@dataclass(eq=False)  # one per connection, kept in a set by identity
class _Client:
    writer: asyncio.StreamWriter
    name: str = ""
    view_only: bool = False
    refresh_hz: float = 0.0
    sender: SnapshotSender = field(default_factory=SnapshotSender)
    streamer: asyncio.Task[None] | None = None

    def send(self, message: dict[str, Any] | bytes) -> None:
        if self.writer.is_closing():
            return
        transport = self.writer.transport
        if transport.get_write_buffer_size() > MAX_CLIENT_BACKLOG_BYTES:
            self.writer.close()
            return
        self.writer.write(message if isinstance(message, bytes) else encode(message))


class ControlServer:
    """Serves one engine on ``path`` until ``close``."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        self._clients: set[_Client] = set()
        self._server: asyncio.base_events.Server | None = None
        self._encoded: tuple[int, dict[str, bytes], dict[str, list[bytes]]] | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def client_count(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        """Listen on the socket (a stale one from a dead engine is replaced: we hold the lock)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        with socket_address(self.path) as address:
            self._server = await asyncio.start_unix_server(self._serve_client, path=address,
                                                           limit=MAX_MESSAGE_BYTES)
        os.chmod(self.path, SOCKET_MODE)

    async def close(self) -> None:
        """Stop listening, say goodbye to every client and remove the socket."""
        if self._server is not None:
            self._server.close()
        for client in list(self._clients):
            client.send({"type": "bye", "reason": "engine stopping"})
            client.writer.close()
        if self._handlers:
            # A closed connection ends its handler; a stuck one is cancelled.
            _, stuck = await asyncio.wait(list(self._handlers), timeout=CLOSE_TIMEOUT_S)
            for task in stuck:
                task.cancel()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    # --- one client ---------------------------------------------------------------------------

    async def _serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        client = _Client(writer)
        try:
            if await self._greet(reader, client):
                self._clients.add(client)
                if client.refresh_hz:
                    client.streamer = asyncio.create_task(self._stream(client), name="control-stream")
                await self._read_loop(reader, client)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            self._clients.discard(client)
            if client.streamer is not None:
                client.streamer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await client.streamer
            writer.close()
            self._handlers.discard(task)

    async def _greet(self, reader: asyncio.StreamReader, client: _Client) -> bool:
        line = await asyncio.wait_for(self._read_line(reader, client), HELLO_TIMEOUT_S)
        if line is None:
            return False
        try:
            hello = decode(line)
        except ProtocolError as exc:
            client.send({"type": "error", "id": None, "message": str(exc)})
            return False
        if hello["type"] != "hello":
            client.send({"type": "error", "id": None, "message": "say hello first"})
            return False
        if hello.get("version") != PROTOCOL_VERSION:
            client.send({"type": "error", "id": None,
                         "message": f"protocol version {hello.get('version')!r} not spoken here; "
                                    f"this engine speaks {PROTOCOL_VERSION}"})
            return False
        try:
            client.refresh_hz = min(max(float(hello.get("refresh_hz", 0.0)), 0.0), MAX_REFRESH_HZ)
        except (TypeError, ValueError):
            client.send({"type": "error", "id": None, "message": "refresh_hz must be a number"})
            return False
        client.name = str(hello.get("client", ""))[:40]
        client.view_only = bool(hello.get("view_only", False))
        engine = self.engine
        client.send({"type": "welcome", "version": PROTOCOL_VERSION,
                     "engine": {"pid": os.getpid(), "mode": engine.mode, "exchange": engine.exchange,
                                "symbols": list(engine.symbols), "wal_dir": str(engine.wal.directory),
                                **self._others(client)}})
        return True

    def _others(self, client: _Client) -> dict[str, int]:
        """Who else is connected, as a client arriving sees it: attached workstations (and how
        many of them view-only) and other connections (ctl, probes), itself not counted."""
        others = [c for c in self._clients if c is not client]
        attached = [c for c in others if c.name == ATTACH_CLIENT]
        return {"attached": len(attached), "view_only": sum(c.view_only for c in attached),
                "other_clients": len(others) - len(attached)}

    async def _read_line(self, reader: asyncio.StreamReader, client: _Client) -> bytes | None:
        """The next line; None at end of stream or after an oversized one (client dropped)."""
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            return None
        except asyncio.LimitOverrunError:
            client.send({"type": "error", "id": None,
                         "message": f"message longer than {MAX_MESSAGE_BYTES} bytes: disconnecting"})
            return None
        return line

    async def _read_loop(self, reader: asyncio.StreamReader, client: _Client) -> None:
        while (line := await self._read_line(reader, client)) is not None:
            try:
                message = decode(line)
            except ProtocolError as exc:
                client.send({"type": "error", "id": None, "message": str(exc)})
                continue
            await self._handle(client, message)

    async def _handle(self, client: _Client, message: dict[str, Any]) -> None:
        request_id = message.get("id")
        kind = message["type"]
        if kind == "command":
            result = await self._command(client, message.get("command"))
            client.send(result_to_wire(request_id, result))
        elif kind == "get_notices":
            client.send({"type": "notices", "id": request_id,
                         "notices": [asdict(n) for n in self.engine.snapshot.notices]})
        else:
            client.send({"type": "error", "id": request_id, "message": f"unknown message type {kind!r}"})

    async def _command(self, client: _Client, wire: object) -> CommandResult:
        try:
            command = command_from_wire(wire)
        except ProtocolError as exc:
            return CommandResult(False, str(exc))
        if client.view_only:
            return CommandResult(False, "view-only client: commands are refused")
        if isinstance(command, StopEngine):
            return CommandResult(False, "a served engine is stopped with SIGTERM (systemctl stop), not by a client")
        try:
            return await self.engine.execute(command)
        except Exception as exc:  # the engine reports; the connection and the engine carry on
            return CommandResult(False, f"{type(exc).__name__}: {exc}")

    # --- snapshots ---------------------------------------------------------------------------

    def _encodings(self, snapshot: EngineSnapshot) -> tuple[dict[str, bytes], dict[str, list[bytes]]]:
        """The snapshot encoded once, whatever the number of clients."""
        if self._encoded is None or self._encoded[0] != snapshot.seq:
            items = {name: encode_items(snapshot, name) for name in TAIL_FIELDS}
            self._encoded = (snapshot.seq, encode_fields(snapshot), items)
        return self._encoded[1], self._encoded[2]

    async def _stream(self, client: _Client) -> None:
        period = 1.0 / client.refresh_hz
        sent_seq = -1
        while not client.writer.is_closing():
            snapshot = self.engine.snapshot
            if snapshot.seq != sent_seq:
                sent_seq = snapshot.seq
                fields, items = self._encodings(snapshot)
                message = client.sender.message(snapshot, fields, items)
                if message is not None:
                    client.send(message)
            await asyncio.sleep(period)

