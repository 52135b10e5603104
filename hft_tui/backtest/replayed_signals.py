"""Stand-ins for the candle strategies in the vectorised candle backtest.

The strategies' column forms (``trend_columns``, ``cvd_columns``) compute every bar's
signals up front; in the trading core the strategy is replaced by one of these, which on
the candle of a bar returns exactly the signals computed for it, so they enter the signal
manager at the same point, in the same order, as the strategy's own would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hft_tui.model import Candle, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.strategies.cvd import CvdParams
from hft_tui.strategies.trend_filter import TrendParams

BarKey = tuple[str, int]  # (symbol, the candle's open_ts_ns)


class ReplayedSignals(Strategy[StrategyParams]):
    """Returns the precomputed signals of each (symbol, bar); nothing for other bars."""

    def __init__(self, params: StrategyParams, signals: Mapping[BarKey, tuple[Signal, ...]]) -> None:
        super().__init__(params)
        self._signals = signals

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        return self._signals.get((candle.symbol, candle.open_ts_ns), NO_SIGNALS)


class ReplayedTrend(ReplayedSignals):
    """The trend filter's signals, from ``trend_columns``."""

    name = "trend"
    params_model = TrendParams


class ReplayedCvd(ReplayedSignals):
    """The CVD detector's signals (candle bars), from ``cvd_columns``."""

    name = "cvd"
    params_model = CvdParams


REPLAYED: dict[str, type[ReplayedSignals]] = {"trend": ReplayedTrend, "cvd": ReplayedCvd}
