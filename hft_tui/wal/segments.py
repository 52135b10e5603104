"""Where the WAL lives on disk: segment names, listing, and owner-only permissions."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

WAL_DIRNAME = "wal"
FILE_MODE = 0o600

_SEGMENT_RE = re.compile(r"^wal-(\d{6,})\.jsonl$")


def wal_directory(state_dir: Path) -> Path:
    """The WAL directory inside the engine's state directory."""
    return state_dir / WAL_DIRNAME


def segment_name(index: int) -> str:
    """File name of segment ``index`` (1-based), e.g. ``wal-000001.jsonl``."""
    return f"wal-{index:06d}.jsonl"


def segment_index(path: Path) -> int:
    """The index encoded in a segment's file name."""
    match = _SEGMENT_RE.match(path.name)
    if match is None:
        raise ValueError(f"not a WAL segment: {path}")
    return int(match.group(1))


def list_segments(directory: Path) -> list[Path]:
    """Segment files in ``directory`` in sequence order; empty if the directory is missing."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    found = [(int(m.group(1)), name) for name in names if (m := _SEGMENT_RE.match(name))]
    found.sort()
    return [directory / name for _, name in found]


def open_private(path: Path, flags: int) -> int:
    """``os.open`` creating the file as 0600: born private (the umask can only narrow it)."""
    return os.open(path, flags | os.O_CLOEXEC, FILE_MODE)


def fsync_directory(directory: Path) -> None:
    """Make a created, renamed or truncated entry in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a single write may be short)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_private_file(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Create ``path`` as 0600 (``exclusive``: only if it does not exist yet), write ``data``
    and fsync it. A write that fails removes the file: a full disk keeps no partial copy."""
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC))
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        path.unlink(missing_ok=True)
        raise
