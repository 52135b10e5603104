"""Full-pipeline throughput: the sim stream through the engine, one event at a time.

Sanitizer, books, the default strategy set, signal manager, risk gate, sizing, paper
broker, fee model/TCA, DRB guard and the WAL (appended per record, fsync'd in groups) on a
simulated clock, exactly as ``Engine.process`` runs them. 1,000,000 events of the default
two-symbol sim (20 levels a side); ``--quick`` uses 100,000.

The events are generated in chunks *before* each chunk is timed (the simulator's own
cost, ~3 us/event, is ``bench_simulator``'s figure, not this one's), and a chunk at a time
so peak RSS is the pipeline's, not a million pre-built books'.

- ``pipeline_events_per_s``: events / seconds spent in ``Engine.process``.
- ``pipeline_first_decile_events_per_s`` / ``..._last_decile_...``: the same over the first
  and last tenth of the run; their ratio shows whether the core slows as it runs.
- ``pipeline_rss_growth_pct``: resident memory after the run vs after the first tenth.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.process_memory import current_rss_mb, peak_rss_mb
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.session.assembly import build_sim_engine

CHUNK_EVENTS = 50_000


def run(quick: bool = False) -> dict[str, float]:
    """Throughput of the whole per-event pipeline on the default sim stream."""
    n = 100_000 if quick else 1_000_000
    settings = load_settings(None, {})
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        clock = SimulatedClock(DEFAULT_SIM_START_NS)
        engine = build_sim_engine(settings, clock=clock, wal_dir=Path(tmp) / "wal", paced=False)
        next_event = engine.source.market.next_event  # type: ignore[attr-defined]
        engine.begin_session()
        process = engine.process
        busy_s = 0.0
        chunk_rates: list[float] = []
        rss_after_first_tenth = 0.0
        done = 0
        while done < n:
            size = min(CHUNK_EVENTS, n - done)
            events = [next_event() for _ in range(size)]
            started = time.perf_counter()
            for event in events:
                process(event)
            elapsed = time.perf_counter() - started
            busy_s += elapsed
            chunk_rates.append(size / elapsed)
            done += size
            del events
            if not rss_after_first_tenth and done >= n // 10:
                rss_after_first_tenth = current_rss_mb()
        engine.wal.sync()
        core = engine.core
        tenth = max(len(chunk_rates) // 10, 1)
        figures = {
            "pipeline_events": float(done),
            "pipeline_events_per_s": done / busy_s,
            "pipeline_us_per_event": busy_s / done * 1e6,
            "pipeline_first_decile_events_per_s": sum(chunk_rates[:tenth]) / tenth,
            "pipeline_last_decile_events_per_s": sum(chunk_rates[-tenth:]) / tenth,
            "pipeline_signals": float(core.counters.signals),
            "pipeline_orders": float(core.counters.orders),
            "pipeline_fills": float(core.counters.fills),
            "pipeline_wal_records": float(engine.wal.last_seq),
            "pipeline_rss_growth_pct": (current_rss_mb() / rss_after_first_tenth - 1.0) * 100.0,
            "pipeline_peak_rss_mb": peak_rss_mb(),
        }
        engine.wal.close_sync()
    return figures


if __name__ == "__main__":
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key:40s} {value:16,.3f}")
