"""A Unix socket's address, even when its path is longer than the kernel allows (108 bytes,
easily passed by a deep state dir): the directory is then reached through an open file
descriptor's ``/proc/self/fd`` link, which is short."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

# sun_path holds 108 bytes including the terminating NUL; keep a margin.
MAX_DIRECT_PATH = 100


@contextlib.contextmanager
def socket_address(path: Path) -> Iterator[str]:
    """An address for ``path`` that bind/connect accept, valid inside the ``with`` block."""
    if len(os.fsencode(path)) <= MAX_DIRECT_PATH:
        yield str(path)
        return
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{directory}/{path.name}"
    finally:
        os.close(directory)
