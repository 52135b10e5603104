"""The ``[strategies]`` section: which strategies run, and each one's parameters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hft_tui.strategies.book_imbalance import BookImbalanceParams
from hft_tui.strategies.cvd import CvdParams
from hft_tui.strategies.liquidation_hunter import LiquidationHunterParams
from hft_tui.strategies.spike_fader import SpikeFaderParams
from hft_tui.strategies.trend_filter import TrendParams
from hft_tui.strategies.vpin import VpinParams

StrategyName = Literal["trend", "cvd", "liq_hunter", "spike_fader", "book_imbalance", "vpin"]
ALL_STRATEGIES: tuple[StrategyName, ...] = (
    "trend", "cvd", "liq_hunter", "spike_fader", "book_imbalance", "vpin",
)


class StrategiesSettings(BaseModel):
    """Strategy set and parameters; the live tuning form edits the same models."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    enabled: list[StrategyName] = Field(
        default_factory=lambda: list(ALL_STRATEGIES),
        description="Strategies that run. The liquidation hunter needs trend and cvd (they gate and confirm it).",
    )
    trend: TrendParams = Field(default_factory=TrendParams, description="Trend filter: MA trend state and regime; a gate for the others.")
    cvd: CvdParams = Field(default_factory=CvdParams, description="Cumulative volume delta divergences and exhaustion.")
    liq_hunter: LiquidationHunterParams = Field(
        default_factory=LiquidationHunterParams, description="Fades liquidation cascades."
    )
    spike_fader: SpikeFaderParams = Field(default_factory=SpikeFaderParams, description="Fades volatility spikes.")
    book_imbalance: BookImbalanceParams = Field(
        default_factory=BookImbalanceParams, description="Top-of-book imbalance and whale orders."
    )
    vpin: VpinParams = Field(default_factory=VpinParams, description="Flow toxicity gate (VPIN); emits no signals.")

    @field_validator("enabled")
    @classmethod
    def _hunter_needs_its_inputs(cls, enabled: list[str]) -> list[str]:
        if "liq_hunter" in enabled and not {"trend", "cvd"} <= set(enabled):
            raise ValueError("liq_hunter needs trend and cvd enabled too")
        if len(set(enabled)) != len(enabled):
            raise ValueError("lists a strategy twice")
        return enabled
