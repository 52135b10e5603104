import numpy as np
import pytest

from hft_tui.model import Candle
from hft_tui.strategies.trend_columns import trend_columns
from hft_tui.strategies.trend_filter import NOT_READY, REGIMES, SCALAR_OPS, TREND_STATES, TrendFilter, classify
from hft_tui.strategies.trend_params import TrendParams

M = 60_000_000_000
SYMBOL = "BTC/USDT"
SMALL = TrendParams(fast_period=5, slow_period=20, slope_bars=3, vol_window=5, vol_avg_window=30, atr_period=5,
                    cooldown_s=0.0)


def _bars(n: int, seed: int, drift: float = 0.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Trending stretches so strong states come and go.
    close = 65_000.0 * np.exp(np.cumsum(rng.normal(drift, 8e-4, n) + 6e-4 * np.sin(np.arange(n) / 150.0)))
    wiggle = np.abs(rng.normal(0.0, 4e-4, n)) * close
    return {"open_ts_ns": np.arange(n, dtype=np.int64) * M, "high": np.round(close + wiggle, 1),
            "low": np.round(close - wiggle, 1), "close": np.round(close, 1)}


def _incremental(params: TrendParams, bars: dict[str, np.ndarray]) -> tuple[list, list]:
    trend = TrendFilter(params)
    views, signals = [], []
    for i, (ts, high, low, close) in enumerate(zip(bars["open_ts_ns"].tolist(), bars["high"].tolist(),
                                                   bars["low"].tolist(), bars["close"].tolist(), strict=True)):
        signals.extend((i, s) for s in trend.on_candle(Candle(SYMBOL, params.timeframe, ts, close, high, low,
                                                               close, 1.0)))
        views.append(trend.view(SYMBOL))
    return views, signals


@pytest.mark.parametrize("params", [TrendParams(), SMALL, SMALL.model_copy(update={"cooldown_s": 1800.0})],
                         ids=["default", "small", "small-cooldown"])
def test_every_bar_reading_and_every_signal_equal_the_incremental_filter(params: TrendParams) -> None:
    bars = _bars(4_000, seed=5)
    columns = trend_columns(params, SYMBOL, **bars)
    views, signals = _incremental(params, bars)
    assert [columns.view(i) for i in range(len(views))] == views
    assert columns.signal_bars.tolist() == [i for i, _ in signals]
    assert list(columns.signals) == [s for _, s in signals]
    assert len(signals) > 5 and {s.side for _, s in signals} == {signals[0][1].side, signals[0][1].side.opposite}


def test_bars_without_a_positive_close_are_skipped_as_the_filter_skips_them() -> None:
    bars = _bars(600, seed=9)
    bars["close"][[0, 40, 41, 300]] = [0.0, np.nan, -1.0, 0.0]
    columns = trend_columns(SMALL, SYMBOL, **bars)
    views, signals = _incremental(SMALL, bars)
    assert [columns.view(i) for i in range(len(views))] == views
    assert list(columns.signals) == [s for _, s in signals]


def test_a_series_shorter_than_the_warm_up_is_never_ready() -> None:
    columns = trend_columns(TrendParams(), SYMBOL, **_bars(150, seed=1))
    assert all(columns.view(i) is NOT_READY for i in range(150)) and not columns.signals


def test_the_shared_classifier_reads_floats_and_columns_alike_including_exact_thresholds() -> None:
    p = TrendParams()
    levels = [0.0, p.weak_spread_bps, p.strong_spread_bps, 2 * p.strong_spread_bps, 1e-9]
    spreads = np.array([s * sign for s in levels for sign in (1.0, -1.0)] + [3.3, -17.0, 45.0])
    slopes = np.array([0.0, p.strong_slope_bps, -p.strong_slope_bps, 0.5, 2.5, -3.0])
    ratios = np.array([0.5, p.volatile_ratio, 3.0])
    grid = np.array(np.meshgrid(spreads, slopes, ratios)).reshape(3, -1)
    states, regimes, confidences = classify(p, grid[0], grid[1], grid[2], np)
    for k in range(grid.shape[1]):
        state, regime, confidence = classify(p, float(grid[0, k]), float(grid[1, k]), float(grid[2, k]), SCALAR_OPS)
        assert (TREND_STATES[state], REGIMES[regime], confidence) == (
            TREND_STATES[int(states[k])], REGIMES[int(regimes[k])], float(confidences[k]))
