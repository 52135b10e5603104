"""Every setting hft-tui reads, as bounded, described, immutable pydantic models.

The TOML file, ``config/default.toml``, ``hft-tui config check`` and ``config show`` are all
derived from these classes. A new section is one more ``Section`` subclass and one more
field on ``Settings``; the loader and the renderer walk the models and need no change.

A section that one domain package reads is that package's own model (``market/sim_settings.py``,
``risk/settings.py``, ``strategies/settings.py`` ...): ``Settings`` composes them, so ``config``
sits above the domain packages in the layers and none of them imports it.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from hft_tui.config.alerts_settings import AlertsSettings
from hft_tui.config.key_bindings import keymap_problems
from hft_tui.config.theme_names import theme_names
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.market.exchange_settings import ExchangeSettings
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.market.sim_settings import SimSettings
from hft_tui.risk.settings import RiskSettings
from hft_tui.signals.exit_settings import ExitSettings
from hft_tui.signals.signal_settings import SignalSettings
from hft_tui.signals.sizing import SizingSettings
from hft_tui.strategies.settings import StrategiesSettings

# BASE/QUOTE for spot, BASE/QUOTE:SETTLE for swaps: the ccxt unified symbol shape.
_SYMBOL_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*/[A-Z0-9][A-Z0-9._-]*(:[A-Z0-9][A-Z0-9._-]*)?$")


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
