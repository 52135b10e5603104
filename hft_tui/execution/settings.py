"""Execution settings: the config file's ``[execution]`` section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FeeOverride(BaseModel):
    """Fee rates that replace the exchange's published ones (a VIP tier, a rebate)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    maker: float = Field(
        ge=-0.01, le=0.01,
        description="Maker fee as a fraction of notional (0.0002 = 2 bps); negative = rebate.",
    )
    taker: float = Field(
        ge=-0.01, le=0.01,
        description="Taker fee as a fraction of notional (0.0005 = 5 bps).",
    )


class ExecutionSettings(BaseModel):
    """How orders are simulated and what they cost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: float = Field(
        0.0, ge=0.0, le=10_000.0,
        description="Paper broker order latency: an order becomes active this long after submit "
        "and market orders fill against the first book at or after that time (0 for backtests).",
    )
    queue_factor: float = Field(
        1.0, ge=0.0, le=1.0,
        description="Share of the visible quantity at our price when we joined that must trade "
        "before a resting paper order fills (1 = all of it, 0 = front of the queue).",
    )
    fee_overrides: dict[str, FeeOverride] = Field(
        default_factory=dict,
        description="Fee rates per exchange id that replace the market's published maker/taker fees.",
    )
