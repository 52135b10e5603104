"""The blocking half of the writer: append byte batches to segment files and fsync them.

It runs on one thread at a time (the writer's executor, or the caller in sync mode), so
it keeps no locks. The loop never calls into it directly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hft_tui.wal.segments import fsync_directory, open_private, segment_name, write_all

# fdatasync skips metadata we do not need (atime); the file size is still flushed.
sync_file = getattr(os, "fdatasync", os.fsync)

_APPEND_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND


class SegmentAppender:
    """Owns the open segment file; moves to the next segment when a batch says so."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._fd: int | None = None
        self._index = 0

    def write(self, index: int, data: bytes) -> None:
        """Append ``data`` to segment ``index``, finishing the previous segment if it differs."""
        if index != self._index:
            self._switch_to(index)
        assert self._fd is not None
        write_all(self._fd, data)

    def sync(self) -> float:
        """Make everything written so far durable; returns the fsync time in milliseconds."""
        if self._fd is None:
            return 0.0
        started = time.perf_counter()
        sync_file(self._fd)
        return (time.perf_counter() - started) * 1e3

    def close(self) -> None:
        """Close the open segment (callers sync first)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _switch_to(self, index: int) -> None:
        if self._fd is not None:
            # The old segment is complete and durable before the next one exists, so a
            # reader that sees segment N+1 can trust segment N has no torn tail.
            sync_file(self._fd)
            self.close()
        path = self._directory / segment_name(index)
        created = not path.exists()
        self._fd = open_private(path, _APPEND_FLAGS)
        self._index = index
        if created:
            fsync_directory(self._directory)
