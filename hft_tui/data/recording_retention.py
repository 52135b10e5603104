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


def prune_recordings(root: Path, max_bytes: int, running: Path | None) -> PruneResult:
    """Delete the oldest session recordings under ``root`` until all of them fit ``max_bytes``.

    Age is the newest file's modification time in each recording (a session still written
    an hour ago is newer than one closed yesterday); ``running`` is never deleted.
    """
    if not root.is_dir():
        return PruneResult((), 0)
    usage = {path: _usage(path) for path in root.iterdir() if path.is_dir()}
    total = sum(size for size, _ in usage.values())
    removable = sorted((path for path in usage if path != running), key=lambda path: (usage[path][1], path.name))
    removed: list[str] = []
    freed = 0
    for path in removable:
        if total <= max_bytes:
            break
        shutil.rmtree(path, ignore_errors=True)
        size = usage[path][0]
        total -= size
        freed += size
        removed.append(path.name)
    return PruneResult(tuple(removed), freed)


def _usage(directory: Path) -> tuple[int, int]:
    """Bytes of the regular files directly in ``directory`` (a recording has no subdirectories)
    and the newest one's modification time, ns (the directory's own when it is empty)."""
    stats = [entry.stat() for entry in directory.iterdir() if entry.is_file()]
    newest = max((st.st_mtime_ns for st in stats), default=directory.stat().st_mtime_ns)
    return sum(st.st_size for st in stats), newest
