"""Stand-ins for the candle strategies in the vectorised candle backtest.

The strategies' column forms (``trend_columns``, ``cvd_columns``) compute every bar's
readings and signals up front; the backtest runs these in the strategies' place (the strategy
host's ``replace``, as a reload swaps code), and on the candle of a bar each returns exactly the
signals computed for it, so they enter the signal manager at the same point, in the same order,
as the strategy's own would. The trend filter's stand-in is a ``TrendFilter`` that takes the
bar's reading from the columns: the gate it offers reads what the filter's own would hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from hft_tui.model import Candle, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.strategies.cvd_params import CvdParams
from hft_tui.strategies.trend_columns import TrendColumns
from hft_tui.strategies.trend_filter import TrendFilter
from hft_tui.strategies.trend_params import TrendParams

BarKey = tuple[str, int]  # (symbol, the candle's open_ts_ns)
BarSignals = Mapping[BarKey, tuple[Signal, ...]]


class ReplayedCvd(Strategy[StrategyParams]):
    """The CVD detector's signals (candle bars), from ``cvd_columns``; nothing for other bars."""

    name = "cvd"
    params_model = CvdParams

    def __init__(self, params: CvdParams, signals: BarSignals) -> None:
        super().__init__(params)
        self._signals = signals

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        return self._signals.get((candle.symbol, candle.open_ts_ns), NO_SIGNALS)


class ReplayedTrend(TrendFilter):
    """The trend filter's readings and signals, from ``trend_columns``: ``readings`` holds each
    symbol's bar open times and their columns."""

    def __init__(self, params: TrendParams, signals: BarSignals,
                 readings: Mapping[str, tuple[np.ndarray, TrendColumns]]) -> None:
        super().__init__(params)
        self._signals = signals
        self._readings = readings

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        reading = self._readings.get(candle.symbol)
        if reading is not None:
            open_ts_ns, columns = reading
            self.load_view(candle.symbol, columns.view(int(np.searchsorted(open_ts_ns, candle.open_ts_ns))))
        return self._signals.get((candle.symbol, candle.open_ts_ns), NO_SIGNALS)
