"""The CVD detector in ``bar_mode="candles"`` over a whole candle series at once.

``cvd_columns`` gives, for one symbol's candles of the detector's timeframe, the bar CVD
and the averages ``CvdDetector.on_candle`` keeps after each bar, and exactly the signals it
emits: exhaustion, divergences between consecutive swings, the per-side cooldown, and the
detector's quirks (a bar that is both a swing high and a swing low keeps only the low's
outcome, yet the high's signal still starts its side's cooldown). Averages come from
``indicator_columns``; confidences and signals from the detector's own ``cvd_confidence``
and ``cvd_signal``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import ReasonCode, Side, Signal
from hft_tui.strategies.cvd import cvd_confidence, cvd_signal
from hft_tui.strategies.cvd_params import CvdParams
from hft_tui.strategies.indicator_columns import rolling_mean_column

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)


@dataclass(frozen=True, slots=True)
class CvdColumns:
    """After each bar ``i``: the bar CVD, the average bar volume and range (after the bar
    joined them), whether the bar completed a swing high/low (its middle bar, ``i - k``, is
    one); ``signal_bars[j]`` is the bar that emitted ``signals[j]``."""

    bar_cvd: np.ndarray
    volume_avg: np.ndarray
    range_avg: np.ndarray
    swing_high: np.ndarray
    swing_low: np.ndarray
    signal_bars: np.ndarray
    signals: tuple[Signal, ...]


def cvd_columns(p: CvdParams, symbol: str, open_ts_ns: np.ndarray, high: np.ndarray, low: np.ndarray,
                close: np.ndarray, volume: np.ndarray, buy_volume: np.ndarray | None = None) -> CvdColumns:
    """The detector's readings and signals over one symbol's candles, in time order.

    ``buy_volume`` is the candles' aggressor-buy volume (None or 0: unknown); where it is
    unknown the close-location-value estimate stands in, as the core estimates it for file
    candles (``Candle.estimated_buy_volume``).
    """
    if p.bar_mode != "candles":
        raise ValueError("cvd_columns mirrors bar_mode='candles' only")
    high = np.asarray(high, dtype=np.float64)
    low = np.asarray(low, dtype=np.float64)
    close = np.asarray(close, dtype=np.float64)
    volume = np.asarray(volume, dtype=np.float64)
    n = len(close)
    buys = _aggressor_buy_volume(high, low, close, volume,
                                 np.zeros(n) if buy_volume is None else np.asarray(buy_volume, dtype=np.float64))
    delta = 2.0 * buys - volume
    bar_cvd = np.add.accumulate(np.concatenate(([0.0], delta)))[1:]
    volume_avg = rolling_mean_column(volume, p.volume_avg_bars)
    range_avg = rolling_mean_column(high - low, p.volume_avg_bars)

    # Exhaustion compares bar i with the averages and extremes of the bars before it.
    avg_before = np.full(n, np.nan)
    avg_before[1:] = volume_avg[:-1]
    range_before = np.full(n, np.nan)
    range_before[1:] = range_avg[:-1]
    lookback = p.extreme_lookback_bars
    high_before = _prior_extreme(high, lookback, np.max, -np.inf)
    low_before = _prior_extreme(low, lookback, np.min, np.inf)
    with np.errstate(invalid="ignore"):
        spike = (np.arange(n) >= p.volume_avg_bars) & (avg_before > 0.0) & (
            volume >= p.exhaustion_volume_mult * avg_before)
    buy_exhaustion = spike & (delta > 0.0) & (high >= high_before)
    sell_exhaustion = spike & (delta < 0.0) & (low <= low_before)

    swing_high, swing_low = _swings(high, low, p.swing_strength)
    bear = _divergences(swing_high, high, bar_cvd, volume_avg, p, bearish=True)
    bull = _divergences(swing_low, low, bar_cvd, volume_avg, p, bearish=False)

    bars, signals = _emit(p, symbol, np.asarray(open_ts_ns, dtype=np.int64), high, low, close, volume,
                          avg_before, range_before, range_avg, buy_exhaustion, sell_exhaustion, bear, bull)
    return CvdColumns(bar_cvd, volume_avg, range_avg, swing_high, swing_low, bars, signals)


def _prior_extreme(values: np.ndarray, lookback: int, reduce: object, pad: float) -> np.ndarray:
    """The extreme of the ``lookback`` bars before each bar (fewer at the start; ``pad`` for none)."""
    padded = np.concatenate((np.full(lookback, pad), values[:-1])) if len(values) else values
    if not len(values):
        return values.copy()
    return reduce(sliding_window_view(padded, lookback), axis=1)  # type: ignore[operator]


def _swings(high: np.ndarray, low: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Bar i completes a swing high (low) when bar ``i - k`` beats the ``k`` bars before it
    strictly and the ``k`` after it or ties them."""
    n = len(high)
    is_high = np.zeros(n, dtype=bool)
    is_low = np.zeros(n, dtype=bool)
    if n <= 2 * k:
        return is_high, is_low
    mid_high = high[k:n - k]
    mid_low = low[k:n - k]
    up = np.ones(n - 2 * k, dtype=bool)
    down = np.ones(n - 2 * k, dtype=bool)
    for j in range(k):  # the bars before the middle one
        up &= high[j:n - 2 * k + j] < mid_high
        down &= low[j:n - 2 * k + j] > mid_low
    for j in range(k + 1, 2 * k + 1):  # the bars after it
        up &= high[j:n - 2 * k + j] <= mid_high
        down &= low[j:n - 2 * k + j] >= mid_low
    is_high[2 * k:] = up
    is_low[2 * k:] = down
    return is_high, is_low


@dataclass(frozen=True, slots=True)
class _Divergences:
    """Per bar completing a swing: whether it diverges from the previous swing, and how much."""

    fires: np.ndarray
    strength: np.ndarray


def _divergences(swing: np.ndarray, extreme: np.ndarray, bar_cvd: np.ndarray, volume_avg: np.ndarray,
                 p: CvdParams, *, bearish: bool) -> _Divergences:
    """Each swing against the previous one of its kind: a higher high on a lower CVD (bearish),
    or a lower low on a higher CVD (bullish), within ``lookback_bars``."""
    n = len(swing)
    k = p.swing_strength
    fires = np.zeros(n, dtype=bool)
    strength = np.zeros(n)
    at = np.flatnonzero(swing)
    if len(at) < 2:
        return _Divergences(fires, strength)
    bar = at[1:]
    mid = bar - k
    prev = at[:-1] - k
    price_diff = p.min_price_diff_bps * 1e-4
    gap_min = p.min_cvd_diff_bars * volume_avg[bar]
    if bearish:
        beyond = extreme[mid] > extreme[prev] * (1.0 + price_diff)
        gap = bar_cvd[prev] - bar_cvd[mid]
        against = bar_cvd[prev] > bar_cvd[mid]
    else:
        beyond = extreme[mid] < extreme[prev] * (1.0 - price_diff)
        gap = bar_cvd[mid] - bar_cvd[prev]
        against = bar_cvd[mid] > bar_cvd[prev]
    ok = (mid - prev <= p.lookback_bars) & beyond & (gap >= gap_min) & against
    fires[bar] = ok
    strength[bar] = gap / np.maximum(volume_avg[bar], 1e-12)
    return _Divergences(fires, strength)


def _emit(p: CvdParams, symbol: str, open_ts_ns: np.ndarray, high: np.ndarray, low: np.ndarray,
          close: np.ndarray, volume: np.ndarray, avg_before: np.ndarray, range_before: np.ndarray,
          range_avg: np.ndarray, buy_exhaustion: np.ndarray, sell_exhaustion: np.ndarray, bear: _Divergences,
          bull: _Divergences) -> tuple[np.ndarray, tuple[Signal, ...]]:
    """The detector's per-bar sequence over the candidate bars: exhaustion, then the swing
    high's divergence, then the swing low's (which replaces it), each through the cooldown."""
    tf_ns = parse_timeframe(p.timeframe)
    cooldown_ns = p.cooldown_s * _NS_PER_S
    k = p.swing_strength
    mult = p.exhaustion_volume_mult
    last = {Side.BUY: _NEVER, Side.SELL: _NEVER}
    bars: list[int] = []
    signals: list[Signal] = []

    def cooled(side: Side, ts_ns: int) -> bool:
        if ts_ns - last[side] < cooldown_ns:
            return False
        last[side] = ts_ns
        return True

    candidates = np.flatnonzero(buy_exhaustion | sell_exhaustion | bear.fires | bull.fires)
    for i in candidates.tolist():
        ts_ns = int(open_ts_ns[i]) + tf_ns
        bar_close = float(close[i])
        if buy_exhaustion[i] or sell_exhaustion[i]:
            if buy_exhaustion[i]:
                side, reason, extreme = Side.SELL, ReasonCode.CVD_BUY_EXHAUSTION, float(high[i])
            else:
                side, reason, extreme = Side.BUY, ReasonCode.CVD_SELL_EXHAUSTION, float(low[i])
            avg = float(avg_before[i])
            excess = (float(volume[i]) / avg - mult) / mult
            if cooled(side, ts_ns):
                bars.append(i)
                signals.append(cvd_signal(p, symbol, side, reason, ts_ns, bar_close, extreme,
                                          float(range_before[i]), cvd_confidence(p, excess)))
        divergence: Signal | None = None
        if bear.fires[i] and cooled(Side.SELL, ts_ns):
            divergence = cvd_signal(p, symbol, Side.SELL, ReasonCode.CVD_BEAR_DIV, ts_ns, bar_close,
                                    float(high[i - k]), float(range_avg[i]),
                                    cvd_confidence(p, float(bear.strength[i]) / 4.0))
        if bull.fires[i]:
            divergence = None
            if cooled(Side.BUY, ts_ns):
                divergence = cvd_signal(p, symbol, Side.BUY, ReasonCode.CVD_BULL_DIV, ts_ns, bar_close,
                                        float(low[i - k]), float(range_avg[i]),
                                        cvd_confidence(p, float(bull.strength[i]) / 4.0))
        if divergence is not None:
            bars.append(i)
            signals.append(divergence)
    return np.asarray(bars, dtype=np.int64), tuple(signals)


def _aggressor_buy_volume(high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray,
                          given: np.ndarray) -> np.ndarray:
    """``given`` where positive, else ``Candle.estimated_buy_volume`` in column form (the same
    operations in the same order, so the values are bit-identical)."""
    spread = high - low
    share = np.full(len(close), 0.5)
    np.divide(close - low, spread, out=share, where=spread > 0.0)
    return np.where(given > 0.0, given, volume * share)
