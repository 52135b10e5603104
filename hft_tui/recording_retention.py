"""Keeping input recordings within their disk budget: a VPS that trades for months must not
fill its disk with what the strategies saw.

Whole session recordings go, oldest first, until the rest fit ``engine.recordings_max_mb``;
the running session's is never touched (its replay is the one the operator is most likely
to want). A pruned session can no longer be replayed; its WAL is untouched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PruneResult:
    """The session recordings deleted and the bytes they held."""

    removed: tuple[str, ...]
    freed_bytes: int


def directory_bytes(directory: Path) -> int:
    """Bytes of the regular files directly in ``directory`` (a recording has no subdirectories)."""
    return sum(entry.stat().st_size for entry in directory.iterdir() if entry.is_file())


def prune_recordings(root: Path, max_bytes: int, running: Path | None) -> PruneResult:
    """Delete the oldest session recordings under ``root`` until all of them fit ``max_bytes``.

    Age is the newest file's modification time in each recording (a session still written
    an hour ago is newer than one closed yesterday); ``running`` is never deleted.
    """
    if not root.is_dir():
        return PruneResult((), 0)
    sessions = [path for path in root.iterdir() if path.is_dir()]
    sizes = {path: directory_bytes(path) for path in sessions}
    total = sum(sizes.values())
    removable = sorted((path for path in sessions if path != running), key=_last_written)
    removed: list[str] = []
    freed = 0
    for path in removable:
        if total <= max_bytes:
            break
        shutil.rmtree(path, ignore_errors=True)
        total -= sizes[path]
        freed += sizes[path]
        removed.append(path.name)
    return PruneResult(tuple(removed), freed)


def _last_written(directory: Path) -> tuple[int, str]:
    times = [entry.stat().st_mtime_ns for entry in directory.iterdir() if entry.is_file()]
    return (max(times, default=directory.stat().st_mtime_ns), directory.name)
