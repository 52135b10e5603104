"""The liquidation hunter's parameters (``strategies/liquidation_hunter.py``)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from hft_tui.strategies.strategy_params import StrategyParams


class LiquidationHunterParams(StrategyParams):
    """Parameters of the liquidation hunter."""

    model_config = ConfigDict(allow_inf_nan=False)

    cluster_window_s: float = Field(
        30.0, gt=0.0, le=600.0, description="Window liquidation notional is summed over, seconds."
    )
    cluster_notional_usd: float = Field(
        100_000.0, gt=0.0, le=1e10, description="One-sided liquidation notional in the window that makes a cluster."
    )
    proxy_window_s: float = Field(30.0, gt=0.0, le=600.0, description="Window of the cascade proxy's move, seconds.")
    proxy_move_pct: float = Field(
        0.5, gt=0.0, le=20.0, description="Move from the window's extreme that counts as a cascade, percent."
    )
    proxy_volume_mult: float = Field(
        3.0, ge=1.0, le=50.0, description="Window volume / usual volume per window that counts as a burst."
    )
    proxy_one_sided_share: float = Field(
        0.6, ge=0.5, le=1.0, description="Share of window volume that must be on the move's side."
    )
    proxy_baseline_s: float = Field(
        600.0, gt=0.0, le=86_400.0, description="History the usual volume rate is measured over, seconds."
    )
    settle_s: float = Field(
        2.0, ge=0.0, le=120.0, description="Quiet seconds (no new liquidation / extreme) before a flush is faded."
    )
    max_arm_s: float = Field(
        120.0, gt=0.0, le=3600.0, description="A flush that has not settled after this long is abandoned, seconds."
    )
    cooldown_s: float = Field(120.0, ge=0.0, le=86_400.0, description="Minimum seconds between signals per symbol.")
    signal_ttl_s: float = Field(15.0, gt=0.0, le=3600.0, description="Lifetime of a fade signal, seconds.")
    base_confidence: float = Field(0.55, ge=0.0, le=1.0, description="Confidence of a fade at exactly the threshold.")
    strength_bonus: float = Field(
        0.15, ge=0.0, le=0.5, description="Confidence added for a flush twice the threshold (linear, capped)."
    )
    cvd_confirm_bonus: float = Field(0.2, ge=0.0, le=0.5, description="Confidence added when CVD confirms the fade.")
    vol_fast_samples: int = Field(60, ge=5, le=10_000, description="One-second returns in the recent volatility.")
    vol_slow_samples: int = Field(900, ge=10, le=100_000, description="One-second returns in the usual volatility.")
    vol_horizon_s: float = Field(
        120.0, gt=0.0, le=86_400.0, description="Horizon the TP/SL volatility is scaled to, seconds."
    )
    take_profit_sigma: float = Field(2.0, gt=0.0, le=20.0, description="Take-profit distance in horizon sigmas.")
    stop_loss_sigma: float = Field(1.5, gt=0.0, le=20.0, description="Stop-loss distance in horizon sigmas.")
    min_take_profit_pct: float = Field(0.15, gt=0.0, le=20.0, description="Floor of the take-profit distance, percent.")
    max_take_profit_pct: float = Field(2.0, gt=0.0, le=50.0, description="Cap of the take-profit distance, percent.")
    min_stop_loss_pct: float = Field(0.15, gt=0.0, le=20.0, description="Floor of the stop-loss distance, percent.")
    max_stop_loss_pct: float = Field(1.5, gt=0.0, le=50.0, description="Cap of the stop-loss distance, percent.")
    calm_vol_ratio: float = Field(
        2.0, ge=1.0, le=20.0, description="Recent / usual volatility up to which the size hint is not reduced."
    )
    min_size_hint: float = Field(
        0.25, gt=0.0, le=1.0, description="Smallest size hint volatility can shrink a fade to."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LiquidationHunterParams:
        if self.min_take_profit_pct > self.max_take_profit_pct:
            raise ValueError("min_take_profit_pct must not exceed max_take_profit_pct")
        if self.min_stop_loss_pct > self.max_stop_loss_pct:
            raise ValueError("min_stop_loss_pct must not exceed max_stop_loss_pct")
        if self.vol_fast_samples >= self.vol_slow_samples:
            raise ValueError("vol_fast_samples must be fewer than vol_slow_samples")
        return self
