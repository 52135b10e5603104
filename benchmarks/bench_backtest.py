"""Backtest throughput with the default strategy set, on a simulated clock.

- ``candles_per_s``: 1,000,000 one-minute candles of one symbol (a seeded geometric random
  walk written to a candle file, ~694 days) through the full trading core.
- ``replay_events_per_s``: 1,000,000 book + trade events of a recorded sim session
  (BTC/USDT and ETH/USDT, 20 levels a side) read back and run through the core.
- ``recording_read_events_per_s``: the same session read back alone (the replay's share).

``--quick`` uses 100,000 of each. Peak RSS is measured by ``python -m benchmarks``; run
standalone (``python -m benchmarks.bench_backtest``) it is printed too; the session is
recorded in a child process so the peak is the backtests' own.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from hft_tui.backtest.runner import DataSpec, Window, run_backtest
from hft_tui.config.loader import load_settings
from hft_tui.data.candle_store import CandleArrays, CandleStore, write_candle_file
from hft_tui.data.capture import DEFAULT_SIM_START_NS, record_simulation
from hft_tui.data.recording import RecordedSession
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket

_MIN_MS = 60_000
# Default sim rates: 2 symbols x (20 books + 3 trades) per second, plus liquidation prints.
_SIM_EVENTS_PER_S = 46.2


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


def _record(out: Path, duration_s: float) -> None:
    record_simulation(load_settings(None, {}), out, duration_s)


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

        # Recorded in a child process: the recorder's buffers must not count in this one's peak RSS.
        recorder = multiprocessing.get_context("spawn").Process(
            target=_record, args=(root / "session", n / _SIM_EVENTS_PER_S))
        recorder.start()
        recorder.join()
        session = RecordedSession(root / "session")
        started = time.perf_counter()
        count = sum(1 for _ in session.events())
        figures["recording_read_events_per_s"] = count / (time.perf_counter() - started)
        spec = DataSpec("recording", path=root / "session", exchange="sim")
        run_ = run_backtest(settings, spec, Window("bench", session.meta.start_ts_ns, session.meta.end_ts_ns + 1))
        figures["replay_events"] = float(run_.report.events)
        figures["replay_events_per_s"] = run_.events_per_s
        figures["replay_trades"] = float(run_.report.trades.trades)
    return figures


if __name__ == "__main__":
    results = run(quick="--quick" in sys.argv)
    for name, value in results.items():
        print(f"{name:32s} {value:14,.0f}")
    print(f"{'peak_rss_mb':32s} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:14,.0f}")
