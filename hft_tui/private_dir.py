"""Owner-only directories (0700): the one way every writer of state, WAL and data makes them."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

PRIVATE_DIR_MODE: Final = 0o700


def ensure_private_dir(directory: Path) -> list[Path]:
    """Create ``directory`` and its missing parents as 0700 whatever the umask, and return the ones
    created (outermost first); tighten ``directory`` if it already exists looser. Existing parents
    (e.g. $HOME) are left alone; a file in the way is NotADirectoryError."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    created: list[Path] = []
    for path in reversed(missing):
        try:
            os.mkdir(path, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made concurrently by another process: tightened below if it is the target
        os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode passes through the umask
        created.append(path)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} exists and is not a directory")
    if stat.S_IMODE(os.stat(directory).st_mode) != PRIVATE_DIR_MODE:
        os.chmod(directory, PRIVATE_DIR_MODE)  # a directory made by hand or by an older version
    return created
