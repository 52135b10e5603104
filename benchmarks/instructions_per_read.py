"""Instructions per event read back from a recording, under cachegrind: reading without the noise.

``python -m benchmarks.instructions_per_read [N]`` records N + 1 events of the simulator in
its diff-depth mode and as many in its snapshot mode (outside valgrind), then reads each
recording back twice under ``valgrind --tool=cachegrind``: its first event only, and N + 1
events. The difference over N is what reading one event costs (Parquet decoding, the books
and their changes made): the part of a recording backtest that is not the pipeline. Needs
valgrind (``apt-get install valgrind``); N is 100,000 unless given.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from benchmarks.cachegrind import child_instructions, counting_main
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import record_simulation
from hft_tui.data.recording import RecordedSession

DEFAULT_EVENTS = 100_000
# Events per simulated second of each mode (2 symbols at the default rates, as bench_backtest).
_EVENTS_PER_S = {"deltas": 222.0, "snapshots": 46.2}


def child(directory: str, events: int) -> None:
    """Read the first ``events`` events of the recording in ``directory``."""
    for _ in itertools.islice(RecordedSession(Path(directory)).events(), events):
        pass


def read_instructions(directory: Path, events: int) -> int:
    """Instructions a child process reading ``events`` events executes, counted by cachegrind."""
    return child_instructions("benchmarks.instructions_per_read", str(directory), str(events))


def measure(n: int) -> None:
    """Record each mode and print the instructions of reading one event, counted over ``n``."""
    with tempfile.TemporaryDirectory(prefix="bench-read-") as tmp:
        for mode, per_s in _EVENTS_PER_S.items():
            directory = Path(tmp, mode)
            # A little longer than N events need: the simulator's rates are averages.
            record_simulation(load_settings(None, {"sim.book_updates": mode}), directory, 1.2 * (n + 1) / per_s)
            per_event = (read_instructions(directory, n + 1) - read_instructions(directory, 1)) / n
            print(f"instructions per event read, {mode} recording ({n:,} events): {per_event:,.0f}")


def main(argv: list[str]) -> int:
    return counting_main(__file__, __doc__, DEFAULT_EVENTS, argv,
                         lambda directory, events: child(directory, int(events)), measure)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
