"""The served engine's heartbeat: a small file in the state dir rewritten every second from
the engine's own loop, so ``ctl status`` can say how old the engine's last sign of life is
even when the engine no longer answers on its socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from hft_tui.session.engine import Engine
from hft_tui.wal.record_types import ComponentError
from hft_tui.wal.segments import open_private

HEARTBEAT_NAME = "heartbeat.json"
HEARTBEAT_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class HeartbeatReading:
    pid: int
    age_s: float
    wal_seq: int
    trading_state: str


def heartbeat_path(state_dir: Path) -> Path:
    return state_dir / HEARTBEAT_NAME


def write_heartbeat(engine: Engine, path: Path) -> None:
    """Replace the heartbeat file atomically (0600)."""
    snapshot = engine.snapshot
    payload = orjson.dumps({"pid": os.getpid(), "ts_ns": time.time_ns(), "wal_seq": engine.wal.last_seq,
                            "trading_state": snapshot.trading_state})
    partial = path.with_name(path.name + ".partial")
    fd = open_private(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        os.write(fd, payload)
    finally:
        os.close(fd)
    os.replace(partial, path)


def read_heartbeat(state_dir: Path) -> HeartbeatReading | None:
    """The last heartbeat and its age; None if there is none or it is unreadable."""
    try:
        payload = orjson.loads(heartbeat_path(state_dir).read_bytes())
        return HeartbeatReading(int(payload["pid"]), max(0.0, (time.time_ns() - int(payload["ts_ns"])) / 1e9),
                                int(payload["wal_seq"]), str(payload["trading_state"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Heartbeat:
    """Owns the heartbeat task; ``stop`` removes the file (a stopped engine has no pulse)."""

    def __init__(self, engine: Engine, state_dir: Path, interval_s: float = HEARTBEAT_INTERVAL_S) -> None:
        self._engine = engine
        self._path = heartbeat_path(state_dir)
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        write_heartbeat(self._engine, self._path)
        self._task = asyncio.create_task(self._beat(), name="engine-heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                write_heartbeat(self._engine, self._path)
            except OSError as exc:  # a full disk must not take the engine down; ctl will see the age
                self._engine.wal.write(ComponentError(where="heartbeat", error=f"{type(exc).__name__}: {exc}"))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()
