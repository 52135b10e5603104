"""Instructions per delta-stream update under cachegrind: the per-update cost without the noise.

``python -m benchmarks.instructions_per_update [N]`` runs the delta-stream engine of
``bench_book_deltas`` twice under ``valgrind --tool=cachegrind``: both runs start up and
generate the same 5,000 + N events, one processes them all (5,000 to warm the windows and
the strategies up, then N), the other only the 5,000 warm-up events. The difference in
instructions, over N, is what one update costs; it does not move with the machine's load,
so two commits compare on it where wall and CPU times on a shared box move by 5% or more.
Needs valgrind (``apt-get install valgrind``); N is 20,000 unless given.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.bench_book_deltas import delta_engine
from benchmarks.cachegrind import child_instructions, counting_main

WARMUP_EVENTS = 5_000
DEFAULT_EVENTS = 20_000


def child(generated: int, processed: int) -> None:
    """Generate ``generated`` events, process the first ``processed`` of them."""
    with tempfile.TemporaryDirectory(prefix="bench-instr-") as tmp:
        engine = delta_engine(Path(tmp) / "wal")
        next_event = engine.source.market.next_event  # type: ignore[attr-defined]
        engine.begin_session()
        events = [next_event() for _ in range(generated)]
        process = engine.process
        for event in events[:processed]:
            process(event)
        engine.wal.close_sync()


def instructions(generated: int, processed: int) -> int:
    """Instructions the whole child run executes, counted by cachegrind."""
    return child_instructions("benchmarks.instructions_per_update", str(generated), str(processed))


def measure(n: int) -> None:
    """Print the instructions of one update, counted over ``n`` after the warm-up."""
    generated = WARMUP_EVENTS + n
    full = instructions(generated, generated)
    base = instructions(generated, WARMUP_EVENTS)
    print(f"instructions per update ({n:,} updates after {WARMUP_EVENTS:,} of warm-up): "
          f"{(full - base) / n:,.0f}")


def main(argv: list[str]) -> int:
    return counting_main(__file__, __doc__, DEFAULT_EVENTS, argv,
                         lambda generated, processed: child(int(generated), int(processed)), measure)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
