"""One writer per WAL directory: a second writer would interleave sequence numbers."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from hft_tui.wal.errors import WalLockedError
from hft_tui.wal.segments import open_private

LOCK_NAME = "wal.lock"


class DirectoryLock:
    """An exclusive ``flock`` on ``<directory>/wal.lock``; the kernel drops it if we die."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise WalLockedError: waiting would hang a second engine."""
        fd = open_private(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WalLockedError(f"another process is writing the WAL in {self.path.parent}") from None
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
