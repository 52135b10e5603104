"""Trend filter: moving-average trend state and volatility regime, used as a gate and a size factor.

On each closed candle of its timeframe it updates a fast and a slow simple moving average of
closes, the fast average's slope, and realised volatility against its own average. Other
strategies and the signal manager read ``view``, ``allows`` and ``size_factor``; until the
slow average is full the filter is not ready and allows everything at full size.

It also emits a signal of its own, with the trend, whenever a symbol enters a strong state.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from mypy_extensions import mypyc_attr

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import Candle, Priority, ReasonCode, Side, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy
from hft_tui.strategies.offers import Gate, GateResult, Offers
from hft_tui.strategies.indicators import RollingMean, RollingStd
from hft_tui.strategies.trend_params import TrendParams

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)
# After the flow-toxicity gate (VPIN, rank 10): a signal both block is rejected as toxic.
TREND_GATE_RANK = 20


class TrendState(StrEnum):
    STRONG_UP = "STRONG_UP"
    WEAK_UP = "WEAK_UP"
    NEUTRAL = "NEUTRAL"
    WEAK_DOWN = "WEAK_DOWN"
    STRONG_DOWN = "STRONG_DOWN"


class Regime(StrEnum):
    TRENDING_UP = "TRENDING_UP"
    TRENDING_DOWN = "TRENDING_DOWN"
    RANGE = "RANGE"
    VOLATILE = "VOLATILE"


@dataclass(frozen=True, slots=True)
class TrendView:
    """The filter's reading for one symbol; ``ready`` is False until the slow average is full."""

    state: TrendState
    regime: Regime
    confidence: float
    ready: bool
    fast_ma: float = math.nan
    slow_ma: float = math.nan
    spread_bps: float = 0.0
    slope_bps: float = 0.0
    vol_ratio: float = 1.0


NOT_READY = TrendView(TrendState.NEUTRAL, Regime.RANGE, 0.0, False)

# Codes of the shared classifier: indexes into these tuples (definition order).
TREND_STATES: tuple[TrendState, ...] = tuple(TrendState)
REGIMES: tuple[Regime, ...] = tuple(Regime)
_STRONG_UP, _WEAK_UP, _NEUTRAL, _WEAK_DOWN, _STRONG_DOWN = range(len(TREND_STATES))
_TRENDING_UP, _TRENDING_DOWN, _RANGE, _VOLATILE = range(len(REGIMES))


class ArrayOps(Protocol):
    """The three array functions the classifier needs: numpy itself, or ``SCALAR_OPS``."""

    def where(self, condition: Any, x: Any, y: Any, /) -> Any: ...
    def minimum(self, x: Any, y: Any, /) -> Any: ...
    def maximum(self, x: Any, y: Any, /) -> Any: ...


class _ScalarOps:
    """numpy's ``where``/``minimum``/``maximum`` for plain floats (no NaN reaches them)."""

    @staticmethod
    def where(condition: Any, x: Any, y: Any, /) -> Any:
        return x if condition else y

    minimum = staticmethod(min)
    maximum = staticmethod(max)


SCALAR_OPS: ArrayOps = _ScalarOps()


def classify(p: TrendParams, spread_bps: Any, slope_bps: Any, vol_ratio: Any, ops: ArrayOps) -> tuple[Any, Any, Any]:
    """(state code, regime code, confidence) of a reading: indexes into ``TREND_STATES`` and
    ``REGIMES``. One definition for floats (the filter, ``SCALAR_OPS``) and for whole numpy
    columns (the vectorised candle path, ``ops=numpy``), so the two cannot drift apart."""
    strong_up = (spread_bps >= p.strong_spread_bps) & (slope_bps >= p.strong_slope_bps)
    strong_down = (spread_bps <= -p.strong_spread_bps) & (slope_bps <= -p.strong_slope_bps)
    where = ops.where
    state = where(strong_up, _STRONG_UP, where(strong_down, _STRONG_DOWN, where(
        spread_bps >= p.weak_spread_bps, _WEAK_UP, where(spread_bps <= -p.weak_spread_bps, _WEAK_DOWN, _NEUTRAL))))
    direction = where(state <= _WEAK_UP, 1, where(state >= _WEAK_DOWN, -1, 0))
    regime = where(vol_ratio >= p.volatile_ratio, _VOLATILE, where(
        (direction > 0) & (slope_bps > 0.0), _TRENDING_UP, where(
            (direction < 0) & (slope_bps < 0.0), _TRENDING_DOWN, _RANGE)))
    # Confidence: how far spread and slope go past the strong thresholds, each worth half,
    # saturating at twice the threshold; a reading in the wrong direction counts zero.
    spread_part = ops.minimum(1.0, ops.maximum(0.0, direction * spread_bps) / (2.0 * p.strong_spread_bps))
    slope_scale = 2.0 * p.strong_slope_bps if p.strong_slope_bps > 0.0 else 1.0
    slope_part = ops.minimum(1.0, ops.maximum(0.0, direction * slope_bps) / slope_scale)
    confidence = where(direction != 0, 0.5 * spread_part + 0.5 * slope_part, 0.0)
    return state, regime, confidence


class _SymbolTrend:
    """Per-symbol indicator state."""

    __slots__ = ("fast", "slow", "fast_hist", "returns", "vol_avg", "atr", "prev_close", "view", "last_signal_ts_ns")

    def __init__(self, p: TrendParams) -> None:
        self.fast = RollingMean(p.fast_period)
        self.slow = RollingMean(p.slow_period)
        self.fast_hist: deque[float] = deque(maxlen=p.slope_bars + 1)
        self.returns = RollingStd(p.vol_window)
        self.vol_avg = RollingMean(p.vol_avg_window)
        self.atr = RollingMean(p.atr_period)
        self.prev_close = math.nan
        self.view = NOT_READY
        # Per side: a trend flickering in and out of "strong" must not repeat its signal.
        self.last_signal_ts_ns = {Side.BUY: _NEVER, Side.SELL: _NEVER}


# The vectorised candle backtest's stand-in (backtest/replayed_signals.py) subclasses it.
@mypyc_attr(allow_interpreted_subclasses=True)
class TrendFilter(Strategy[TrendParams]):
    """Five trend states and four regimes per symbol from closed candles; see the module doc."""

    name = "trend"
    params_model = TrendParams
    exit_params = ("take_profit_atr", "stop_loss_atr")

    def __init__(self, params: TrendParams | None = None) -> None:
        super().__init__(params)
        self._symbols: dict[str, _SymbolTrend] = {}

    def on_params_changed(self) -> None:
        # Window lengths may have changed: start the warm-up again rather than mixing windows.
        self._symbols.clear()

    def offers(self) -> Offers:
        return Offers(gates=(Gate(self.gate, TREND_GATE_RANK),))

    def gate(self, signal: Signal) -> GateResult:
        """Blocks a trade against a strong trend, shrinks one against a weak trend."""
        blocked = self.allows(signal.symbol, signal.side)
        if blocked is not None:
            return 0.0, blocked
        return min(self.size_factor(signal.symbol, signal.side), 1.0), None

    # --- read API for gates and sizing --------------------------------------------------------

    def view(self, symbol: str) -> TrendView:
        """The latest reading for ``symbol`` (``ready=False`` until warmed up)."""
        st = self._symbols.get(symbol)
        return st.view if st is not None else NOT_READY

    def allows(self, symbol: str, side: Side) -> ReasonCode | None:
        """None if a trade on ``side`` is allowed, else the blocking reason code."""
        v = self.view(symbol)
        if not v.ready:
            return None
        if side is Side.SELL and v.state is TrendState.STRONG_UP:
            return ReasonCode.TREND_BLOCK_SHORT
        if side is Side.BUY and v.state is TrendState.STRONG_DOWN:
            return ReasonCode.TREND_BLOCK_LONG
        return None

    def size_factor(self, symbol: str, side: Side) -> float:
        """Multiplier for a trade's size on ``side``: 1.0 when not ready or neutral, 0.0 when blocked."""
        return trend_size_factor(self._params, self.view(symbol), side)

    def load_view(self, symbol: str, view: TrendView) -> None:
        """Take ``view`` as ``symbol``'s latest reading: the vectorised candle backtest's stand-in
        (``backtest/replayed_signals.py``) computes the readings over whole columns and takes the
        one of each bar it is handed."""
        st = self._symbols.get(symbol)
        if st is None:
            st = self._symbols[symbol] = _SymbolTrend(self._params)
        st.view = view

    # --- strategy hooks -----------------------------------------------------------------------

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        p = self._params
        if candle.timeframe != p.timeframe or not candle.close > 0.0:
            return NO_SIGNALS
        st = self._symbols.get(candle.symbol)
        if st is None:
            st = self._symbols[candle.symbol] = _SymbolTrend(p)
        close = candle.close
        prev_close = st.prev_close
        if prev_close == prev_close:  # not NaN: there is a previous candle
            st.returns.push(math.log(close / prev_close))
            true_range = max(candle.high, prev_close) - min(candle.low, prev_close)
        else:
            true_range = candle.high - candle.low
        st.atr.push(true_range)
        st.prev_close = close
        st.fast.push(close)
        st.slow.push(close)
        if st.fast.full:
            st.fast_hist.append(st.fast.value)
        realised = st.returns.std if st.returns.count >= 2 else math.nan
        if realised == realised:
            st.vol_avg.push(realised)

        previous = st.view
        st.view = self._read(st, realised)
        if not (st.view.ready and _is_strong(st.view.state) and st.view.state is not previous.state):
            return NO_SIGNALS
        side = Side.BUY if st.view.state is TrendState.STRONG_UP else Side.SELL
        ts_ns = candle.open_ts_ns + parse_timeframe(p.timeframe)  # the candle's close
        if ts_ns - st.last_signal_ts_ns[side] < p.cooldown_s * _NS_PER_S:
            return NO_SIGNALS
        st.last_signal_ts_ns[side] = ts_ns
        return (strong_trend_signal(p, candle.symbol, side, st.view, st.atr.value, candle.close, ts_ns),)

    def _read(self, st: _SymbolTrend, realised: float) -> TrendView:
        p = self._params
        ready = st.slow.full and len(st.fast_hist) > p.slope_bars
        if not ready:
            return NOT_READY
        fast = st.fast.value
        slow = st.slow.value
        spread_bps = (fast - slow) / slow * 1e4
        slope_bps = (fast - st.fast_hist[0]) / st.fast_hist[0] * 1e4 / p.slope_bars
        vol_avg = st.vol_avg.value
        vol_ratio = realised / vol_avg if vol_avg > 0.0 else 1.0

        state, regime, confidence = classify(p, spread_bps, slope_bps, vol_ratio, SCALAR_OPS)
        return TrendView(TREND_STATES[state], REGIMES[regime], confidence, True, fast, slow, spread_bps, slope_bps,
                         vol_ratio)


def trend_size_factor(p: TrendParams, v: TrendView, side: Side) -> float:
    """The size multiplier reading ``v`` gives a trade on ``side`` (see ``TrendFilter.size_factor``)."""
    if not v.ready:
        return 1.0
    direction = _direction(v.state)
    if direction == 0:
        factor = 1.0
    elif direction == side.sign:
        factor = p.strong_with_size_factor if _is_strong(v.state) else 1.0
    else:
        factor = 0.0 if _is_strong(v.state) else p.weak_against_size_factor
    if v.regime is Regime.VOLATILE:
        factor *= p.volatile_size_factor
    return factor


def strong_trend_signal(p: TrendParams, symbol: str, side: Side, v: TrendView, atr: float, close: float,
                  ts_ns: int) -> Signal:
    """The signal for entering a strong state with reading ``v``, stamped ``ts_ns`` (the bar's close)."""
    reason = ReasonCode.TREND_STRONG_UP if side is Side.BUY else ReasonCode.TREND_STRONG_DOWN
    return Signal(
        symbol=symbol,
        side=side,
        confidence=v.confidence,
        priority=Priority.MEDIUM if v.confidence >= 0.75 else Priority.LOW,
        reasons=(reason,),
        strategy=TrendFilter.name,
        ts_ns=ts_ns,
        expiry_ts_ns=ts_ns + int(p.signal_ttl_s * _NS_PER_S),
        take_profit=close + side.sign * p.take_profit_atr * atr,
        stop_loss=close - side.sign * p.stop_loss_atr * atr,
        size_hint=trend_size_factor(p, v, side),
    )


def _direction(state: TrendState) -> int:
    if state is TrendState.STRONG_UP or state is TrendState.WEAK_UP:
        return 1
    if state is TrendState.STRONG_DOWN or state is TrendState.WEAK_DOWN:
        return -1
    return 0


def _is_strong(state: TrendState) -> bool:
    return state is TrendState.STRONG_UP or state is TrendState.STRONG_DOWN
