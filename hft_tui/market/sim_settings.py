"""The simulated market's settings: the config file's ``[sim]`` section."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SimSettings(BaseModel):
    """The built-in simulated market used in sim mode."""

    # Strict, like config's own sections: TOML values are typed, so a mistake is reported,
    # not coerced; NaN slips through every bound check and inf is never a sane setting.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    book_updates_per_s: float = Field(
        20.0, ge=0.1, le=10000, description="Order book updates per second, per symbol."
    )
    trades_per_s: float = Field(3.0, ge=0, le=10000, description="Average trades per second, per symbol.")
    depth: int = Field(20, ge=5, le=200, description="Price levels per side of the simulated book.")
    book_updates: Literal["snapshots", "deltas"] = Field(
        "snapshots",
        description="snapshots = every book update is drawn whole; deltas = a diff-depth feed like "
        "Binance's, a few levels per update and a snapshot every 10 minutes.",
    )
    correlation: float = Field(
        0.8, ge=-1, le=1, description="Correlation of price moves between the simulated symbols."
    )
    paced: bool = Field(
        True,
        description="true = emit events in real time; false = as fast as possible (backtests, benchmarks).",
    )
    opening_cascade_s: float = Field(
        20.0,
        ge=0,
        le=86_400,
        description="Seconds into a session at which the first symbol has a liquidation cascade, "
        "so a new user sees the whole pipeline act within a minute; 0 = leave it to chance.",
    )
