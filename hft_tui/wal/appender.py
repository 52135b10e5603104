"""The blocking half of the writer: append byte batches to segment files and fsync them.

It runs on one thread at a time (the writer's executor, or the caller in sync mode), so
it keeps no locks. The loop never calls into it directly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hft_tui.wal.segments import fsync_directory, list_segments, open_private, segment_index, segment_name, write_all

# fdatasync skips metadata we do not need (atime); the file size is still flushed.
sync_file = getattr(os, "fdatasync", os.fsync)

_APPEND_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND


class SegmentAppender:
    """Owns the open segment file; moves to the next segment when a batch says so.

    It remembers where the last successful sync left the WAL (segment and size), so that
    after a failed write ``rewind`` can cut off whatever part of a batch reached the disk.
    """

    def __init__(self, directory: Path, durable_index: int, durable_bytes: int) -> None:
        self._directory = directory
        self._fd: int | None = None
        self._index = 0
        self._durable = (durable_index, durable_bytes)

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
        elapsed_ms = (time.perf_counter() - started) * 1e3
        self._durable = (self._index, os.fstat(self._fd).st_size)
        return elapsed_ms

    def rewind(self) -> None:
        """Truncate the WAL back to the last durable byte: a failed write or fsync may have
        left part of a line (or a whole segment) that the next attempt writes again."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.close(fd)
            except OSError:  # a close can report the same failed writeback again
                pass
        self._index = 0  # the next write opens its segment afresh
        index, size = self._durable
        for path in list_segments(self._directory):
            if segment_index(path) > index:
                os.unlink(path)
        path = self._directory / segment_name(index)
        if path.exists():
            fd = open_private(path, os.O_WRONLY)
            try:
                os.ftruncate(fd, size)
                sync_file(fd)
            finally:
                os.close(fd)

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
