"""Full pipeline on a diff-depth feed: the sim's delta mode through the engine, one update at
a time.

The same engine and default strategy set as ``bench_pipeline`` on the simulator's delta
stream (``sim.book_updates = "deltas"``, ``market/sim_book_deltas.py``): each book update
changes ~4 levels, as Binance's diff-depth stream mostly does, instead of being a whole
re-drawn book. 1,000,000 events (``--quick``: 100,000), generated a chunk at a time before
the chunk is timed (the generator's own cost is not the pipeline's).

- ``deltas_events_per_s`` / ``deltas_us_per_event``: every event (book updates ~97%, trades,
  liquidations) over the seconds spent in ``Engine.process``; ``deltas_cpu_us_per_event``
  the same in this process's CPU time (steadier on a shared machine).
- ``deltas_first_decile_events_per_s`` / ``..._last_decile_...``: the first and last tenth.
- ``deltas_levels_per_update``: the mean number of levels an update changed.

``python -m benchmarks.bench_book_deltas --profile`` prints where the time goes instead
(cProfile over 100,000 events, by own time).
"""

from __future__ import annotations

import cProfile
import pstats
import tempfile
from pathlib import Path

from benchmarks.arguments import benchmark_parser
from benchmarks.bench_pipeline import drive, rate_figures
from benchmarks.process_memory import peak_rss_mb
from hft_tui.clock import SimulatedClock
from hft_tui.compiled_build import build_line
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.model import OrderBook
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine

DELTA_SETTINGS = {"sim.book_updates": "deltas"}


def delta_engine(wal_dir: Path) -> Engine:
    """An unpaced sim engine, default strategy set, on the delta feed (seed of the defaults)."""
    settings = load_settings(None, DELTA_SETTINGS)
    clock = SimulatedClock(DEFAULT_SIM_START_NS)
    return build_sim_engine(settings, clock=clock, wal_dir=wal_dir, paced=False)


def run(quick: bool = False) -> dict[str, float]:
    """Throughput of the whole per-event pipeline on the delta stream."""
    n = 100_000 if quick else 1_000_000
    updates = levels = 0

    def count_levels(events: list[object]) -> None:
        nonlocal updates, levels
        for event in events:
            if type(event) is OrderBook and event.changes is not None:
                updates += 1
                levels += event.changes.count

    with tempfile.TemporaryDirectory(prefix="bench-deltas-") as tmp:
        engine = delta_engine(Path(tmp) / "wal")
        engine.begin_session()
        busy_s, cpu_s, chunk_rates = drive(engine, n, inspect=count_levels)
        engine.wal.sync()
        core = engine.core
        figures = {
            **rate_figures("deltas", n, busy_s, cpu_s, chunk_rates),
            "deltas_book_updates": float(updates),
            "deltas_levels_per_update": levels / max(updates, 1),
            "deltas_rejected": float(core.sanitizer.rejected),
            "deltas_signals": float(core.strategies.signals),
            "deltas_orders": float(core.counters.orders),
            "deltas_peak_rss_mb": peak_rss_mb(),
        }
        engine.wal.close_sync()
    return figures


def profile(n: int = 100_000, top: int = 30) -> None:
    """Print the functions that take the pipeline's time on ``n`` delta-stream events."""
    with tempfile.TemporaryDirectory(prefix="bench-deltas-") as tmp:
        engine = delta_engine(Path(tmp) / "wal")
        next_event = engine.source.market.next_event  # type: ignore[attr-defined]
        engine.begin_session()
        for _ in range(20_000):  # warm the windows and the strategies up first
            engine.process(next_event())
        events = [next_event() for _ in range(n)]
        profiler = cProfile.Profile()
        process = engine.process
        profiler.enable()
        for event in events:
            process(event)
        profiler.disable()
        engine.wal.close_sync()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    parser = benchmark_parser(__file__)
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke run")
    parser.add_argument("--profile", action="store_true", help="where the time goes, instead of the figures")
    args = parser.parse_args()
    print(build_line())
    if args.profile:
        profile()
    else:
        for key, value in run(quick=args.quick).items():
            print(f"{key:40s} {value:16,.3f}")
