"""The book-imbalance strategy's parameters (``strategies/book_imbalance.py``)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from hft_tui.strategies.strategy_params import StrategyParams


class BookImbalanceParams(StrategyParams):
    """Parameters of the book-imbalance strategy."""

    model_config = ConfigDict(allow_inf_nan=False)

    depth_levels: int = Field(10, ge=1, le=50, description="Levels per side summed into the imbalance.")
    imbalance_threshold: float = Field(
        0.4, gt=0.0, lt=1.0,
        description="|bid qty - ask qty| / (bid qty + ask qty) needed to lean one way, 0..1.",
    )
    persist_s: float = Field(
        2.0, ge=0.0, le=60.0, description="Seconds the imbalance must hold without a break before it fires."
    )
    cooldown_s: float = Field(15.0, ge=0.0, le=3600.0, description="Seconds between two signals on the same side.")
    signal_ttl_s: float = Field(3.0, gt=0.0, le=300.0, description="Seconds a signal stays actionable.")
    base_confidence: float = Field(
        0.55, ge=0.0, le=1.0, description="Confidence when the imbalance just reaches the threshold."
    )
    max_confidence: float = Field(
        0.85, ge=0.0, le=1.0, description="Confidence at a fully one-sided book, before bonuses."
    )
    whale_notional_usd: float = Field(
        50_000.0, gt=0.0, le=1e9, description="Resting order notional (quote currency) that counts as a whale."
    )
    whale_max_distance_bps: float = Field(
        25.0, ge=0.0, le=1000.0, description="How far from the touch a whale may rest and still count, in bps."
    )
    whale_scan_levels: int = Field(20, ge=1, le=200, description="Levels per side searched for whales.")
    whale_min_age_s: float = Field(
        1.0, ge=0.0, le=600.0, description="Seconds a whale must rest before it counts (filters spoofing)."
    )
    whale_confidence_bonus: float = Field(
        0.1, ge=0.0, le=0.5, description="Confidence added by a supporting whale, removed by an opposing one."
    )
    take_profit_bps: float = Field(20.0, gt=0.0, le=1000.0, description="Take-profit distance from mid, in bps.")
    stop_loss_bps: float = Field(12.0, gt=0.0, le=1000.0, description="Stop-loss distance from mid, in bps.")
    profile_ticks_per_bucket: int = Field(10, ge=1, le=100_000, description="Ticks per volume-profile price bucket.")
    profile_window_s: float = Field(
        3600.0, ge=1.0, le=604_800.0, description="Seconds of trades in the volume profile."
    )
    value_area_share: float = Field(0.7, gt=0.0, le=1.0, description="Share of profile volume in the value area.")
    value_area_bonus: float = Field(
        0.05, ge=0.0, le=0.5, description="Confidence added when buying below / selling above the value area."
    )

    @model_validator(mode="after")
    def _confidence_ordered(self) -> BookImbalanceParams:
        if self.max_confidence < self.base_confidence:
            raise ValueError("max_confidence must be at least base_confidence")
        return self
