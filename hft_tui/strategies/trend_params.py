"""The trend filter's parameters (``strategies/trend_filter.py``)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from hft_tui.market.candle_builder import Timeframe
from hft_tui.strategies.strategy_params import StrategyParams


class TrendParams(StrategyParams):
    """Parameters of the trend filter."""

    model_config = ConfigDict(allow_inf_nan=False)

    timeframe: Timeframe = Field("1m", description="Candle timeframe the averages run on.")
    fast_period: int = Field(50, ge=2, le=1000, description="Fast simple moving average length, in candles.")
    slow_period: int = Field(200, ge=3, le=5000, description="Slow simple moving average length, in candles.")
    slope_bars: int = Field(5, ge=1, le=100, description="Candles over which the fast average's slope is measured.")
    weak_spread_bps: float = Field(
        5.0, ge=0.0, le=1000.0, description="Fast/slow spread (bps of slow) beyond which a weak trend is read."
    )
    strong_spread_bps: float = Field(
        20.0, gt=0.0, le=5000.0, description="Fast/slow spread (bps of slow) needed for a strong trend."
    )
    strong_slope_bps: float = Field(
        1.0, ge=0.0, le=1000.0, description="Fast-average slope (bps per candle) needed for a strong trend."
    )
    vol_window: int = Field(30, ge=2, le=1000, description="Candles of log returns in the realised volatility.")
    vol_avg_window: int = Field(
        120, ge=2, le=5000, description="Candles over which realised volatility is averaged for the regime."
    )
    volatile_ratio: float = Field(
        1.8, gt=1.0, le=10.0, description="Realised volatility / its average at or above which the regime is VOLATILE."
    )
    weak_against_size_factor: float = Field(
        0.6, ge=0.0, le=1.0, description="Size factor for a trade against a weak trend."
    )
    strong_with_size_factor: float = Field(
        1.2, ge=1.0, le=2.0, description="Size factor for a trade with a strong trend."
    )
    volatile_size_factor: float = Field(
        0.5, ge=0.0, le=1.0, description="Size factor applied on top in the VOLATILE regime."
    )
    atr_period: int = Field(14, ge=1, le=500, description="Candles in the average true range used for TP/SL.")
    take_profit_atr: float = Field(3.0, gt=0.0, le=50.0, description="Take-profit distance of own signals, in ATRs.")
    stop_loss_atr: float = Field(2.0, gt=0.0, le=50.0, description="Stop-loss distance of own signals, in ATRs.")
    cooldown_s: float = Field(
        900.0, ge=0.0, le=86_400.0, description="Minimum seconds between two strong-trend signals on the same side."
    )
    signal_ttl_s: float = Field(60.0, gt=0.0, le=3600.0, description="Lifetime of a strong-trend signal, seconds.")

    @model_validator(mode="after")
    def _ordered(self) -> TrendParams:
        if self.fast_period >= self.slow_period:
            raise ValueError("fast_period must be shorter than slow_period")
        if self.weak_spread_bps >= self.strong_spread_bps:
            raise ValueError("weak_spread_bps must be below strong_spread_bps")
        return self
