"""Build a ready-to-start :class:`Engine` from :class:`Settings`: pick the source, the clock,
the broker and the journal for the mode. The composition root: the one place that knows
every concrete part, imported only by the command line (an import contract checks it)."""

from __future__ import annotations

from pathlib import Path

from hft_tui.bus import Metrics
from hft_tui.clock import Clock, LatchedClock, SimulatedClock, WallClock
from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings
from hft_tui.execution.ccxt_broker import CcxtBroker
from hft_tui.execution.client_ids import install_nonce
from hft_tui.market.ccxt_rules_loader import fetch_market_rules
from hft_tui.market.sources.ccxt import CcxtSource
from hft_tui.market.sim_setup import SIM_EXCHANGE_ID, build_sim_market
from hft_tui.market.sources.sim import SimSource
from hft_tui.session.engine import Engine
from hft_tui.session.input_recording import attach_input_recorder
from hft_tui.session.live_account import AccountUnavailable, read_account_equity
from hft_tui.session.recovery import recover_from_wal
from hft_tui.trading.core import TradingCore
from hft_tui.wal.writer import WalWriter

SIM_EXCHANGE_LABEL = "simulator"


class UnsupportedSetup(ValueError):
    """The settings ask for something this build cannot run; the message says what to do."""


def build_wal(settings: Settings, directory: Path, clock: Clock, metrics: Metrics) -> WalWriter:
    return WalWriter(
        directory,
        clock,
        fsync_interval_ms=settings.wal.fsync_interval_ms,
        rotate_bytes=settings.wal.rotate_mb * 2**20,
        metrics=metrics,
        tail_size=settings.wal.tail_records,
    )


def build_sim_engine(settings: Settings, *, clock: Clock, wal_dir: Path, paced: bool) -> Engine:
    """An engine on the built-in simulated market."""
    metrics = Metrics()
    wal = build_wal(settings, wal_dir, clock, metrics)
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, clock.now_ns())
    # A restart carries on from the last recovered marks: open positions keep their PnL.
    market.resume_prices(recover_from_wal(wal.directory).price_references)
    source = SimSource(market, paced=paced, clock=clock)
    rules = {symbol: market.rules(symbol) for symbol in settings.engine.symbols}
    core = TradingCore(settings, clock=_core_clock(clock), wal=wal, rules=rules, exchange_id=SIM_EXCHANGE_ID,
                       metrics=metrics)
    return Engine(
        core=core,
        source=source,
        mode=settings.engine.mode.upper(),
        exchange=SIM_EXCHANGE_LABEL,
        snapshot_hz=settings.engine.snapshot_hz,
        wal_tail_lines=settings.wal.tail_records,
        clock_follows_data=not paced and isinstance(clock, SimulatedClock),
    )


def build_exchange_engine(settings: Settings, *, clock: Clock, wal_dir: Path,
                          credentials: ExchangeCredentials | None, state_dir: Path | None = None) -> Engine:
    """Paper (real data, simulated fills) or live (real orders, given credentials).

    Live reads the account's equity before the core is built (sizing and budgets start from
    it, not from ``risk.initial_equity``) and prefixes client ids with the install's nonce.
    """
    exchange = settings.exchange
    symbols = settings.engine.symbols
    live = settings.engine.mode == "live"
    rules = fetch_market_rules(exchange, symbols, credentials if live else None)
    source = CcxtSource.from_settings(exchange, symbols, clock=clock, seed=settings.engine.seed,
                                      reference_band_bps=settings.sanitizer.max_jump_bps)
    broker = None
    nonce = ""  # live: the install's, in front of every client id
    if live:
        if credentials is None:
            raise UnsupportedSetup(
                f"live mode needs API keys in the environment: HFT_TUI_{exchange.id.upper()}_API_KEY "
                f"and HFT_TUI_{exchange.id.upper()}_SECRET (and _PASSWORD where the exchange asks)")
        broker = CcxtBroker.from_settings(exchange, clock=clock, credentials=credentials,
                                          seed=settings.engine.seed)
        try:
            nonce = install_nonce(state_dir or wal_dir.parent)
        except ValueError as exc:
            raise UnsupportedSetup(str(exc)) from exc
        try:
            broker.equity_at_start = read_account_equity(exchange, credentials, rules)
        except AccountUnavailable as exc:
            # Start anyway (reconciliation holds REDUCING until the exchange answers), sized
            # from risk.initial_equity: re-basing every budget mid-session would trip them.
            unread = str(exc)
        else:
            settings = settings.model_copy(update={"risk": settings.risk.model_copy(
                update={"initial_equity": broker.equity_at_start})})
    metrics = Metrics()
    wal = build_wal(settings, wal_dir, clock, metrics)
    # Live fills arrive from the exchange between events, at their own time: the live core
    # reads the clock as it is; paper, like the simulator, sees one reading per event.
    core_clock = clock if broker is not None else _core_clock(clock)
    core = TradingCore(settings, clock=core_clock, wal=wal, rules=rules, exchange_id=exchange.id,
                       metrics=metrics, broker=broker, client_id_prefix=nonce)
    if broker is not None:
        if broker.equity_at_start is None:
            core.add_notice("account", f"{unread}; sizing from risk.initial_equity until a restart reads the account")
    label = exchange.id + (" (sandbox)" if exchange.sandbox else "")
    return Engine(core=core, source=source, mode=settings.engine.mode.upper(), exchange=label,
                  snapshot_hz=settings.engine.snapshot_hz, wal_tail_lines=settings.wal.tail_records)


def _core_clock(clock: Clock) -> Clock:
    """The core's clock: a data clock as it is; a wall clock latched once per event and per
    command, so the session's input recording replays it exactly."""
    return clock if isinstance(clock, SimulatedClock) else LatchedClock(clock)


def build_engine(settings: Settings, *, clock: Clock | None = None, paths: AppPaths | None = None,
                 credentials: ExchangeCredentials | None = None) -> Engine:
    """The engine for ``settings``: the simulator in sim mode, ccxt otherwise; the WAL in the
    state dir."""
    clock = clock or WallClock()
    paths = paths or AppPaths.resolve(settings)
    if settings.engine.mode == "sim":
        if not settings.sim.paced:
            # As fast as the machine allows: time is the data's, starting now.
            clock = SimulatedClock(clock.now_ns())
        engine = build_sim_engine(settings, clock=clock, wal_dir=paths.wal_dir, paced=settings.sim.paced)
    else:
        engine = build_exchange_engine(settings, clock=clock, wal_dir=paths.wal_dir, credentials=credentials,
                                       state_dir=paths.state_dir)
    # Live fills come from the exchange, so a replay could not reproduce them: not recorded.
    if settings.engine.record_input and settings.engine.mode != "live":
        attach_input_recorder(engine, settings, paths.state_dir)
    return engine
