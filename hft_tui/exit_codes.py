"""Every exit status of ``hft-tui``: one per kind of failure, so a script can tell them apart.

A command's own "ran, and found a problem" (a corrupt WAL on ``wal verify``, data gaps, a
diverged replay) is ``FAILED``; the rest name what stood in the way.
"""

from __future__ import annotations

from typing import Final

OK: Final = 0
FAILED: Final = 1
CONFIG_ERROR: Final = 2  # bad settings or arguments (argparse's usage errors are 2 as well)
WAL_UNUSABLE: Final = 3  # the WAL cannot be opened, recovered or written
STATE_IN_USE: Final = 4  # another hft-tui holds the state dir's WAL
EXCHANGE_UNREACHABLE: Final = 5
UNKNOWN_SYMBOL: Final = 6
OUTPUT_EXISTS: Final = 7
NO_STATE_DIR: Final = 8
NO_SERVED_ENGINE: Final = 9  # attach/ctl: nothing answers on the state dir's control socket
INTERRUPTED: Final = 130  # Ctrl+C: 128 + SIGINT, as shells report it
