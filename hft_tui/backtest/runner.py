"""Backtests: the live trading core (strategies, signal manager, risk gate, paper broker,
fee model, WAL) driven by a simulated clock over candle files, recorded sessions or the
simulator, as fast as the machine goes.

The step is the one the engine runs (``session/step.py``): advance the clock to the event,
``core.process``, release the order intents. The WAL is written as live, but under the policy
``batched(WAL_SYNC_EVERY)``: made durable every ``WAL_SYNC_EVERY`` events and at the end, not
before each release, because a backtest that dies is simply re-run.
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
import time
from array import array
from collections.abc import Iterable, Iterator
from itertools import takewhile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from hft_tui.backtest.report import (
    Assumptions,
    BacktestReport,
    EquityCurve,
    by_entry_reason,
    by_period,
    by_strategy,
    by_symbol,
    cost_warnings,
    exit_breakdown,
    return_stats,
    tca_summary,
    trade_stats,
)
from hft_tui.backtest.buy_and_hold import basket_return_pct, buy_and_hold
from hft_tui.backtest.exit_precedence import exits_assumption
from hft_tui.backtest.progress import ProgressCallback, reporting
from hft_tui.backtest.quiet_collector import quiet_collector
from hft_tui.backtest.vectorised_candles import VECTORISED_CLOCK, drive_candles_vectorised
from hft_tui.clock import SimulatedClock
from hft_tui.config.settings import Settings
from hft_tui.data.candle_store import CandleArrays, CandleStore, timeframe_ms
from hft_tui.data.recording import RecordedSession
from hft_tui.execution.portfolio import Portfolio
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS, SIM_EXCHANGE_ID, build_sim_market
from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.market.sources.sim import simulated_events
from hft_tui.model import Candle, MarketRules
from hft_tui.session.step import EventStep, batched
from hft_tui.trading.core import TradingCore
from hft_tui.wal.record_types import SessionStarted, SessionStopped
from hft_tui.wal.writer import WalWriter

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000
WAL_SYNC_EVERY = 200_000
DEFAULT_SAMPLE_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class DataSpec:
    """Where a backtest's market data comes from.

    ``candles``: the candle store under ``data_dir`` (``exchange``, ``symbols``, ``timeframe``);
    ``recording``: a recorded session directory ``path``; ``sim``: the simulator for
    ``duration_s`` from ``sim_start_ts_ns`` with the settings' seed and symbols.
    """

    kind: Literal["candles", "recording", "sim"]
    data_dir: Path | None = None
    exchange: str = SIM_EXCHANGE_ID
    symbols: tuple[str, ...] = ()
    timeframe: str = "1m"
    path: Path | None = None
    duration_s: float = 0.0
    sim_start_ts_ns: int = DEFAULT_SIM_START_NS

    def describe(self, settings: Settings) -> str:
        """One line naming the data, for the report's assumptions."""
        if self.kind == "candles":
            return (f"{self.timeframe} candles of {', '.join(self.symbols)} from {self.exchange} "
                    f"({self.data_dir})")
        if self.kind == "recording":
            return f"recorded session {self.path}"
        return (f"simulator, seed {settings.engine.seed}, {self.duration_s:g} s of "
                f"{', '.join(settings.engine.symbols)}")


@dataclass(frozen=True, slots=True)
class Window:
    """A time range of the data: events stamped in ``[start_ts_ns, end_ts_ns)``."""

    label: str
    start_ts_ns: int
    end_ts_ns: int


@dataclass(frozen=True, slots=True)
class BacktestRun:
    """One backtest: its report, equity curve, trades, each symbol's prices (times ns, prices:
    the closes of candles, the mid at each equity sample of book data) and how fast it ran."""

    report: BacktestReport
    curve: EquityCurve
    trades: tuple[object, ...]
    wall_s: float
    events_per_s: float
    prices: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


class DataError(ValueError):
    """The requested data is missing or empty; the message says what to download or record."""


def data_range(spec: DataSpec) -> tuple[int, int]:
    """The first and one-past-last timestamp of the data, ns."""
    if spec.kind == "sim":
        return spec.sim_start_ts_ns, spec.sim_start_ts_ns + int(spec.duration_s * NS_PER_S)
    if spec.kind == "recording":
        assert spec.path is not None
        meta = RecordedSession(spec.path).meta
        return meta.start_ts_ns, meta.end_ts_ns + 1
    store = _store(spec)
    tf_ns = timeframe_ms(spec.timeframe) * NS_PER_MS
    firsts, lasts = [], []
    for symbol in spec.symbols:
        ts = store.read(spec.exchange, symbol, spec.timeframe).open_ts_ms
        if len(ts):
            firsts.append(int(ts[0]) * NS_PER_MS)
            lasts.append(int(ts[-1]) * NS_PER_MS + tf_ns)
    if not firsts:
        raise DataError(f"no {spec.timeframe} candles for {', '.join(spec.symbols)} on {spec.exchange} "
                        f"in {store.root}: run `hft-tui download` first")
    return min(firsts), max(lasts)


def split_windows(start_ns: int, end_ns: int, split: float | None, walk_forward: int | None) -> list[Window]:
    """The whole range; or in-sample/out-of-sample at ``split``; or ``walk_forward`` equal windows."""
    if walk_forward:
        if walk_forward < 2:
            raise ValueError("walk-forward needs at least 2 windows")
        edges = [start_ns + (end_ns - start_ns) * i // walk_forward for i in range(walk_forward + 1)]
        return [Window(f"window {i + 1}", edges[i], edges[i + 1]) for i in range(walk_forward)]
    if split is not None:
        if not 0.0 < split < 1.0:
            raise ValueError(f"split must be between 0 and 1, got {split}")
        cut = start_ns + int((end_ns - start_ns) * split)
        return [Window("in-sample", start_ns, cut), Window("out-of-sample", cut, end_ns)]
    return [Window("full", start_ns, end_ns)]


def clip_window(start_ns: int, end_ns: int, from_ns: int | None, to_ns: int | None) -> tuple[int, int]:
    """The data range narrowed to a requested date range."""
    lo = max(start_ns, from_ns) if from_ns is not None else start_ns
    hi = min(end_ns, to_ns) if to_ns is not None else end_ns
    if hi <= lo:
        raise DataError("the requested date range holds no data")
    return lo, hi


def market_rules(spec: DataSpec, settings: Settings) -> dict[str, MarketRules]:
    """The rules of the traded symbols, from the data (no network)."""
    if spec.kind == "recording":
        assert spec.path is not None
        return dict(RecordedSession(spec.path).meta.rules)
    if spec.kind == "sim":
        market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, spec.sim_start_ts_ns)
        return {s: market.rules(s) for s in market.symbols}
    store = _store(spec)
    try:
        return {s: store.read_rules(spec.exchange, s) for s in spec.symbols}
    except FileNotFoundError as exc:
        raise DataError(f"no market rules saved for {exc.filename}: run `hft-tui download` again") from None


def run_backtest(
    settings: Settings,
    spec: DataSpec,
    window: Window,
    *,
    wal_dir: Path | None = None,
    sample_interval_s: float = DEFAULT_SAMPLE_INTERVAL_S,
    vectorised: bool = False,
    progress: ProgressCallback | None = None,
) -> BacktestRun:
    """Run the trading core over ``spec`` within ``window``; a fresh state every call.

    The WAL goes to ``wal_dir`` (which must be empty or absent) or a temporary directory
    removed afterwards. ``vectorised`` runs candles on the vectorised candle path
    (``vectorised_candles``; candle strategies only). ``progress(ts_ns, events)`` is told
    how far the event path is, every few thousand events.
    """
    rules = market_rules(spec, settings)
    exchange_id = spec.exchange if spec.kind == "candles" else (
        SIM_EXCHANGE_ID if spec.kind == "sim" else RecordedSession(spec.path).meta.source)  # type: ignore[arg-type]
    clock = SimulatedClock(window.start_ts_ns)
    scratch = None
    if wal_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="hft-tui-backtest-"))
        wal_dir = scratch / "wal"
    elif wal_dir.exists() and any(wal_dir.iterdir()):
        raise FileExistsError(f"{wal_dir} is not empty: a backtest writes a fresh WAL")
    wal = WalWriter(wal_dir, clock, fsync_interval_ms=settings.wal.fsync_interval_ms,
                    rotate_bytes=settings.wal.rotate_mb * 2**20, tail_size=10)
    try:
        core = TradingCore(settings, clock=clock, wal=wal, rules=rules, exchange_id=exchange_id,
                           keep_closed_trades=True)
        wal.write(SessionStarted(mode="BACKTEST", exchange=exchange_id, symbols=list(rules), source=spec.kind,
                                 window=window.label, **settings.strategies.code_record()))
        core.strategies.report_start_failures()
        started = time.perf_counter()
        marks: dict[str, tuple[array, array]] = {}
        with quiet_collector():
            if spec.kind == "candles" and vectorised:
                ts, equity, exposed, events = drive_candles_vectorised(
                    core, clock, _candle_arrays(spec, window), spec.timeframe, WAL_SYNC_EVERY)
            elif spec.kind == "candles":
                ts, equity, exposed, events = _drive_candles(core, clock, spec, window, progress)
            else:
                ts, equity, exposed, events = _drive_events(
                    core, clock, reporting(_market_events(spec, settings, window), _event_ts_ns, progress),
                    int(sample_interval_s * NS_PER_S), marks)
        wall_s = time.perf_counter() - started
        wal.write(SessionStopped(reason="backtest end", events=events))
        wal.sync()
    finally:
        wal.close_sync()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    curve = EquityCurve(np.asarray(ts, dtype=np.int64), np.asarray(equity, dtype=np.float64),
                        np.asarray(exposed, dtype=bool))
    if spec.kind == "candles":
        prices, first_last = _candle_prices(spec, window)
    else:
        prices = {s: (np.asarray(t, dtype=np.int64), np.asarray(p, dtype=np.float64)) for s, (t, p) in marks.items()}
        first_last = {s: (float(p[0]), core.portfolio.mark_price(s) or float(p[-1])) for s, (_, p) in prices.items()}
    report = _report(core, settings, spec, window, curve, events, exchange_id, first_last)
    if spec.kind == "candles" and vectorised:
        report = replace(report, assumptions=replace(report.assumptions, clock=VECTORISED_CLOCK))
    return BacktestRun(report, curve, tuple(core.closed_trades), wall_s,
                       events / wall_s if wall_s > 0 else 0.0, prices)


def _candle_arrays(spec: DataSpec, window: Window) -> list[tuple[str, CandleArrays]]:
    """Each symbol's bars opening within ``window``, for the vectorised candle path."""
    store = _store(spec)
    start_ms, end_ms = window.start_ts_ns // NS_PER_MS, -(-window.end_ts_ns // NS_PER_MS)
    return [(s, store.read(spec.exchange, s, spec.timeframe).between(start_ms, end_ms)) for s in spec.symbols]


def _candle_prices(spec: DataSpec, window: Window) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]],
                                                              dict[str, tuple[float, float]]]:
    """Each symbol's closes at their close times within ``window``, and its first open and last
    close (the buy-and-hold prices)."""
    tf_ns = timeframe_ms(spec.timeframe) * NS_PER_MS
    bars_of = {s: bars for s, bars in _candle_arrays(spec, window) if len(bars)}
    closes = {s: (bars.open_ts_ms * NS_PER_MS + tf_ns, bars.close) for s, bars in bars_of.items()}
    return closes, {s: (float(bars.open[0]), float(bars.close[-1])) for s, bars in bars_of.items()}


def _store(spec: DataSpec) -> CandleStore:
    if spec.data_dir is None:
        raise ValueError("a candle backtest needs data_dir")
    return CandleStore(spec.data_dir)


def _market_events(spec: DataSpec, settings: Settings, window: Window) -> Iterator[MarketEvent]:
    if spec.kind == "recording":
        assert spec.path is not None
        return RecordedSession(spec.path).events(window.start_ts_ns, window.end_ts_ns)
    return _sim_events(settings, spec, window)


def _sim_events(settings: Settings, spec: DataSpec, window: Window) -> Iterator[MarketEvent]:
    """The simulator's stream (SimSource's, unpaced) cut to ``window``."""
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, spec.sim_start_ts_ns)
    end = window.end_ts_ns
    return takewhile(lambda event: event.ts_ns < end, simulated_events(market, window.start_ts_ns))


def _drive_events(core: TradingCore, clock: SimulatedClock, events: Iterator[MarketEvent],
                  sample_ns: int, marks: dict[str, tuple[array, array]]) -> tuple[array, array, array, int]:
    """The per-event loop; equity is sampled at the first event of every ``sample_ns`` bucket,
    and each marked symbol's price with it, into ``marks`` (times, prices)."""
    symbols = list(core.rules)
    ts_out, eq_out, exp_out = array("q"), array("d"), array("b")
    step = EventStep(core, batched(WAL_SYNC_EVERY), advance=clock.advance_to).run
    portfolio = core.portfolio
    next_sample = -1
    count = 0
    ts = 0
    for event in events:
        ts = event.ts_ns
        step(event)
        count += 1
        if ts >= next_sample:
            ts_out.append(ts)
            eq_out.append(portfolio.equity())
            exp_out.append(bool(portfolio.positions()))
            next_sample = ts - ts % sample_ns + sample_ns
            _sample_marks(portfolio, symbols, ts, marks)
    if count and ts_out[-1] != ts:
        ts_out.append(ts)
        eq_out.append(portfolio.equity())
        exp_out.append(bool(portfolio.positions()))
        _sample_marks(portfolio, symbols, ts, marks)
    return ts_out, eq_out, exp_out, count


def _sample_marks(portfolio: Portfolio, symbols: list[str], ts: int, marks: dict[str, tuple[array, array]]) -> None:
    for symbol in symbols:
        price = portfolio.mark_price(symbol)
        if price is not None:
            times, prices = marks.get(symbol) or marks.setdefault(symbol, (array("q"), array("d")))
            times.append(ts)
            prices.append(price)


def _event_ts_ns(event: MarketEvent) -> int:
    return event.ts_ns


def _candle_open_ns(candle: Candle) -> int:
    return candle.open_ts_ns


def _drive_candles(core: TradingCore, clock: SimulatedClock, spec: DataSpec,
                   window: Window, progress: ProgressCallback | None = None) -> tuple[array, array, array, int]:
    """Candles of every symbol in time order; the clock stands at each bar's close (when its
    prices are known), and equity is sampled once per bar time."""
    store = _store(spec)
    tf_ns = timeframe_ms(spec.timeframe) * NS_PER_MS
    start_ms, end_ms = window.start_ts_ns // NS_PER_MS, -(-window.end_ts_ns // NS_PER_MS)
    series = [store.read(spec.exchange, s, spec.timeframe).between(start_ms, end_ms).candles(s, spec.timeframe)
              for s in spec.symbols]
    candles: Iterable[Candle] = series[0] if len(series) == 1 else heapq.merge(
        *series, key=lambda c: c.open_ts_ns)
    candles = reporting(candles, _candle_open_ns, progress)
    ts_out, eq_out, exp_out = array("q"), array("d"), array("b")
    step = EventStep(core, batched(WAL_SYNC_EVERY), advance=clock.advance_to).run
    portfolio = core.portfolio
    count = 0
    last_open = None
    for candle in candles:
        open_ns = candle.open_ts_ns
        if last_open is not None and open_ns != last_open:
            ts_out.append(last_open + tf_ns)
            eq_out.append(portfolio.equity())
            exp_out.append(bool(portfolio.positions()))
        last_open = open_ns
        step(candle, open_ns + tf_ns)  # the clock stands at the bar's close
        count += 1
    if last_open is not None:
        ts_out.append(last_open + tf_ns)
        eq_out.append(portfolio.equity())
        exp_out.append(bool(portfolio.positions()))
    return ts_out, eq_out, exp_out, count


def _report(core: TradingCore, settings: Settings, spec: DataSpec, window: Window,
            curve: EquityCurve, events: int, exchange_id: str,
            prices: dict[str, tuple[float, float]]) -> BacktestReport:
    trades = core.closed_trades
    holds = {s: buy_and_hold(first, last, core.fee_models[s].schedule.taker)
             for s, (first, last) in sorted(prices.items()) if s in core.fee_models}
    snapshot = core.portfolio.snapshot()
    tca = tca_summary(core.tca.to_payload()["by_strategy"])
    strategies = by_strategy(trades)
    return BacktestReport(
        label=window.label,
        start_ts_ns=window.start_ts_ns,
        end_ts_ns=window.end_ts_ns,
        events=events,
        returns=return_stats(curve, settings.risk.initial_equity),
        trades=trade_stats(trades),
        fees_paid=snapshot.fees_paid,
        exits=exit_breakdown(trades),
        strategies=strategies,
        entry_reasons=by_entry_reason(trades),
        tca=tca,
        assumptions=_assumptions(core, settings, spec, exchange_id),
        open_positions={p.symbol: p.qty for p in snapshot.positions},
        symbols=by_symbol(trades),
        periods=by_period(trades, (window.end_ts_ns - window.start_ts_ns) / 1e9),
        warnings=cost_warnings(strategies, tca),
        buy_and_hold=holds,
        buy_and_hold_return_pct=basket_return_pct(holds),
    )


def _assumptions(core: TradingCore, settings: Settings, spec: DataSpec, exchange_id: str) -> Assumptions:
    execution = settings.execution
    fees = "; ".join(
        f"{symbol} maker {model.schedule.maker * 1e4:g} bps, taker {model.schedule.taker * 1e4:g} bps"
        for symbol, model in sorted(core.fee_models.items())
    )
    if spec.kind == "candles":
        fill = ("paper broker against a synthetic book built from each candle: one level a "
                "side, one tick from the close, unlimited depth")
        slippage = "half spread of one tick; no market impact (candles carry no depth)"
    else:
        fill = (f"paper broker on the recorded/simulated L2 books: market orders walk the book; "
                f"limit orders queue behind {execution.queue_factor:g} x the visible size at their "
                f"price and fill as prints trade through it")
        slippage = "book walk (impact) plus the spread at fill time"
    return Assumptions(
        data=spec.describe(settings),
        fill_model=fill,
        fees=f"{exchange_id}: {fees}" if fees else exchange_id,
        latency=f"{execution.latency_ms:g} ms from order to activation",
        slippage=slippage,
        exits=exits_assumption(settings),
    )
