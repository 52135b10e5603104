"""Memory over a long session: the default sim, unpaced, through the engine
(``Engine.process``: the whole pipeline, WAL made durable every few thousand events as the
group commit would, state snapshots every 5,000 records), with the UI snapshot built every
1,000 events (the TUI pulls 10 a second; the accelerated sim runs ~25,000 events a second).

- ``memory_rss_growth_pct``: resident memory after a further simulated hour vs after the
  warm-up hour. The warm-up is an hour because that is the longest window the default
  set keeps (the volume profile's ``profile_window_s``): before it is full, growth is the
  window filling, not a leak. Target: < 5%.
- ``memory_rss_warm_mb``, ``memory_rss_end_mb``, ``memory_peak_rss_mb``.
``--quick``: 15 simulated minutes of warm-up, 15 measured.
"""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

from benchmarks.arguments import quick_option
from benchmarks.process_memory import current_rss_mb, peak_rss_mb
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.session.assembly import build_sim_engine

NS_PER_S = 1_000_000_000
WARMUP_S = 3600
SNAPSHOT_EVERY_EVENTS = 1000
WAL_SYNC_EVERY_EVENTS = 5000


def run(quick: bool = False) -> dict[str, float]:
    """RSS growth across a simulated hour after an hour of warm-up (quick: 15 + 15 minutes)."""
    warmup_s = 900 if quick else WARMUP_S
    duration_s = 2 * warmup_s
    settings = load_settings(None, {})
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        clock = SimulatedClock(DEFAULT_SIM_START_NS)
        engine = build_sim_engine(settings, clock=clock, wal_dir=Path(tmp) / "wal", paced=False)
        next_event = engine.source.market.next_event  # type: ignore[attr-defined]
        engine.begin_session()
        warm_end = DEFAULT_SIM_START_NS + warmup_s * NS_PER_S
        end = DEFAULT_SIM_START_NS + duration_s * NS_PER_S
        warm_rss = 0.0
        events = 0
        while True:
            event = next_event()
            if event.ts_ns >= end:
                break
            engine.process(event)
            events += 1
            if events % SNAPSHOT_EVERY_EVENTS == 0:
                engine.publish_snapshot()
            if events % WAL_SYNC_EVERY_EVENTS == 0:
                engine.wal.sync()
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
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:28s} {value:12,.3f}")
