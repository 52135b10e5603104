"""The exchange reached through ccxt in paper and live mode: the config file's ``[exchange]``
section (the ccxt source, the rules loader, the ccxt broker and the LIVE session read it)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_EXCHANGE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# The shortest dead-man countdown: refreshed every quarter of it, a refresh stays under 1/s.
DEAD_MAN_MIN_S = 10


class ExchangeSettings(BaseModel):
    """The exchange used in paper and live mode, through ccxt. Credentials come from the environment."""

    # Strict, like config's own sections: TOML values are typed, so a mistake is reported,
    # not coerced; NaN slips through every bound check and inf is never a sane setting.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    id: str = Field(
        "binance",
        min_length=1,
        max_length=64,
        description="ccxt exchange id, lower case (binance, okx, bybit, kraken ...).",
    )
    market_type: Literal["spot", "swap"] = Field(
        "spot", description="spot markets or perpetual swaps."
    )
    sandbox: bool = Field(False, description="Use the exchange's testnet (ccxt sandbox mode) where it has one.")
    ccxt: dict[str, Any] = Field(
        default_factory=dict,
        description="Passed verbatim to the ccxt exchange constructor (options, urls, enableRateLimit, timeout ...). "
        "Never put credentials here.",
    )
    rest_poll_interval_ms: float = Field(
        1000.0, ge=50, le=60000, description="Polling period when the exchange has no websocket feed."
    )
    stale_after_ms: float = Field(
        5000.0,
        ge=100,
        le=600000,
        description="A feed silent for this long is stale and freezes new entries. Must exceed rest_poll_interval_ms.",
    )
    reconnect_backoff_ms: float = Field(
        500.0, ge=10, le=60000, description="First delay before reconnecting a dropped feed; doubles per attempt."
    )
    reconnect_backoff_max_ms: float = Field(
        30000.0,
        ge=100,
        le=600000,
        description="Ceiling of the reconnect delay. Must be at least reconnect_backoff_ms.",
    )
    account_sync_s: float = Field(
        30.0, ge=1, le=3600,
        description="LIVE: re-read balances this often; equity, sizing and budgets follow the account.",
    )
    user_stream_check_s: float = Field(
        5.0, ge=0.05, le=3600,
        description="LIVE with a user-data stream: open orders and their fills are also checked over REST "
        "this often (a stream can stall or end without a word).",
    )
    kill_deadline_s: float = Field(
        10.0, ge=1, le=300,
        description="LIVE: the kill switch and flatten keep trying this long for the exchange to confirm flat.",
    )
    cancel_orphans_on_start: bool = Field(
        False, description="LIVE: at start, cancel open orders on the traded symbols that this engine did not send.",
    )
    dead_man_s: int = Field(
        0, ge=0, le=3600,
        description="LIVE: dead-man's switch. Where the exchange has cancel-all-after (OKX, Kraken, BitMEX ...), "
        "it cancels every resting order this many seconds after the engine stops refreshing the timer "
        "(refreshed every quarter of it). 0 = off; else at least 10 (OKX accepts 10-120).",
    )

    @field_validator("id")
    @classmethod
    def _known_ccxt_id(cls, exchange_id: str) -> str:
        if not _EXCHANGE_ID_RE.fullmatch(exchange_id):
            raise ValueError("must be a lower-case ccxt exchange id such as 'binance'")
        # Imported here: ccxt takes half a second to import and only a configured id needs it.
        import ccxt

        if exchange_id not in ccxt.exchanges:
            from difflib import get_close_matches

            close = get_close_matches(exchange_id, ccxt.exchanges, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"is not a ccxt exchange id{hint}")
        return exchange_id

    @field_validator("stale_after_ms")
    @classmethod
    def _stale_after_exceeds_poll(cls, stale_after_ms: float, info: ValidationInfo) -> float:
        poll_ms = info.data.get("rest_poll_interval_ms")
        if poll_ms is not None and stale_after_ms <= poll_ms:
            raise ValueError(
                f"must exceed rest_poll_interval_ms ({poll_ms:g}), or a polled feed is always stale"
            )
        return stale_after_ms

    @field_validator("dead_man_s")
    @classmethod
    def _dead_man_off_or_long_enough(cls, dead_man_s: int) -> int:
        if 0 < dead_man_s < DEAD_MAN_MIN_S:
            raise ValueError(f"must be 0 (off) or at least {DEAD_MAN_MIN_S} seconds")
        return dead_man_s

    @field_validator("reconnect_backoff_max_ms")
    @classmethod
    def _max_backoff_at_least_first(cls, max_ms: float, info: ValidationInfo) -> float:
        first_ms = info.data.get("reconnect_backoff_ms")
        if first_ms is not None and max_ms < first_ms:
            raise ValueError(f"must be at least reconnect_backoff_ms ({first_ms:g})")
        return max_ms
