"""The vectorised candle backtest: candle strategies over whole columns, the core only where it matters.

The event path (``runner._drive_candles``) hands every candle to the trading core as a
synthetic book plus trades, ~100 µs a bar. When every enabled strategy reads closed candles
only (the trend filter; the CVD detector with ``bar_mode="candles"``), their readings and
signals for the whole series are computed up front by their column forms
(``trend_columns``, ``cvd_columns``: bit-exact with the incremental strategies), and the
real core (signal manager, sizing, risk gate, paper broker, fees/TCA, WAL) is handed only:

- the bars that signal (the strategy host runs ``replayed_signals``' stand-ins in the
  strategies' place: they return the precomputed signals, and the trend filter's takes the
  bar's precomputed reading, which the gate it offers reads);
- the bar at which an open position's exit fires, found by ``exit_scan.first_exit`` over
  the closes in between (evaluated on each bar's close, as the core does);
- the bar after one that left an order working or an exit in flight (latency, retries);
- the first bar of the series and of each trading day (daily risk budgets reset there).

The equity curve is rebuilt for every bar from the positions and realised PnL between
those bars, with the portfolio's own formula (``execution.portfolio.marked_equity``). What this does not reproduce is the DRB
guard's view of the skipped bars; ``VECTORISED_CLOCK`` says so in every report.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hft_tui.backtest.exit_scan import best_mark, first_exit
from hft_tui.backtest.replayed_signals import BarKey, ReplayedCvd, ReplayedTrend
from hft_tui.clock import SimulatedClock
from hft_tui.config.settings import Settings
from hft_tui.data.candle_store import CandleArrays
from hft_tui.execution.portfolio import marked_equity
from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import Candle, Position, Side, Signal
from hft_tui.risk.drb_guard import DAY_NS
from hft_tui.session.step import EventStep, batched
from hft_tui.signals.exits import ExitRules
from hft_tui.strategies.cvd_columns import cvd_columns
from hft_tui.strategies.trend_columns import TrendColumns, trend_columns
from hft_tui.trading.core import TradingCore

NS_PER_MS = 1_000_000
CANDLE_STRATEGIES = ("trend", "cvd")

VECTORISED_CLOCK = (
    "simulated, vectorised candle path: strategies evaluated over whole candle columns (exactly as "
    "per bar); the trading core sees only the signal bars, the bars where an exit fires (on the close), "
    "the bar after one with an order working, and the first bar of each trading day. The DRB guard sees "
    "only those bars: its volatility budget (1-minute returns) and the equity peaks of the bars in "
    "between are not seen, so size scaling or REDUCING that those would cause can differ from the "
    "event path; with several symbols, the other symbols' marks at a decision are those of their "
    "last decided bar"
)


def fast_path_blocker(settings: Settings) -> str | None:
    """Why the enabled strategy set cannot run on the vectorised candle path; None if it can."""
    strategies = settings.strategies
    problems = []
    others = [name for name in strategies.enabled if name not in CANDLE_STRATEGIES]
    if others:
        problems.append(f"{', '.join(others)} read{'s' if len(others) == 1 else ''} order books or trades, "
                        "which a candle file only synthesises")
    if "cvd" in strategies.enabled and strategies.cvd.bar_mode != "candles":
        problems.append("cvd builds its bars from trades (set strategies.cvd.bar_mode = \"candles\")")
    return "; ".join(problems) or None


@dataclass(slots=True)
class _Series:
    """One symbol's candles and where the vectorised path stands in them."""

    symbol: str
    order: int
    bars: CandleArrays
    open_ts_ns: np.ndarray
    close_ts_ns: np.ndarray
    close: np.ndarray
    fixed: np.ndarray  # bars the core must see whatever happens: signals, first bar, day starts
    cursor: int = 0  # into ``fixed``: the first not yet passed
    due: int = 0
    last: int = -1  # the last bar the core saw
    rules: ExitRules | None = None  # the tracked position's exit rules, as last seen
    best: float = 0.0  # the tracker's best mark, mirrored

    def __len__(self) -> int:
        return len(self.close)


def drive_candles_vectorised(core: TradingCore, clock: SimulatedClock, series: Sequence[tuple[str, CandleArrays]],
                             timeframe: str, wal_sync_every: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Run ``core`` over each symbol's candles of ``timeframe`` the vectorised way; returns the
    equity curve sampled at every bar close (after that time's bars), as the event path does
    (close times, equity, exposed), and the number of candles."""
    blocker = fast_path_blocker(core.settings)
    if blocker is not None:
        raise ValueError(f"the vectorised candle path cannot run this strategy set: {blocker}")
    tf_ns = parse_timeframe(timeframe)
    all_series = [_prepare(core, symbol, order, bars, timeframe, tf_ns)
                  for order, (symbol, bars) in enumerate(series)]
    _replace_strategies(core, all_series, timeframe)
    times = _bar_times(all_series)
    recorder = _StateRecorder(core)
    latency_fills_inside = core.settings.execution.latency_ms > 0

    heap: list[tuple[int, int]] = []
    for s in all_series:
        if len(s):
            s.due = _next_fixed(s, -1)
            heapq.heappush(heap, (int(s.open_ts_ns[s.due]), s.order))
    step = EventStep(core, batched(wal_sync_every), advance=clock.advance_to).run
    while heap:
        _, order = heapq.heappop(heap)
        s = all_series[order]
        i = s.due
        _catch_up_trailing(core, s, i)
        step(_candle(s, i, timeframe), int(s.close_ts_ns[i]))
        s.last = i
        _mirror_tracker(core, s, i, latency_fills_inside)
        recorder.record(int(np.searchsorted(times, s.open_ts_ns[i])))
        s.due = _next_due(core, s, i)
        if s.due < len(s):
            heapq.heappush(heap, (int(s.open_ts_ns[s.due]), s.order))
    equity, exposed = recorder.curve(times, all_series)
    return times + tf_ns, equity, exposed, sum(len(s) for s in all_series)


def _bar_times(all_series: list[_Series]) -> np.ndarray:
    """Every bar time of any symbol, ascending (each series is sorted and unique already)."""
    if len(all_series) == 1:
        return all_series[0].open_ts_ns
    merged = np.sort(np.concatenate([s.open_ts_ns for s in all_series] or [np.empty(0, np.int64)]))
    return merged[np.concatenate(([True], merged[1:] != merged[:-1]))] if len(merged) else merged


def _prepare(core: TradingCore, symbol: str, order: int, bars: CandleArrays, timeframe: str, tf_ns: int) -> _Series:
    open_ts_ns = bars.open_ts_ms.astype(np.int64) * NS_PER_MS
    close_ts_ns = open_ts_ns + tf_ns
    n = len(bars)
    s = _Series(symbol, order, bars, open_ts_ns, close_ts_ns, np.asarray(bars.close, dtype=np.float64),
                np.empty(0, dtype=np.int64))
    fixed = [np.zeros(min(n, 1), dtype=np.int64)]
    if n:
        # The first bar of each trading day: the DRB guard's daily budgets restart there.
        day = (close_ts_ns - core.settings.risk.daily_reset_offset_ns) // DAY_NS
        fixed.append(np.flatnonzero(day[1:] != day[:-1]) + 1)
    s.fixed = np.concatenate(fixed)  # ascending, distinct: bar 0, then day starts after it
    return s


def _replace_strategies(core: TradingCore, all_series: list[_Series], timeframe: str) -> None:
    """Compute each candle strategy's readings and signals over every series and run its
    stand-in in its place (the host's ``replace``: its hooks and the gates it offers)."""
    strategies = core.settings.strategies
    for name in [n for n in core.strategies if n in CANDLE_STRATEGIES]:
        params = strategies.trend if name == "trend" else strategies.cvd
        by_bar: dict[BarKey, tuple[Signal, ...]] = {}
        readings: dict[str, tuple[np.ndarray, TrendColumns]] = {}
        if params.timeframe == timeframe:  # otherwise the strategy ignores these candles
            for s in all_series:
                b = s.bars
                if name == "trend":
                    trend = trend_columns(strategies.trend, s.symbol, s.open_ts_ns, b.high, b.low, b.close)
                    readings[s.symbol] = (s.open_ts_ns, trend)
                    bars, signals = trend.signal_bars, trend.signals
                else:
                    cvd = cvd_columns(strategies.cvd, s.symbol, s.open_ts_ns, b.high, b.low, b.close, b.volume)
                    bars, signals = cvd.signal_bars, cvd.signals
                for bar, signal in zip(bars.tolist(), signals, strict=True):
                    key = (s.symbol, int(s.open_ts_ns[bar]))
                    by_bar[key] = (*by_bar.get(key, ()), signal)
                s.fixed = np.union1d(s.fixed, bars)  # small: signal bars and day starts
        replay = (ReplayedTrend(strategies.trend, by_bar, readings) if name == "trend"
                  else ReplayedCvd(strategies.cvd, by_bar))
        core.strategies.replace(name, replay, replay.params)


def _candle(s: _Series, i: int, timeframe: str) -> Candle:
    b = s.bars
    return Candle(s.symbol, timeframe, int(s.open_ts_ns[i]), float(b.open[i]), float(b.high[i]), float(b.low[i]),
                  float(b.close[i]), float(b.volume[i]))


def _next_fixed(s: _Series, after: int) -> int:
    """The first fixed bar after ``after`` (``len(s)`` if none)."""
    fixed = s.fixed
    while s.cursor < len(fixed) and fixed[s.cursor] <= after:
        s.cursor += 1
    return int(fixed[s.cursor]) if s.cursor < len(fixed) else len(s)


def _next_due(core: TradingCore, s: _Series, i: int) -> int:
    """The next bar of ``s`` the core must see after bar ``i``."""
    symbol = s.symbol
    if core.exits.exiting(symbol) is not None or any(
            o.symbol == symbol and o.is_open for o in core.orders.values()):
        return i + 1
    upcoming = _next_fixed(s, i)
    if s.rules is None:
        return upcoming
    hit = first_exit(s.rules, s.best, s.close[i + 1:upcoming], s.close_ts_ns[i + 1:upcoming])
    return i + 1 + hit if hit >= 0 else upcoming


def _mirror_tracker(core: TradingCore, s: _Series, i: int, latency_fills_inside: bool) -> None:
    """Follow the exit tracker's best mark (the anchor of a trailing stop) after bar ``i``."""
    rules = core.exits.rules(s.symbol)
    close = float(s.close[i])
    if rules is None:
        s.rules = None
    elif rules is not s.rules:
        s.rules = rules
        s.best = rules.entry_price
        # A fill inside the bar (an order activated by the bar's book) is tracked before the
        # bar's close is checked; a fill released after the bar is not.
        if latency_fills_inside:
            s.best = _better(rules.side, s.best, close)
    else:
        s.best = _better(rules.side, s.best, close)


def _catch_up_trailing(core: TradingCore, s: _Series, i: int) -> None:
    """Before the core sees bar ``i``: show the tracker the best close among the bars skipped
    since the last one it saw, so a trailing stop trails from where the event path's would."""
    rules = s.rules
    if rules is None or rules.trailing_stop_bps is None or i <= s.last + 1:
        return
    skipped = s.close[s.last + 1:i]
    at = best_mark(rules.side, skipped)
    price = float(skipped[at])
    if not (price > s.best if rules.side is Side.BUY else price < s.best):
        return  # the tracker moves its best only on a strictly better mark
    core.check_exits(s.symbol, price, int(s.close_ts_ns[s.last + 1 + at]))
    if core.exits.exiting(s.symbol) is not None:  # the scan ruled every skipped bar out: a disagreement is a bug
        raise RuntimeError(f"exit scan and exit tracker disagree on {s.symbol} at bar {s.last + 1 + at}")
    s.best = price


def _better(side: Side, best: float, price: float) -> float:
    return (price if price > best else best) if side is Side.BUY else (price if price < best else best)


class _StateRecorder:
    """Realised PnL and positions after each decided bar, kept where they change, to rebuild
    the portfolio's equity at every bar time."""

    def __init__(self, core: TradingCore) -> None:
        self._portfolio = core.portfolio
        self._initial = core.portfolio.initial_equity
        self._at: list[int] = []
        self._realized: list[float] = []
        self._positions: list[tuple[tuple[str, Position], ...]] = []

    def record(self, time_index: int) -> None:
        portfolio = self._portfolio
        positions = tuple(portfolio.positions().items())
        realized = portfolio.realized_pnl()
        if self._at and self._realized[-1] == realized and self._positions[-1] == positions:
            return
        if self._at and self._at[-1] == time_index:
            self._realized[-1], self._positions[-1] = realized, positions
            return
        self._at.append(time_index)
        self._realized.append(realized)
        self._positions.append(positions)

    def curve(self, times: np.ndarray, all_series: list[_Series]) -> tuple[np.ndarray, np.ndarray]:
        """Equity and exposure at each bar time: the portfolio's equity with each symbol marked at
        its latest close."""
        n = len(times)
        equity = np.full(n, float(self._initial))
        exposed = np.zeros(n, dtype=bool)
        by_symbol = {s.symbol: s for s in all_series}
        marks: dict[str, np.ndarray] = {}
        bounds = [*self._at, n]
        for k, start in enumerate(self._at):
            end = bounds[k + 1]
            if end <= start:
                continue
            positions = self._positions[k]
            for symbol, _ in positions:
                if symbol not in marks:
                    marks[symbol] = _marks_on(times, by_symbol[symbol])
            window = {symbol: marks[symbol][start:end] for symbol, _ in positions}
            equity[start:end] = marked_equity(self._initial, self._realized[k], positions, window)
            exposed[start:end] = bool(positions)
        return equity, exposed


def _marks_on(times: np.ndarray, s: _Series) -> np.ndarray:
    """Each bar time's mark of ``s``: its latest close at or before that time."""
    at = np.searchsorted(s.open_ts_ns, times, side="right") - 1
    return np.where(at >= 0, s.close[np.maximum(at, 0)], np.nan)
