"""Full-pipeline throughput: the sim stream through the engine, one event at a time.

Sanitizer, books, the default strategy set, signal manager, risk gate, sizing, paper
broker, fee model/TCA, DRB guard and the WAL (appended per record, fsync'd in groups) on a
simulated clock, exactly as ``Engine.process`` runs them. 1,000,000 events of the default
two-symbol sim (20 levels a side); ``--quick`` uses 100,000.

The events are generated in chunks *before* each chunk is timed (the simulator's own
cost, ~3 us/event, is ``bench_simulator``'s figure, not this one's), and a chunk at a time
so peak RSS is the pipeline's, not a million pre-built books'.

- ``pipeline_events_per_s``: events / seconds spent in ``Engine.process``;
  ``pipeline_cpu_us_per_event`` the same in this process's CPU time.
- ``pipeline_first_decile_events_per_s`` / ``..._last_decile_...``: the same over the first
  and last tenth of the run; their ratio shows whether the core slows as it runs.
- ``pipeline_rss_growth_pct``: resident memory after the run vs after the first tenth.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.arguments import quick_option
from benchmarks.process_memory import current_rss_mb, peak_rss_mb
from hft_tui.clock import SimulatedClock
from hft_tui.compiled_build import build_line
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine

CHUNK_EVENTS = 50_000


def drive(
    engine: Engine,
    n: int,
    *,
    inspect: Callable[[list[object]], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> tuple[float, float, list[float]]:
    """Feed ``n`` events of the engine's sim market through ``Engine.process``, a chunk at a
    time generated before it is timed: wall seconds and CPU seconds (this process's, which a
    shared machine disturbs less) spent processing, and each chunk's events/s.
    ``inspect`` sees each chunk before it runs, ``after_chunk`` the events done so far."""
    next_event = engine.source.market.next_event  # type: ignore[attr-defined]
    process = engine.process
    busy_s = cpu_s = 0.0
    chunk_rates: list[float] = []
    done = 0
    while done < n:
        size = min(CHUNK_EVENTS, n - done)
        events = [next_event() for _ in range(size)]
        if inspect is not None:
            inspect(events)
        started = time.perf_counter()
        cpu_started = time.process_time()
        for event in events:
            process(event)
        cpu_s += time.process_time() - cpu_started
        elapsed = time.perf_counter() - started
        busy_s += elapsed
        chunk_rates.append(size / elapsed)
        done += size
        del events
        if after_chunk is not None:
            after_chunk(done)
    return busy_s, cpu_s, chunk_rates


def rate_figures(prefix: str, n: int, busy_s: float, cpu_s: float, chunk_rates: list[float]) -> dict[str, float]:
    """What :func:`drive` measured over ``n`` events: rate, wall and CPU per event, and the mean
    events/s of the first and of the last tenth of the chunks (steady when they agree)."""
    tenth = max(len(chunk_rates) // 10, 1)
    return {
        f"{prefix}_events": float(n),
        f"{prefix}_events_per_s": n / busy_s,
        f"{prefix}_us_per_event": busy_s / n * 1e6,
        f"{prefix}_cpu_us_per_event": cpu_s / n * 1e6,
        f"{prefix}_first_decile_events_per_s": sum(chunk_rates[:tenth]) / tenth,
        f"{prefix}_last_decile_events_per_s": sum(chunk_rates[-tenth:]) / tenth,
    }


def run(quick: bool = False) -> dict[str, float]:
    """Throughput of the whole per-event pipeline on the default sim stream."""
    n = 100_000 if quick else 1_000_000
    settings = load_settings(None, {})
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        clock = SimulatedClock(DEFAULT_SIM_START_NS)
        engine = build_sim_engine(settings, clock=clock, wal_dir=Path(tmp) / "wal", paced=False)
        engine.begin_session()
        rss_after_first_tenth = 0.0

        def after_chunk(done: int) -> None:
            nonlocal rss_after_first_tenth
            if not rss_after_first_tenth and done >= n // 10:
                rss_after_first_tenth = current_rss_mb()

        busy_s, cpu_s, chunk_rates = drive(engine, n, after_chunk=after_chunk)
        engine.wal.sync()
        core = engine.core
        figures = {
            **rate_figures("pipeline", n, busy_s, cpu_s, chunk_rates),
            "pipeline_signals": float(core.strategies.signals),
            "pipeline_orders": float(core.counters.orders),
            "pipeline_fills": float(core.counters.fills),
            "pipeline_wal_records": float(engine.wal.last_seq),
            "pipeline_rss_growth_pct": (current_rss_mb() / rss_after_first_tenth - 1.0) * 100.0,
            "pipeline_peak_rss_mb": peak_rss_mb(),
        }
        engine.wal.close_sync()
    return figures


if __name__ == "__main__":
    print(build_line())
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:40s} {value:16,.3f}")
