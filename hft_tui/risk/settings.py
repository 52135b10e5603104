"""Risk limits: the pre-trade gate's hard limits and the DRB guard's budgets (``[risk]``)."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RiskSettings(BaseModel):
    """Every risk limit, bounded and described; the config loader mounts it as ``[risk]``.

    Fractions are of equity (0.02 = 2 %); notionals are in the quote currency (USDT).
    """

    # NaN slips through every bound check and inf is never a sane limit.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    initial_equity: float = Field(
        100_000.0, gt=0, le=1e12, description="Starting equity in USDT for sim and paper runs."
    )

    # --- pre-trade gate -------------------------------------------------------------------
    max_position_qty: dict[str, float] = Field(
        default_factory=dict,
        description="Largest absolute position per symbol in base units, e.g. { \"BTC/USDT\" = 0.5 }. "
        "Symbols not listed use default_max_position_qty.",
    )
    default_max_position_qty: float | None = Field(
        None,
        gt=0,
        le=1e12,
        examples=[10.0],
        description="Largest absolute position in base units for symbols not in max_position_qty; "
        "unset = only the notional limits apply.",
    )
    max_position_notional: float = Field(
        20_000.0, gt=0, le=1e12, description="Largest position in one symbol, in USDT at the mark."
    )
    max_gross_notional: float = Field(
        50_000.0, gt=0, le=1e12, description="Largest sum of absolute position notionals over all symbols, in USDT."
    )
    max_net_notional: float = Field(
        30_000.0, gt=0, le=1e12, description="Largest absolute sum of signed position notionals, in USDT."
    )
    max_gross_leverage: float = Field(
        2.0, gt=0, le=100, description="Largest gross notional as a multiple of equity."
    )
    max_net_leverage: float = Field(
        1.0, gt=0, le=100, description="Largest absolute net notional as a multiple of equity."
    )
    max_concentration: float = Field(
        0.5, gt=0, le=10, description="Largest share of equity in one symbol's position notional (0.5 = 50 %)."
    )
    max_open_orders: int = Field(20, ge=1, le=10_000, description="Most orders open at once, all symbols.")
    price_band_bps: float = Field(
        200.0, gt=0, le=10_000, description="Largest distance of a limit price from mid, in basis points (fat finger)."
    )
    max_orders_per_window: int = Field(
        20, ge=1, le=100_000, description="Most order submissions within order_window_s."
    )
    order_window_s: float = Field(10.0, gt=0, le=3600, description="Window of the order rate limit, in seconds.")

    # --- DRB guard: budgets ---------------------------------------------------------------
    daily_loss_fraction: float = Field(
        0.02, gt=0, le=1, description="Daily loss budget as a fraction of start-of-day equity."
    )
    max_drawdown_fraction: float = Field(
        0.05, gt=0, le=1, description="Largest drawdown from the equity high-water mark, as a fraction of it."
    )
    rapid_drawdown_fraction: float = Field(
        0.02, gt=0, le=1, description="Largest drop from the highest equity within rapid_drawdown_window_s."
    )
    rapid_drawdown_window_s: float = Field(
        900.0, ge=10, le=86_400, description="Window of the rapid drawdown budget, in seconds."
    )
    position_loss_fraction: float = Field(
        0.01, gt=0, le=1, description="Largest unrealised loss of one position as a fraction of equity."
    )
    max_consecutive_losses: int = Field(10, ge=1, le=1000, description="Most losing trades in a row.")
    losing_streak_cooloff_s: float = Field(
        1800.0, ge=0, le=86_400,
        description="A losing streak is forgiven after this long without a new loss (REDUCING ends; "
        "a tripped breaker stays tripped); 0 = only at the daily reset.",
    )
    volatility_sigma: float = Field(
        25.0, gt=0, le=100, description="A 1 s or 1 min return beyond this many rolling standard deviations is a spike."
    )
    volatility_horizons_s: tuple[float, ...] = Field(
        (1.0, 60.0), min_length=1, max_length=4, description="Return horizons watched for spikes, in seconds."
    )
    volatility_lookback_returns: int = Field(
        300, ge=10, le=100_000, description="Returns per horizon in the rolling standard deviation."
    )
    volatility_min_returns: int = Field(
        30, ge=5, le=100_000, description="Returns per horizon needed before spikes are judged."
    )
    volatility_floor_bps: float = Field(
        0.5,
        gt=0,
        le=1000,
        description="Smallest standard deviation assumed, in bps, so a flat market has no false spikes.",
    )
    volatility_hold_s: float = Field(
        60.0, ge=1, le=3600, description="How long a spike keeps its budget consumed, in seconds."
    )
    max_errors: int = Field(
        10, ge=1, le=100_000,
        description="Most order or exchange errors within error_window_s (feed faults do not count).",
    )
    error_window_s: float = Field(60.0, gt=0, le=86_400, description="Window of the error budget, in seconds.")
    soft_fraction: float = Field(
        0.7, gt=0, lt=1, description="Share of a hard limit at which its budget's soft limit puts trading in REDUCING."
    )
    recover_fraction: float = Field(
        0.8, gt=0, le=1,
        description="REDUCING ends by itself once every budget is below this share of its soft limit "
        "(hysteresis, so trading does not flap at the soft limit); HALTED never ends by itself.",
    )
    daily_reset_utc: str = Field(
        "00:00", description="UTC time (HH:MM) at which daily budgets reset."
    )
    publish_step_pct: float = Field(
        1.0,
        ge=0.01,
        le=25,
        description="Budget use is published (and journaled) in steps of this many percent of its limit.",
    )

    @field_validator("max_position_qty")
    @classmethod
    def _positive_qty_limits(cls, limits: dict[str, float]) -> dict[str, float]:
        for symbol, qty in limits.items():
            if not (math.isfinite(qty) and qty > 0):
                raise ValueError(f"limit for {symbol!r} must be a positive finite quantity")
        return limits

    @field_validator("volatility_horizons_s")
    @classmethod
    def _positive_horizons(cls, horizons: tuple[float, ...]) -> tuple[float, ...]:
        if any(not (0.1 <= h <= 3600) for h in horizons):
            raise ValueError("every horizon must be between 0.1 and 3600 seconds")
        return horizons

    @field_validator("daily_reset_utc")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not _HH_MM.match(value):
            raise ValueError("must be a UTC time HH:MM, e.g. 00:00")
        return value

    @model_validator(mode="after")
    def _warm_up_fits_lookback(self) -> RiskSettings:
        if self.volatility_min_returns > self.volatility_lookback_returns:
            raise ValueError("volatility_min_returns must not exceed volatility_lookback_returns")
        return self

    def position_qty_limit(self, symbol: str) -> float:
        """Largest absolute position in ``symbol`` (base units); inf when only notionals limit it."""
        limit = self.max_position_qty.get(symbol, self.default_max_position_qty)
        return math.inf if limit is None else limit

    @property
    def daily_reset_offset_ns(self) -> int:
        """Nanoseconds after UTC midnight at which the trading day starts."""
        hours, minutes = self.daily_reset_utc.split(":")
        return (int(hours) * 3600 + int(minutes) * 60) * 1_000_000_000
