"""Before a writer takes a WAL directory: can the disk take a write and an fsync there?

A full or read-only disk found at start-up is a refusal in one line, not a FAILED session a
moment later; the probe's file is removed whatever happens, so a refused start leaves nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from hft_tui.wal.orphans import TEMP_SUFFIX
from hft_tui.wal.segments import open_private, write_all

PROBE_BYTES = 4096


def probe_writable(directory: Path) -> None:
    """Write, fsync and remove a small file in ``directory``; raises the OSError that failed."""
    path = directory / f".probe-{os.getpid()}{TEMP_SUFFIX}"
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        write_all(fd, b"\0" * PROBE_BYTES)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(path)

