"""The `[signals]` section: how the signal manager (``signals/manager.py``) filters signals."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hft_tui.signals.scoring import AutoDisableLimits


class SignalSettings(BaseModel):
    """How the signal manager filters signals and when it auto-disables a strategy."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min_confidence: float = Field(0.55, ge=0.0, le=1.0, description="Signals below this confidence are rejected.")
    signal_ttl_s: float = Field(
        5.0, gt=0.0, le=3600.0, description="Oldest a signal may be when decided, whatever its own expiry, seconds."
    )
    auto_disable: AutoDisableLimits = Field(
        default_factory=AutoDisableLimits, description="Limits under which a strategy is auto-disabled."
    )
