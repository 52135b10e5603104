"""The control socket's protocol: versioned, newline-delimited JSON objects.

Client -> engine::

    {"type": "hello", "version": 1, "client": "attach", "refresh_hz": 10, "view_only": false}
    {"type": "command", "id": 7, "command": {"name": "Kill", "args": {"source": "ctl"}}}
    {"type": "get_snapshot", "id": 8}
    {"type": "get_notices", "id": 9}

Engine -> client::

    {"type": "welcome", "version": 1, "engine": {...}}
    {"type": "snapshot", "seq": 12, "fields": {...}}   changed fields only (snapshot_stream)
    {"type": "result", "id": 7, "ok": true, "message": "..."}      "preview": {...} answers a PreviewOrder
    {"type": "notices", "id": 9, "notices": [...]}
    {"type": "error", "id": 7 | null, "message": "..."}

A line longer than ``MAX_MESSAGE_BYTES`` ends that client's connection after an error
reply; any other malformed line gets an error reply and the connection carries on.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

from hft_tui.trading.commands import (
    COMMANDS,
    UNKNOWN_COMMAND,
    Command,
    CommandError,
    CommandResult,
    OrderPreview,
    command_args,
    command_from_args,
)

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
SOCKET_NAME = "control.sock"
ATTACH_CLIENT = "attach"  # the name an attached workstation says hello with (counted as attached)
_PREVIEW = TypeAdapter(OrderPreview)


class ProtocolError(ValueError):
    """A message that is not valid in this protocol version; the text says why."""


def socket_path(state_dir: Path) -> Path:
    """Where the served engine of ``state_dir`` listens."""
    return state_dir / SOCKET_NAME


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line."""
    return orjson.dumps(message) + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """One line as a message: a JSON object with a string ``type``."""
    try:
        message = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError('a message is a JSON object with a "type"')
    return message


def command_to_wire(command: Command) -> dict[str, Any]:
    return {"name": type(command).__name__, "args": command_args(command)}


def result_to_wire(request_id: object, result: CommandResult) -> dict[str, Any]:
    """The engine's answer to a command, with the order preview when it carries one."""
    message: dict[str, Any] = {"type": "result", "id": request_id, "ok": result.ok, "message": result.message}
    if result.preview is not None:
        message["preview"] = dataclasses.asdict(result.preview)
    return message


def result_from_wire(reply: dict[str, Any]) -> CommandResult:
    """A ``result`` (or ``error``) reply as the CommandResult the engine returned."""
    if reply["type"] == "error":
        return CommandResult(False, str(reply["message"]))
    preview = reply.get("preview")
    return CommandResult(bool(reply["ok"]), str(reply["message"]),
                         _PREVIEW.validate_python(preview) if preview is not None else None)


def command_from_wire(wire: object) -> Command:
    """The command a client sent, its fields checked against the command's own types."""
    if not isinstance(wire, dict) or wire.get("name") not in COMMANDS:
        raise ProtocolError(UNKNOWN_COMMAND)
    args = wire.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError("command args must be an object")
    try:
        return command_from_args(wire["name"], args)
    except CommandError as exc:
        raise ProtocolError(str(exc)) from None
