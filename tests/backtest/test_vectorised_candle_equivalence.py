"""The vectorised candle path against the event path, on seeded candles where the DRB guard's
view of the skipped bars does not change a decision (the documented deviation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hft_tui.backtest.report import report_json
from hft_tui.backtest.runner import DataSpec, Window, run_backtest
from hft_tui.backtest.vectorised_candles import VECTORISED_CLOCK, fast_path_blocker
from hft_tui.config.loader import load_settings
from hft_tui.data.candle_store import CandleArrays, CandleStore, write_candle_file
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.wal.reader import iter_records

START_MS = 1_735_689_600_000  # 2025-01-01T00:00Z
MIN_MS = 60_000
N = 4_000
CANDLE_ONLY = {"strategies.enabled": ["trend", "cvd"], "strategies.cvd.bar_mode": "candles"}


def _write(root: Path, symbol: str, seed: int, start_price: float) -> None:
    rng = np.random.Generator(np.random.PCG64(seed))
    close = start_price * np.exp(np.cumsum(rng.normal(0.0, 6e-4, N) + 5e-4 * np.sin(np.arange(N) / 120.0)))
    open_ = np.concatenate(([start_price], close[:-1]))
    wiggle = np.abs(rng.normal(0.0, 3e-4, N)) * close
    bars = CandleArrays(START_MS + np.arange(N, dtype=np.int64) * MIN_MS, np.round(open_, 1),
                        np.round(np.maximum(open_, close) + wiggle, 1), np.round(np.minimum(open_, close) - wiggle, 1),
                        np.round(close, 1), np.round(rng.gamma(2.0, 5.0, N), 3))
    store = CandleStore(root)
    write_candle_file(store.path("sim", symbol, "1m"), bars)
    store.write_rules("sim", SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=START_MS * 1_000_000).rules(symbol))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("candles")
    _write(root, "BTC/USDT", 1, 65_000.0)
    _write(root, "ETH/USDT", 2, 3_300.0)
    return root


def _journal(wal_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """What the engine decided and did: signals, orders, fills, closed trades (not risk records)."""
    kept = {"signal", "order", "order_update", "fill", "exit_rules", "trade_closed", "order_rejected"}
    return [(r.type, r.payload) for r in iter_records(wal_dir) if r.type in kept]


def _both(data_dir: Path, tmp_path: Path, symbols: tuple[str, ...], overrides: dict[str, Any]):
    settings = load_settings(None, {"engine.symbols": list(symbols), **CANDLE_ONLY, **overrides})
    spec = DataSpec("candles", data_dir=data_dir, exchange="sim", symbols=symbols, timeframe="1m")
    window = Window("full", START_MS * 1_000_000, (START_MS + N * MIN_MS) * 1_000_000)
    events = run_backtest(settings, spec, window, wal_dir=tmp_path / "events")
    fast = run_backtest(settings, spec, window, wal_dir=tmp_path / "fast", vectorised=True)
    return events, fast


@pytest.mark.parametrize("overrides", [
    {},
    {"exits.trailing_stop_bps": 15.0, "exits.max_hold_s": 600.0, "strategies.trend.cooldown_s": 0.0},
    {"execution.latency_ms": 250.0, "strategies.cvd.cooldown_s": 0.0},
], ids=["defaults", "trailing-and-time-stops", "latency"])
def test_fast_path_trades_curve_report_and_decisions_equal_the_event_path(
        data_dir: Path, tmp_path: Path, overrides: dict[str, Any]) -> None:
    events, fast = _both(data_dir, tmp_path, ("BTC/USDT",), overrides)
    assert len(events.trades) >= 10
    assert fast.trades == events.trades
    assert np.array_equal(fast.curve.ts_ns, events.curve.ts_ns)
    assert np.array_equal(fast.curve.equity, events.curve.equity)
    assert np.array_equal(fast.curve.exposed, events.curve.exposed)
    assert fast.report.assumptions.clock == VECTORISED_CLOCK
    clock = events.report.assumptions.clock.encode()
    assert report_json(fast.report).replace(VECTORISED_CLOCK.encode(), clock) == report_json(events.report)
    assert _journal(tmp_path / "fast") == _journal(tmp_path / "events")


def test_exit_reasons_of_every_kind_are_exercised_by_the_exit_variant(data_dir: Path, tmp_path: Path) -> None:
    _, fast = _both(data_dir, tmp_path, ("BTC/USDT",),
                    {"exits.trailing_stop_bps": 15.0, "exits.max_hold_s": 600.0, "strategies.trend.cooldown_s": 0.0})
    assert {t.exit_reason.value for t in fast.trades if t.exit_reason} >= {
        "TAKE_PROFIT", "STOP_LOSS", "TRAILING_STOP", "TIME_STOP"}


def test_two_symbols_run_in_time_order_and_sample_equity_at_every_bar_time(data_dir: Path, tmp_path: Path) -> None:
    events, fast = _both(data_dir, tmp_path, ("BTC/USDT", "ETH/USDT"), {})
    assert fast.report.events == events.report.events == 2 * N
    assert np.array_equal(fast.curve.ts_ns, events.curve.ts_ns)
    assert {t.symbol for t in fast.trades} == {"BTC/USDT", "ETH/USDT"}
    # Entries come from the same signals; only sizing may differ (other symbols' marks, DRB).
    assert [(t.symbol, t.side, t.entry_ts_ns) for t in fast.trades][:10] == \
        [(t.symbol, t.side, t.entry_ts_ns) for t in events.trades][:10]


def test_only_candle_strategies_can_take_the_fast_path() -> None:
    assert fast_path_blocker(load_settings(None, CANDLE_ONLY)) is None
    assert fast_path_blocker(load_settings(None, {"strategies.enabled": ["trend"]})) is None
    assert "bar_mode" in fast_path_blocker(load_settings(None, {"strategies.enabled": ["trend", "cvd"]}))
    assert "vpin reads order books" in fast_path_blocker(load_settings(None, {"strategies.enabled": ["trend", "vpin"]}))


def test_the_fast_path_refuses_a_strategy_set_it_cannot_mirror(data_dir: Path) -> None:
    settings = load_settings(None, {"engine.symbols": ["BTC/USDT"], "strategies.enabled": ["trend", "spike_fader"]})
    spec = DataSpec("candles", data_dir=data_dir, exchange="sim", symbols=("BTC/USDT",), timeframe="1m")
    with pytest.raises(ValueError, match="spike_fader"):
        run_backtest(settings, spec, Window("full", START_MS * 1_000_000, (START_MS + N * MIN_MS) * 1_000_000),
                     vectorised=True)
