"""Backtest throughput with the default strategy set, on a simulated clock.

- ``candles_per_s``: 1,000,000 one-minute candles of one symbol (a seeded geometric random
  walk written to a candle file, ~694 days) through the full trading core.
- ``candles_fast_per_s``: the same candles on the vectorised candle path (``backtest
  --vectorised``) with the candle strategies (trend, cvd on candle bars);
  ``candles_fast_trend_per_s`` with the trend filter alone.
- ``replay_events_per_s``: 1,000,000 book + trade events of a recorded sim session
  (BTC/USDT and ETH/USDT, 20 levels a side) read back and run through the core.
- ``recording_read_events_per_s``: the same session read back alone (the replay's share).
- ``replay_cpu_us_per_event``: the replay's CPU time per event (what a shared box skews less).
- ``deltas_*``: the same for 1,000,000 events of a sim session recorded in the diff-depth mode
  (``sim.book_updates = "deltas"``), whose books replay with their changes.
- ``replay_peak_rss_mb``: peak RSS of the replay alone (read back and backtest), which runs
  in its own process, so the candle runs before it do not count.

``--quick`` uses 100,000 of each. Peak RSS is measured by ``python -m benchmarks``; run
standalone (``python -m benchmarks.bench_backtest``) it is printed too; the session is
recorded in a child process so the peak is the backtests' own.
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.arguments import quick_option
from hft_tui.backtest.runner import DataSpec, Window, run_backtest
from hft_tui.config.loader import load_settings
from hft_tui.data.candle_store import CandleArrays, CandleStore, write_candle_file
from hft_tui.data.capture import DEFAULT_SIM_START_NS, record_simulation
from hft_tui.data.recording import RecordedSession
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket

_MIN_MS = 60_000
# Default sim rates: 2 symbols x (20 books + 3 trades) per second, plus liquidation prints.
_SIM_EVENTS_PER_S = 46.2
# The same market in the diff-depth mode: each sim book goes out as several diff updates.
_SIM_DELTA_EVENTS_PER_S = 222.0


def _write_candles(root: Path, n: int) -> None:
    rng = np.random.Generator(np.random.PCG64(1))
    log_ret = rng.normal(0.0, 6e-4, n)
    close = 65_000.0 * np.exp(np.cumsum(log_ret))
    open_ = np.concatenate(([65_000.0], close[:-1]))
    wiggle = np.abs(rng.normal(0.0, 3e-4, n)) * close
    ts = DEFAULT_SIM_START_NS // 1_000_000 + np.arange(n, dtype=np.int64) * _MIN_MS
    bars = CandleArrays(ts, np.round(open_, 1), np.round(np.maximum(open_, close) + wiggle, 1),
                        np.round(np.minimum(open_, close) - wiggle, 1), np.round(close, 1),
                        np.round(rng.gamma(2.0, 5.0, n), 3))
    store = CandleStore(root)
    write_candle_file(store.path("sim", "BTC/USDT", "1m"), bars)
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=DEFAULT_SIM_START_NS)
    store.write_rules("sim", market.rules("BTC/USDT"))


def _record(out: Path, duration_s: float, overrides: dict[str, str]) -> None:
    record_simulation(load_settings(None, overrides), out, duration_s)


def _replay(directory: Path) -> dict[str, float]:
    """Read the recorded session back, then backtest it; run in a fresh process for its own peak RSS."""
    session = RecordedSession(directory)
    started = time.perf_counter()
    count = sum(1 for _ in session.events())
    figures = {"recording_read_events_per_s": count / (time.perf_counter() - started)}
    spec = DataSpec("recording", path=directory, exchange="sim")
    started_cpu = time.process_time()
    run_ = run_backtest(load_settings(None, {}), spec,
                        Window("bench", session.meta.start_ts_ns, session.meta.end_ts_ns + 1))
    figures["replay_cpu_us_per_event"] = 1e6 * (time.process_time() - started_cpu) / run_.report.events
    figures["replay_events"] = float(run_.report.events)
    figures["replay_events_per_s"] = run_.events_per_s
    figures["replay_trades"] = float(run_.report.trades.trades)
    figures["replay_peak_rss_mb"] = _peak_rss_since_exec_mb()
    return figures


def _peak_rss_since_exec_mb() -> float:
    """This process's own peak RSS: ru_maxrss would carry over the parent's peak from fork."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run(quick: bool = False) -> dict[str, float]:
    """Throughput figures (events per wall-clock second)."""
    n = 100_000 if quick else 1_000_000
    settings = load_settings(None, {})
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_candles(root, n)
        spec = DataSpec("candles", data_dir=root, exchange="sim", symbols=("BTC/USDT",), timeframe="1m")
        end = DEFAULT_SIM_START_NS + n * _MIN_MS * 1_000_000
        run_ = run_backtest(settings.model_copy(update={"engine": settings.engine.model_copy(
            update={"symbols": ["BTC/USDT"]})}), spec, Window("bench", DEFAULT_SIM_START_NS, end))
        figures["candles"] = float(run_.report.events)
        figures["candles_per_s"] = run_.events_per_s
        figures["candle_trades"] = float(run_.report.trades.trades)
        # The same candles on the vectorised candle path (``--vectorised``): the candle strategies
        # (trend, and cvd on candle bars) over whole columns, the core only at signal/exit bars.
        window = Window("bench", DEFAULT_SIM_START_NS, end)
        for label, enabled in (("candles_fast", ["trend", "cvd"]), ("candles_fast_trend", ["trend"])):
            fast_settings = load_settings(None, {"engine.symbols": ["BTC/USDT"], "strategies.enabled": enabled,
                                                 "strategies.cvd.bar_mode": "candles"})
            fast = run_backtest(fast_settings, spec, window, vectorised=True)
            figures[f"{label}_per_s"] = fast.events_per_s
            figures[f"{label}_trades"] = float(fast.report.trades.trades)

        for prefix, overrides, events_per_s in (("", {}, _SIM_EVENTS_PER_S),
                                                ("deltas_", {"sim.book_updates": "deltas"}, _SIM_DELTA_EVENTS_PER_S)):
            # Recorded in a child process: the recorder's buffers must not count in this one's peak RSS.
            session = root / f"session-{prefix}"
            recorder = multiprocessing.get_context("spawn").Process(
                target=_record, args=(session, n / events_per_s, overrides))
            recorder.start()
            recorder.join()
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as replayer:
                replayed = replayer.submit(_replay, session).result()
            figures.update({f"{prefix}{key}": value for key, value in replayed.items()})
    return figures


if __name__ == "__main__":
    results = run(quick=quick_option(__file__))
    for name, value in results.items():
        print(f"{name:32s} {value:14,.0f}")
    print(f"{'peak_rss_mb':32s} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:14,.0f}")
