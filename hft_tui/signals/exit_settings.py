"""The ``[exits]`` section: default exit levels (a pydantic model, kept out of ``exits.py`` so that
module compiles with mypyc)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ExitSettings(BaseModel):
    """Default exit levels, used where the entry signal does not set its own (a strategy's own
    take profit and stop loss win; trailing stop and max hold apply to every position)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    take_profit_bps: float = Field(
        30.0, ge=0.0, le=10_000.0, description="Take-profit distance from entry, bps; 0 = none."
    )
    stop_loss_bps: float = Field(20.0, ge=0.0, le=10_000.0, description="Stop-loss distance from entry, bps; 0 = none.")
    trailing_stop_bps: float = Field(
        0.0, ge=0.0, le=10_000.0, description="Trailing stop distance behind the best mark since entry, bps; 0 = off."
    )
    trailing_activation_bps: float = Field(
        0.0, ge=0.0, le=10_000.0, description="Profit from entry, bps, before the trailing stop arms; 0 = at once."
    )
    max_hold_s: float = Field(
        0.0, ge=0.0, le=30 * 86_400.0, description="Close a position held this long, seconds; 0 = never."
    )
    take_profit_min_round_trips: float = Field(
        1.0, ge=0.0, le=100.0,
        description="No take profit closer to the entry than this many round trips of taker fees (entry "
        "and exit), whoever set it: a nearer one is moved out to it; 0 = no floor.",
    )
