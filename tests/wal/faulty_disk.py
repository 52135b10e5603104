"""A fault-injecting file layer under the WAL: the disk fills up, a device fails, and heals.

It replaces the two calls through which every WAL byte reaches the disk (``write_all`` and
``sync_file`` in ``hft_tui.wal.appender``). A full disk writes the first half of a batch and
then raises ENOSPC, as a real one does mid-write; a failing device raises EIO on fsync.
"""

from __future__ import annotations

import errno
import os

import pytest

from hft_tui.wal import appender

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
EIO = OSError(errno.EIO, os.strerror(errno.EIO))


class FaultyDisk:
    """Install with a monkeypatch; ``fill()``/``fail_syncs()`` break it, ``heal()`` mends it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._write_all = appender.write_all
        self._sync = appender.sync_file
        self.write_fault: OSError | None = None
        self.sync_fault: OSError | None = None
        self.failed_writes = 0
        monkeypatch.setattr(appender, "write_all", self._faulty_write_all)
        monkeypatch.setattr(appender, "sync_file", self._faulty_sync)

    def fill(self) -> None:
        self.write_fault = ENOSPC

    def fail_syncs(self) -> None:
        self.sync_fault = EIO

    def heal(self) -> None:
        self.write_fault = self.sync_fault = None

    def _faulty_write_all(self, fd: int, data: bytes) -> None:
        if self.write_fault is None:
            self._write_all(fd, data)
            return
        self.failed_writes += 1
        os.write(fd, data[: len(data) // 2])  # what fitted before the disk ran out
        raise OSError(self.write_fault.errno, self.write_fault.strerror)

    def _faulty_sync(self, fd: int) -> None:
        if self.sync_fault is not None:
            raise OSError(self.sync_fault.errno, self.sync_fault.strerror)
        self._sync(fd)
