"""Every setting hft-tui reads, as bounded, described, immutable pydantic models.

The TOML file, ``config/default.toml``, ``hft-tui config check`` and ``config show`` are all
derived from these classes. A new section is one more ``Section`` subclass and one more
field on ``Settings``; the loader and the renderer walk the models and need no change.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hft_tui.config.key_bindings import keymap_problems
from hft_tui.config.theme_names import theme_names
from hft_tui.alerts.settings import AlertsSettings
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.risk.settings import RiskSettings
from hft_tui.signals.exits import ExitSettings
from hft_tui.signals.manager import SignalSettings
from hft_tui.signals.sizing import SizingSettings
from hft_tui.strategies.settings import StrategiesSettings

# BASE/QUOTE for spot, BASE/QUOTE:SETTLE for swaps: the ccxt unified symbol shape.
_SYMBOL_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*/[A-Z0-9][A-Z0-9._-]*(:[A-Z0-9][A-Z0-9._-]*)?$")
_EXCHANGE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# The shortest dead-man countdown: refreshed every quarter of it, a refresh stays under 1/s.
DEAD_MAN_MIN_S = 10


class Section(BaseModel):
    """Base of every settings section: bounded, described, immutable, no unknown keys."""

    # Strict: TOML values are typed, so `seed = true` or `paced = "yes"` is a mistake to report,
    # not to coerce. NaN slips through every bound check and inf is never a sane setting.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _check_symbol(symbol: str) -> str:
    if not _SYMBOL_RE.fullmatch(symbol):
        raise ValueError("must look like BASE/QUOTE or BASE/QUOTE:SETTLE in upper case, e.g. BTC/USDT")
    return symbol


Symbol = Annotated[str, AfterValidator(_check_symbol)]


class EngineSettings(Section):
    """What the engine trades and how often it reports."""

    mode: Literal["sim", "paper", "live"] = Field(
        "sim",
        description="sim = built-in simulated market; paper = real market data with simulated fills; "
        "live = real orders on the exchange.",
    )
    symbols: list[Symbol] = Field(
        default_factory=lambda: ["BTC/USDT", "ETH/USDT"],
        min_length=1,
        # One core carries ~200 symbols of 10 Hz depth and 3 trades/s each with the feed lag's p99
        # under 100 ms (docs/performance.md); past that, books go stale and are refused.
        max_length=200,
        description="Markets to trade, as ccxt unified symbols (BASE/QUOTE, or BASE/QUOTE:SETTLE for swaps).",
    )
    seed: int = Field(7, ge=0, description="Seed for the simulator and every other source of randomness.")
    snapshot_hz: float = Field(
        10.0, ge=1, le=60, description="How often the engine publishes read-only snapshots for the UI, per second."
    )
    status_interval_s: float = Field(
        5.0, ge=0.5, le=3600, description="Seconds between status lines when running headless."
    )
    record_input: bool = Field(
        True,
        description="Record what the strategies saw (sim and paper sessions) into <state_dir>/recordings, "
        "so `hft-tui replay --verify` can check every decision against the WAL.",
    )
    recordings_max_mb: int = Field(
        4096, ge=64, le=10_000_000,
        description="Disk the input recordings may use, MiB: past it the oldest sessions' recordings are "
        "deleted (never the running session's). The sim records ~30 MiB per hour.",
    )

    @field_validator("symbols")
    @classmethod
    def _symbols_unique(cls, symbols: list[str]) -> list[str]:
        seen: set[str] = set()
        for symbol in symbols:
            if symbol in seen:
                raise ValueError(f"lists {symbol!r} twice; each symbol must appear once")
            seen.add(symbol)
        return symbols


class SimSettings(Section):
    """The built-in simulated market used in sim mode."""

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


class WalSettings(Section):
    """The write-ahead log: durability and size."""

    fsync_interval_ms: float = Field(
        5.0,
        ge=0.1,
        le=1000,
        description="Group-commit window: records are fsynced together at most this many milliseconds apart.",
    )
    rotate_mb: int = Field(64, ge=1, le=4096, description="Start a new WAL segment after this many megabytes.")
    tail_records: int = Field(
        500, ge=10, le=100000, description="How many recent WAL records the UI's log pane keeps."
    )


class UiSettings(Section):
    """The terminal user interface."""

    theme: str = Field("hft-dark", min_length=1, max_length=64, description="Colour theme name.")
    refresh_hz: float = Field(10.0, ge=1, le=60, description="How often the panes redraw, per second.")
    book_depth: int = Field(
        20, ge=3, le=50, description="Most price levels per side shown in the order book pane (fewer when the pane is short)."
    )
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="Key remapping: binding id = keys, e.g. kill = \"ctrl+x\" (ids in the help screen, F1).",
    )

    @field_validator("theme")
    @classmethod
    def _theme_known(cls, theme: str) -> str:
        names = theme_names()
        if theme not in names:
            close = get_close_matches(theme, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"no such theme; {hint}themes: {', '.join(names)}")
        return theme

    @field_validator("keymap")
    @classmethod
    def _keymap_valid(cls, keymap: dict[str, str]) -> dict[str, str]:
        problems = keymap_problems(keymap)
        if problems:
            raise ValueError("; ".join(problems))
        return keymap


class BacktestSettings(Section):
    """Backtests, sweeps, per-symbol batches and studies: what is kept of their results."""

    keep_runs: int = Field(
        200,
        ge=1,
        le=100_000,
        description="Saved runs kept in the state dir (hft-tui backtest list): saving one more removes the "
        "oldest beyond this many, except runs kept with `hft-tui backtest keep ID`.",
    )


class PathSettings(Section):
    """Where hft-tui keeps its files; unset means the platform's per-user directory."""

    state_dir: Path | None = Field(
        None,
        strict=False,  # TOML has no path type: accept the string
        description="WAL and recovery state. Unset: the platform's user state directory for hft-tui. "
        "Overridden by --state-dir.",
        examples=["~/hft-tui/state"],
    )
    data_dir: Path | None = Field(
        None,
        strict=False,  # TOML has no path type: accept the string
        description="Downloaded and recorded market data. Unset: the platform's user data directory for hft-tui.",
        examples=["~/hft-tui/data"],
    )
    strategies_dir: Path | None = Field(
        None,
        strict=False,  # TOML has no path type: accept the string
        description="Your own strategies: every *.py file here is loaded (see docs/strategies.md). Unset: "
        "'strategies' in the platform's user config directory for hft-tui. Overridden by --strategies-dir.",
        examples=["~/hft-tui/strategies"],
    )


class ExchangeSettings(Section):
    """The exchange used in paper and live mode, through ccxt. Credentials come from the environment."""

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


class Settings(Section):
    """All of hft-tui's settings."""

    engine: EngineSettings = Field(default_factory=EngineSettings, description="The trading engine.")
    sim: SimSettings = Field(default_factory=SimSettings, description="The built-in simulated market.")
    wal: WalSettings = Field(default_factory=WalSettings, description="The write-ahead log.")
    ui: UiSettings = Field(default_factory=UiSettings, description="The terminal user interface.")
    paths: PathSettings = Field(default_factory=PathSettings, description="Directories for state and data.")
    exchange: ExchangeSettings = Field(
        default_factory=ExchangeSettings, description="The exchange for paper and live mode."
    )
    sanitizer: SanitizerSettings = Field(
        default_factory=SanitizerSettings, description="The L0 market data sanitizer: what a valid message is."
    )
    execution: ExecutionSettings = Field(
        default_factory=ExecutionSettings, description="Paper fills: latency, queue model, fee overrides."
    )
    risk: RiskSettings = Field(default_factory=RiskSettings, description="Pre-trade risk gate and the DRB guard.")
    signals: SignalSettings = Field(default_factory=SignalSettings, description="The signal manager.")
    sizing: SizingSettings = Field(default_factory=SizingSettings, description="Position sizing.")
    exits: ExitSettings = Field(default_factory=ExitSettings, description="Default exit levels.")
    backtest: BacktestSettings = Field(
        default_factory=BacktestSettings, description="Backtests, sweeps and studies: their saved results."
    )
    strategies: StrategiesSettings = Field(
        default_factory=StrategiesSettings, description="Which strategies run, with their parameters."
    )
    alerts: AlertsSettings = Field(
        default_factory=AlertsSettings, description="Alerts through apprise for a served engine (hft-tui serve)."
    )
