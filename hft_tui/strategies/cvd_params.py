"""The CVD detector's parameters (``strategies/cvd.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from hft_tui.market.candle_builder import Timeframe
from hft_tui.strategies.strategy_params import StrategyParams


class CvdParams(StrategyParams):
    """Parameters of the CVD detector."""

    model_config = ConfigDict(allow_inf_nan=False)

    bar_mode: Literal["trades", "candles"] = Field(
        "trades", description="Build bars every `bar_trades` trades, or use closed candles of `timeframe`."
    )
    bar_trades: int = Field(10, ge=2, le=100_000, description="Trades per bar in 'trades' mode.")
    timeframe: Timeframe = Field("1m", description="Candle timeframe in 'candles' mode.")
    swing_strength: int = Field(
        1, ge=1, le=10, description="Bars on each side a swing high/low must beat to count as a swing."
    )
    lookback_bars: int = Field(
        40, ge=3, le=1000, description="Two swings further apart than this many bars are not compared."
    )
    min_price_diff_bps: float = Field(
        1.0, ge=0.0, le=1000.0, description="A higher high / lower low must beat the previous swing by this (bps)."
    )
    min_cvd_diff_bars: float = Field(
        0.5, ge=0.0, le=100.0, description="CVD divergence needed, in multiples of the average bar volume."
    )
    exhaustion_volume_mult: float = Field(
        3.0, ge=1.5, le=20.0, description="Bar volume / average bar volume that counts as an exhaustion spike."
    )
    volume_avg_bars: int = Field(20, ge=3, le=1000, description="Bars in the average bar volume and range.")
    extreme_lookback_bars: int = Field(
        10, ge=2, le=1000, description="An exhaustion bar must make the highest high / lowest low of this many bars."
    )
    base_confidence: float = Field(
        0.55, ge=0.0, le=1.0, description="Confidence of a divergence or exhaustion that just meets its thresholds."
    )
    max_confidence: float = Field(
        0.85,
        ge=0.0,
        le=1.0,
        description="Confidence of a divergence of 4 average bar volumes, or a spike of twice the multiple.",
    )
    cooldown_s: float = Field(
        45.0, ge=0.0, le=3600.0, description="Minimum seconds between signals per symbol and side."
    )
    signal_ttl_s: float = Field(15.0, gt=0.0, le=3600.0, description="Lifetime of a CVD signal, seconds.")
    take_profit_ranges: float = Field(
        3.0, gt=0.0, le=100.0, description="Take-profit distance from the close, in average bar ranges."
    )
    stop_buffer_ranges: float = Field(
        0.5, ge=0.0, le=100.0, description="Stop-loss distance beyond the swing/spike extreme, in average bar ranges."
    )
    confirm_trades: int = Field(50, ge=2, le=100_000, description="Trades in the net-flow window used by `confirms`.")
    confirm_min_delta_ratio: float = Field(
        0.1, ge=0.0, le=1.0, description="Net delta / volume over that window that confirms a side."
    )
    confirm_event_ttl_s: float = Field(
        60.0, ge=0.0, le=3600.0, description="A CVD signal for a side confirms that side for this many seconds."
    )


    @model_validator(mode="after")
    def _confidence_ordered(self) -> CvdParams:
        if self.max_confidence < self.base_confidence:
            raise ValueError("max_confidence must be at least base_confidence")
        return self
