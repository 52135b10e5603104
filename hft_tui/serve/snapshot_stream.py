"""Snapshots over the socket as deltas: each client is sent only the fields that changed
since the last snapshot it got, and the journal tail and signal list as what was appended.

``SnapshotSender`` is one client's side on the engine; ``SnapshotReceiver`` rebuilds the
same :class:`EngineSnapshot` in the client. A field's value on the wire is either the whole
value or ``{"$tail": {"drop": k, "add": [...]}}``: drop k items from the front, append these.
"""

from __future__ import annotations

from typing import Any

import orjson

from hft_tui.serve.snapshot_codec import SNAPSHOT_FIELDS, decode_snapshot, encode_value
from hft_tui.session.engine_snapshot import EngineSnapshot

# Growing lists whose changes are mostly appends at the end and drops at the front.
TAIL_FIELDS = ("wal_tail", "signals")
TAIL_KEY = "$tail"


def encode_items(snapshot: EngineSnapshot, name: str) -> list[bytes]:
    return [encode_value(item) for item in getattr(snapshot, name)]


class SnapshotSender:
    """What one client has been sent; ``message`` gives the next delta to send it."""

    def __init__(self) -> None:
        self._fields: dict[str, bytes] = {}
        self._items: dict[str, list[bytes]] = {}

    def message(self, snapshot: EngineSnapshot, fields: dict[str, bytes],
                items: dict[str, list[bytes]]) -> bytes | None:
        """The ``snapshot`` message for this client, or None when nothing it has changed.

        ``fields`` and ``items`` are the snapshot's encodings (``encode_fields``,
        ``encode_items``), made once per snapshot and shared by every client.
        """
        parts: list[bytes] = []
        for name, encoded in fields.items():
            if self._fields.get(name) == encoded or name == "seq":
                continue
            self._fields[name] = encoded
            if name in items:
                encoded = self._tail_patch(name, items[name]) or encoded
            parts.append(b'"' + name.encode() + b'":' + encoded)
        if not parts:
            return None
        return (b'{"type":"snapshot","seq":' + str(snapshot.seq).encode() + b',"fields":{'
                + b",".join(parts) + b"}}\n")

    def _tail_patch(self, name: str, new: list[bytes]) -> bytes | None:
        old = self._items.get(name)
        self._items[name] = new
        if not old or not new:
            return None
        try:
            drop = old.index(new[0])
        except ValueError:
            drop = len(old)  # nothing in common: every item is new
        kept = len(old) - drop
        if old[drop:] != new[:kept]:
            return None
        return (b'{"' + TAIL_KEY.encode() + b'":{"drop":' + str(drop).encode() + b',"add":['
                + b",".join(new[kept:]) + b"]}}")


class SnapshotReceiver:
    """Applies ``snapshot`` messages to rebuild the engine's snapshots in the client."""

    def __init__(self) -> None:
        self._fields: dict[str, Any] = {}

    def apply(self, message: dict[str, Any]) -> EngineSnapshot | None:
        """The snapshot after ``message``; None until the first one carried every field."""
        for name, value in message["fields"].items():
            if isinstance(value, dict) and TAIL_KEY in value:
                patch = value[TAIL_KEY]
                value = self._fields.get(name, [])[int(patch["drop"]):] + list(patch["add"])
            self._fields[name] = value
        self._fields["seq"] = message["seq"]
        if len(self._fields) < len(SNAPSHOT_FIELDS):
            return None
        return decode_snapshot(self._fields)

