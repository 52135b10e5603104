"""The trend filter over a whole candle series at once: every bar's reading and its signals.

``trend_columns`` gives, for each candle of one symbol's series, exactly the ``TrendView``
that ``TrendFilter.on_candle`` leaves after that candle, the ATR it would use, and exactly
the strong-state signals it emits (cooldown included). The averages come from
``indicator_columns`` (bit-exact replicas of the incremental indicators), the states,
regimes and confidences from the filter's own ``classify``, and the signals from its own
``strong_trend_signal``; only the bookkeeping between them is written here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import Side, Signal
from hft_tui.strategies.indicator_columns import rolling_mean_column, rolling_std_column
from hft_tui.strategies.trend_filter import (
    NOT_READY,
    REGIMES,
    TREND_STATES,
    TrendState,
    TrendView,
    classify,
    strong_trend_signal,
)
from hft_tui.strategies.trend_params import TrendParams

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)
_STRONG_UP = TREND_STATES.index(TrendState.STRONG_UP)
_STRONG_DOWN = TREND_STATES.index(TrendState.STRONG_DOWN)


@dataclass(frozen=True, slots=True)
class TrendColumns:
    """The filter's reading after each bar (index ``i`` = the series' ``i``-th candle).

    ``state``/``regime`` are codes into ``TREND_STATES``/``REGIMES``; where ``ready`` is False
    the reading is ``NOT_READY`` and the other columns are not meaningful. ``signal_bars[k]``
    is the bar that emitted ``signals[k]``.
    """

    ready: np.ndarray
    state: np.ndarray
    regime: np.ndarray
    confidence: np.ndarray
    fast_ma: np.ndarray
    slow_ma: np.ndarray
    spread_bps: np.ndarray
    slope_bps: np.ndarray
    vol_ratio: np.ndarray
    atr: np.ndarray
    signal_bars: np.ndarray
    signals: tuple[Signal, ...]

    def __len__(self) -> int:
        return len(self.ready)

    def view(self, i: int) -> TrendView:
        """The ``TrendView`` the filter holds after bar ``i``."""
        if not self.ready[i]:
            return NOT_READY
        return TrendView(
            TREND_STATES[int(self.state[i])], REGIMES[int(self.regime[i])], float(self.confidence[i]), True,
            float(self.fast_ma[i]), float(self.slow_ma[i]), float(self.spread_bps[i]), float(self.slope_bps[i]),
            float(self.vol_ratio[i]),
        )


def trend_columns(p: TrendParams, symbol: str, open_ts_ns: np.ndarray, high: np.ndarray, low: np.ndarray,
                  close: np.ndarray) -> TrendColumns:
    """The filter's readings and signals over one symbol's candles of ``p.timeframe``, in time order.

    Bars whose close is not positive are skipped as the filter skips them (the reading stays).
    """
    close = np.asarray(close, dtype=np.float64)
    valid = close > 0.0
    if valid.all():
        return _columns(p, symbol, np.asarray(open_ts_ns, dtype=np.int64), np.asarray(high, dtype=np.float64),
                        np.asarray(low, dtype=np.float64), close)
    kept = np.flatnonzero(valid)
    n = len(close)
    if not len(kept):
        nan = np.full(n, np.nan)
        codes = np.zeros(n, dtype=np.int8)
        return TrendColumns(np.zeros(n, dtype=bool), codes, codes, nan, nan, nan, nan, nan, nan, nan,
                            np.empty(0, dtype=np.int64), ())
    inner = _columns(p, symbol, np.asarray(open_ts_ns, dtype=np.int64)[kept],
                     np.asarray(high, dtype=np.float64)[kept], np.asarray(low, dtype=np.float64)[kept], close[kept])
    # Each bar shows the reading of the last kept bar at or before it; before the first, none.
    source = np.cumsum(valid) - 1
    at = np.maximum(source, 0)
    ready = inner.ready[at] & (source >= 0)
    return TrendColumns(ready, inner.state[at], inner.regime[at], inner.confidence[at], inner.fast_ma[at],
                        inner.slow_ma[at], inner.spread_bps[at], inner.slope_bps[at], inner.vol_ratio[at],
                        inner.atr[at], kept[inner.signal_bars], inner.signals)


def _columns(p: TrendParams, symbol: str, open_ts_ns: np.ndarray, high: np.ndarray, low: np.ndarray,
             close: np.ndarray) -> TrendColumns:
    n = len(close)
    prev_close = np.empty(n)
    prev_close[1:] = close[:-1]
    true_range = np.empty(n)
    if n:
        true_range[0] = high[0] - low[0]
        true_range[1:] = np.maximum(high[1:], prev_close[1:]) - np.minimum(low[1:], prev_close[1:])
    atr = rolling_mean_column(true_range, p.atr_period)
    fast = rolling_mean_column(close, p.fast_period)
    slow = rolling_mean_column(close, p.slow_period)
    # math.log, not np.log: numpy's vectorised log may differ from the C library's in the last bit.
    log_returns = np.fromiter(map(math.log, (close[1:] / close[:-1]).tolist()), dtype=np.float64,
                              count=max(n - 1, 0))
    realised = np.full(n, np.nan)
    if n > 1:
        realised[1:] = rolling_std_column(log_returns, p.vol_window)
    vol_avg = np.full(n, np.nan)
    if n > 2:
        vol_avg[2:] = rolling_mean_column(realised[2:], p.vol_avg_window)

    k = p.slope_bars
    ready = np.arange(n) >= max(p.slow_period - 1, p.fast_period - 1 + k)
    fast_then = np.full(n, np.nan)
    fast_then[k:] = fast[:-k] if n > k else fast_then[k:]
    with np.errstate(invalid="ignore", divide="ignore"):
        spread_bps = (fast - slow) / slow * 1e4
        slope_bps = (fast - fast_then) / fast_then * 1e4 / k
        vol_ratio = np.where(vol_avg > 0.0, realised / vol_avg, 1.0)
        state, regime, confidence = classify(p, spread_bps, slope_bps, vol_ratio, np)
    state = np.asarray(state, dtype=np.int8)
    regime = np.asarray(regime, dtype=np.int8)
    confidence = np.asarray(confidence, dtype=np.float64)

    columns = TrendColumns(ready, state, regime, confidence, fast, slow, spread_bps, slope_bps, vol_ratio, atr,
                           np.empty(0, dtype=np.int64), ())
    bars, signals = _signals(p, symbol, columns, open_ts_ns, close)
    return TrendColumns(ready, state, regime, confidence, fast, slow, spread_bps, slope_bps, vol_ratio, atr,
                        bars, signals)


def _signals(p: TrendParams, symbol: str, columns: TrendColumns, open_ts_ns: np.ndarray,
             close: np.ndarray) -> tuple[np.ndarray, tuple[Signal, ...]]:
    """Entries into a strong state (from any other reading), then the per-side cooldown."""
    strong = np.where(columns.ready & (columns.state == _STRONG_UP), 1,
                      np.where(columns.ready & (columns.state == _STRONG_DOWN), -1, 0))
    before = np.zeros_like(strong)
    before[1:] = strong[:-1]
    entering = np.flatnonzero((strong != 0) & (strong != before))
    tf_ns = parse_timeframe(p.timeframe)
    cooldown_ns = p.cooldown_s * _NS_PER_S
    last = {Side.BUY: _NEVER, Side.SELL: _NEVER}
    bars: list[int] = []
    signals: list[Signal] = []
    for i, direction, open_ns in zip(entering.tolist(), strong[entering].tolist(), open_ts_ns[entering].tolist(),
                                     strict=True):
        side = Side.BUY if direction > 0 else Side.SELL
        ts_ns = open_ns + tf_ns
        if ts_ns - last[side] < cooldown_ns:
            continue
        last[side] = ts_ns
        bars.append(i)
        signals.append(strong_trend_signal(p, symbol, side, columns.view(i), float(columns.atr[i]),
                                           float(close[i]), ts_ns))
    return np.asarray(bars, dtype=np.int64), tuple(signals)
