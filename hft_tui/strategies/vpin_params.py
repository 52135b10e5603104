"""The VPIN gate's parameters (``strategies/vpin.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from hft_tui.strategies.strategy_params import StrategyParams


class VpinParams(StrategyParams):
    """Parameters of the VPIN toxicity gate."""

    model_config = ConfigDict(allow_inf_nan=False)

    bucket_notional_usd: float = Field(
        100_000.0, gt=0.0, le=1e10, description="Traded notional (quote currency) per volume bucket."
    )
    window_buckets: int = Field(50, ge=2, le=1000, description="Buckets averaged into VPIN.")
    min_buckets: int = Field(10, ge=1, le=1000, description="Buckets needed before the gate acts (warm-up).")
    classification: Literal["aggressor", "bulk"] = Field(
        "aggressor",
        description="aggressor = use each trade's aggressor side; "
        "bulk = bulk volume classification from price changes.",
    )
    bulk_sigma_halflife_trades: int = Field(
        100, ge=2, le=100_000,
        description="Half-life, in trades, of the price-change volatility used by bulk classification.",
    )
    elevated_threshold: float = Field(0.4, gt=0.0, lt=1.0, description="VPIN above which entries are shrunk.")
    toxic_threshold: float = Field(0.6, gt=0.0, le=1.0, description="VPIN above which entries are blocked.")
    elevated_factor: float = Field(0.5, gt=0.0, lt=1.0, description="Size factor applied while VPIN is elevated.")

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> VpinParams:
        if self.toxic_threshold <= self.elevated_threshold:
            raise ValueError("toxic_threshold must be above elevated_threshold")
        if self.min_buckets > self.window_buckets:
            raise ValueError("min_buckets cannot exceed window_buckets")
        return self
