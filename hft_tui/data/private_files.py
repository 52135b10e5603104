"""Data files are born private (0600 in 0700 directories) and replaced atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.segments import open_private, write_private_file


def write_parquet_privately(path: Path, table: pa.Table) -> None:
    """Write ``table`` to ``path`` atomically: a 0600 temporary file, fsync, rename."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def write_text_privately(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically as a 0600 file."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_private_file(tmp, text.encode())
    os.replace(tmp, path)
