"""The spike fader's parameters (``strategies/spike_fader.py``)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from hft_tui.strategies.strategy_params import StrategyParams


class SpikeFaderParams(StrategyParams):
    """Parameters of the spike fader."""

    model_config = ConfigDict(allow_inf_nan=False)

    window_s: float = Field(900.0, ge=1.0, le=86_400.0, description="Window the move is measured over, seconds.")
    threshold_pct: float = Field(
        1.2, gt=0.0, le=50.0, description="Move from the window's low (high) that counts as a spike, percent."
    )
    take_profit_pct: float = Field(0.8, gt=0.0, le=50.0, description="Take-profit distance from entry, percent.")
    stop_loss_pct: float = Field(0.6, gt=0.0, le=50.0, description="Stop-loss distance from entry, percent.")
    rearm_fraction: float = Field(
        0.75, gt=0.0, le=1.0, description="A direction re-arms once its move is below this fraction of the threshold."
    )
    base_confidence: float = Field(0.6, ge=0.0, le=1.0, description="Confidence of a move just at the threshold.")
    max_confidence: float = Field(0.85, ge=0.0, le=1.0, description="Confidence of a move twice the threshold or more.")
    cooldown_s: float = Field(300.0, ge=0.0, le=86_400.0, description="Minimum seconds between signals per symbol.")
    signal_ttl_s: float = Field(20.0, gt=0.0, le=3600.0, description="Lifetime of a fade signal, seconds.")


    @model_validator(mode="after")
    def _confidence_ordered(self) -> SpikeFaderParams:
        if self.max_confidence < self.base_confidence:
            raise ValueError("max_confidence must be at least base_confidence")
        return self
