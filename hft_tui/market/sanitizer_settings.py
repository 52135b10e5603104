"""Limits of the L0 sanitizer: the config file's ``[sanitizer]`` section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SanitizerSettings(BaseModel):
    """What the L0 sanitizer accepts as a healthy book or trade."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_feed_latency_ms: float = Field(
        100.0, gt=0.0, le=60_000.0,
        description="Reject messages whose exchange timestamp lags the local clock by more than this.",
    )
    max_clock_skew_ms: float = Field(
        1_000.0, ge=0.0, le=60_000.0,
        description="Reject messages stamped further than this ahead of the local clock "
        "(a clock that runs ahead would otherwise make every later message look stale).",
    )
    max_spread_bps: float = Field(
        50.0, gt=0.0, le=10_000.0,
        description="Reject books whose best bid/ask spread exceeds this, in basis points of mid.",
    )
    max_jump_bps: float = Field(
        500.0, gt=0.0, le=10_000.0,
        description="Reject books and trades this far from the last good mid, in basis points.",
    )
    jump_confirmations: int = Field(
        3, ge=1, le=1_000,
        description="After this many consecutive books agree on a new price level (each "
        "rejected as a jump), the next agreeing book is accepted and becomes the reference.",
    )
    max_notional: float = Field(
        1e9, gt=0.0, le=1e15,
        description="Reject a book level or a print worth more than this (price x quantity, in the "
        "quote currency): no real market rests or trades such a size.",
    )
    max_reanchor_bps: float = Field(
        5_000.0, gt=0.0, le=100_000.0,
        description="A new level further than this from the trusted reference, in basis points, "
        "is never confirmed by agreeing books: a stream at 1% of the market stays rejected.",
    )
    check_tick_lot: bool = Field(
        True, description="Reject prices off the tick size and quantities off the lot size.",
    )
    tick_tolerance: float = Field(
        1e-6, ge=0.0, lt=0.5,
        description="Distance from a tick (lot) multiple still accepted, in ticks (lots), "
        "to absorb float rounding.",
    )
