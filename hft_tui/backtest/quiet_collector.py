"""A backtest's event loop with the cyclic garbage collector kept off what the run set up.

The loop makes and drops objects by the million (books, their changes, trades); reference
counting frees nearly all of them at once. The collector still walked the young objects every
700 allocations and, every so often, every object the process holds (the core, its strategies,
every imported module): ~10,000 instructions per event of a diff-depth recording backtest, a
tenth of its cost. For the run, what exists before its first event is frozen (never walked)
and a collection waits for ``RUN_THRESHOLD`` allocations; cycles the run makes are still
collected, and the collector is left as it was found (what someone else froze stays frozen).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLD = 50_000


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Freeze what exists and collect young objects every ``RUN_THRESHOLD`` allocations, for the block."""
    threshold = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(RUN_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not frozen_before:
            gc.unfreeze()
