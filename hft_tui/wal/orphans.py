"""Temporary files a killed process left behind (``*.tmp``): removed when a directory is next
taken over, so a crash leaves no stray part, probe or half-written copy for long."""

from __future__ import annotations

import os
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def remove_orphan_temp_files(directory: Path) -> list[Path]:
    """Delete the ``*.tmp`` files directly in ``directory``; returns them.

    Only call it holding the state dir's WAL lock: then no live writer owns them.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if entry.name.endswith(TEMP_SUFFIX) and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed
