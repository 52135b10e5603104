"""The ``[alerts]`` section: where alerts go, which events, how often."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

AlertKind = Literal["fill", "trading_state", "breaker", "feed_stale", "reconcile", "notice", "engine", "daily_pnl"]
ALL_KINDS: tuple[AlertKind, ...] = ("fill", "trading_state", "breaker", "feed_stale", "reconcile", "notice",
                                    "engine", "daily_pnl")
_ENV_NAME_RE = re.compile(r"^HFT_TUI_ALERT_[A-Z0-9_]+$")


def _check_env_name(name: str) -> str:
    if not _ENV_NAME_RE.fullmatch(name):
        raise ValueError("must be the name of an environment variable HFT_TUI_ALERT_<NAME> holding an apprise "
                         "URL (the URL carries its secrets, so it never goes in a file)")
    return name


EnvName = Annotated[str, AfterValidator(_check_env_name)]


class AlertsSettings(BaseModel):
    """Alerts through apprise (Telegram, Discord, Slack, ntfy, email, webhooks and more)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    targets: list[EnvName] = Field(
        default_factory=list, max_length=20,
        description="Environment variables, each holding one apprise URL, e.g. HFT_TUI_ALERT_PHONE="
        "'tgram://TOKEN/CHAT'. Empty: no alerts.",
    )
    events: list[AlertKind] = Field(
        default_factory=lambda: list(ALL_KINDS),
        description="Which events are sent: fill, trading_state, breaker, feed_stale, reconcile (differences "
        "between the journal and the exchange, and reconcile failures), notice (every other notice), engine "
        "(start, stop, crash), daily_pnl (the trading day's summary when the risk guard's day rolls over).",
    )
    stale_after_s: float = Field(30.0, gt=0, le=86400, description="A feed STALE this long is alerted.")
    batch_s: float = Field(2.0, ge=0, le=600, description="Events this close together go out as one message.")
    max_per_minute: int = Field(6, ge=1, le=600, description="At most this many messages a minute; "
                                "more events wait and are batched into the next one.")
    send_timeout_s: float = Field(10.0, gt=0, le=120, description="A target slower than this counts as failed.")
