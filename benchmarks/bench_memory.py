"""Memory over a long session: one simulated hour of the default sim, unpaced, through the
engine (``Engine.process``: the whole pipeline, WAL, state snapshots every 5,000 records),
with the engine's UI snapshot built at 10 Hz of simulated time as the TUI would pull it.

- ``memory_rss_growth_pct``: resident memory at the end vs after the first simulated
  5 minutes (warm-up: windows, profiles and histories filling to their bounds). Target: < 5%.
- ``memory_rss_end_mb``, ``memory_peak_rss_mb``.
``--quick``: 15 simulated minutes.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path

from benchmarks.process_memory import current_rss_mb, peak_rss_mb
from hft_tui.assembly import build_sim_engine
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS

NS_PER_S = 1_000_000_000
WARMUP_S = 300
SNAPSHOT_PERIOD_NS = NS_PER_S // 10


def run(quick: bool = False) -> dict[str, float]:
    """RSS growth across a simulated hour (quick: 15 minutes)."""
    duration_s = 900 if quick else 3600
    settings = load_settings(None, {})
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        clock = SimulatedClock(DEFAULT_SIM_START_NS)
        engine = build_sim_engine(settings, clock=clock, wal_dir=Path(tmp) / "wal", paced=False)
        next_event = engine.source.market.next_event  # type: ignore[attr-defined]
        engine.begin_session()
        warm_end = DEFAULT_SIM_START_NS + WARMUP_S * NS_PER_S
        end = DEFAULT_SIM_START_NS + duration_s * NS_PER_S
        next_snapshot = DEFAULT_SIM_START_NS
        warm_rss = 0.0
        events = 0
        while True:
            event = next_event()
            if event.ts_ns >= end:
                break
            engine.process(event)
            events += 1
            if event.ts_ns >= next_snapshot:
                engine.publish_snapshot()
                next_snapshot += SNAPSHOT_PERIOD_NS
            if not warm_rss and event.ts_ns >= warm_end:
                gc.collect()
                warm_rss = current_rss_mb()
        engine.wal.sync()
        gc.collect()
        end_rss = current_rss_mb()
        engine.wal.close_sync()
    return {
        "memory_sim_seconds": float(duration_s),
        "memory_events": float(events),
        "memory_rss_warm_mb": warm_rss,
        "memory_rss_end_mb": end_rss,
        "memory_rss_growth_pct": (end_rss / warm_rss - 1.0) * 100.0,
        "memory_peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key:28s} {value:12,.3f}")
