"""CVD detector: cumulative volume delta divergences and exhaustion at local extremes.

Cumulative volume delta (CVD) adds each trade's quantity signed by its aggressor. The
detector groups the flow into bars, either every ``bar_trades`` trades (the default: it
reacts within seconds on a busy market) or closed candles of ``timeframe``, and on each bar:

- finds swing highs/lows (a bar whose extreme beats ``swing_strength`` bars on each side);
  a higher price high on a lower CVD high is a bearish divergence (SELL ``CVD_BEAR_DIV``),
  a lower price low on a higher CVD low a bullish one (BUY ``CVD_BULL_DIV``);
- flags exhaustion: a bar with volume ``exhaustion_volume_mult`` times the average that
  makes a new local high on net buying (SELL ``CVD_BUY_EXHAUSTION``) or a new local low on
  net selling (BUY ``CVD_SELL_EXHAUSTION``).

``confirms(symbol, side)`` tells other strategies whether recent flow backs a trade.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import Candle, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, Strategy
from hft_tui.strategies.cvd_params import CvdParams
from hft_tui.strategies.indicators import RollingMean, RollingSum, TimeWindowExtremes

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)
# Floor for the average bar range used in TP/SL, as a fraction of price: flat bars on an
# illiquid symbol would otherwise put the take-profit on top of the entry.
_MIN_RANGE_FRACTION = 1e-4


class _Bar:
    __slots__ = ("index", "end_ts_ns", "high", "low", "close", "volume", "delta", "cvd")

    def __init__(
        self, index: int, end_ts_ns: int, high: float, low: float, close: float, volume: float, delta: float, cvd: float
    ) -> None:
        self.index = index
        self.end_ts_ns = end_ts_ns
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.delta = delta
        self.cvd = cvd


class _SymbolCvd:
    """Per-symbol flow state: running CVD, the bar being built, recent bars and swings."""

    __slots__ = (
        "cvd", "last_ts_ns", "recent_delta", "recent_volume",
        "n", "high", "low", "close", "volume", "buy_volume",
        "bar_index", "bar_cvd", "window", "swing_high", "swing_low",
        "volume_avg", "range_avg", "highs", "lows", "last_signal_ts_ns",
    )  # fmt: skip

    def __init__(self, p: CvdParams) -> None:
        self.cvd = 0.0
        self.last_ts_ns = 0
        self.recent_delta = RollingSum(p.confirm_trades)
        self.recent_volume = RollingSum(p.confirm_trades)
        # The trade bar being built ('trades' mode).
        self.n = 0
        self.high = self.low = self.close = 0.0
        self.volume = self.buy_volume = 0.0
        self.bar_index = 0
        self.bar_cvd = 0.0
        self.window: deque[_Bar] = deque(maxlen=2 * p.swing_strength + 1)
        self.swing_high: _Bar | None = None
        self.swing_low: _Bar | None = None
        self.volume_avg = RollingMean(p.volume_avg_bars)
        self.range_avg = RollingMean(p.volume_avg_bars)
        # Stamped with the bar index, so these windows count bars rather than nanoseconds.
        self.highs = TimeWindowExtremes(p.extreme_lookback_bars)
        self.lows = TimeWindowExtremes(p.extreme_lookback_bars)
        # Last signal per side: it gates the cooldown and confirms that side for a while.
        self.last_signal_ts_ns = {Side.BUY: _NEVER, Side.SELL: _NEVER}


class CvdDetector(Strategy[CvdParams]):
    """CVD divergence and exhaustion signals per symbol; see the module doc."""

    name = "cvd"
    params_model = CvdParams
    exit_params = ("take_profit_ranges", "stop_buffer_ranges")

    def __init__(self, params: CvdParams | None = None) -> None:
        super().__init__(params)
        self._symbols: dict[str, _SymbolCvd] = {}

    def on_params_changed(self) -> None:
        # Bar definitions and windows may have changed; old bars would be incomparable.
        self._symbols.clear()

    # --- read API -----------------------------------------------------------------------------

    def cumulative_delta(self, symbol: str) -> float:
        """Running CVD of ``symbol`` (base-asset quantity, buys minus sells) since start."""
        st = self._symbols.get(symbol)
        return st.cvd if st is not None else 0.0

    def confirms(self, symbol: str, side: Side) -> bool:
        """True if recent flow backs ``side``: a CVD signal for it within the TTL, or net delta that way."""
        st = self._symbols.get(symbol)
        if st is None:
            return False
        p = self._params
        if st.last_ts_ns - st.last_signal_ts_ns[side] <= p.confirm_event_ttl_s * _NS_PER_S:
            return True
        volume = st.recent_volume.value
        if volume <= 0.0:
            return False
        return side.sign * st.recent_delta.value / volume >= p.confirm_min_delta_ratio

    # --- strategy hooks -----------------------------------------------------------------------

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        st = self._state(trade.symbol)
        qty = trade.qty
        is_buy = trade.side is Side.BUY
        signed = qty if is_buy else -qty
        st.cvd += signed
        st.last_ts_ns = trade.ts_ns
        st.recent_delta.push(signed)
        st.recent_volume.push(qty)
        p = self._params
        if p.bar_mode != "trades":
            return NO_SIGNALS
        price = trade.price
        if st.n == 0:
            st.high = st.low = price
        elif price > st.high:
            st.high = price
        elif price < st.low:
            st.low = price
        st.close = price
        st.volume += qty
        if is_buy:
            st.buy_volume += qty
        st.n += 1
        if st.n < p.bar_trades:
            return NO_SIGNALS
        signals = self._close_bar(trade.symbol, st, trade.ts_ns, st.high, st.low, st.close, st.volume, st.buy_volume)
        st.n = 0
        st.volume = st.buy_volume = 0.0
        return signals

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        p = self._params
        if p.bar_mode != "candles" or candle.timeframe != p.timeframe:
            return NO_SIGNALS
        st = self._state(candle.symbol)
        end_ts_ns = candle.open_ts_ns + parse_timeframe(p.timeframe)
        st.last_ts_ns = max(st.last_ts_ns, end_ts_ns)
        return self._close_bar(
            candle.symbol, st, end_ts_ns, candle.high, candle.low, candle.close, candle.volume, candle.buy_volume
        )

    # --- bar logic ----------------------------------------------------------------------------

    def _state(self, symbol: str) -> _SymbolCvd:
        st = self._symbols.get(symbol)
        if st is None:
            st = self._symbols[symbol] = _SymbolCvd(self._params)
        return st

    def _close_bar(
        self,
        symbol: str,
        st: _SymbolCvd,
        end_ts_ns: int,
        high: float,
        low: float,
        close: float,
        volume: float,
        buy_volume: float,
    ) -> Sequence[Signal]:
        delta = 2.0 * buy_volume - volume
        st.bar_cvd += delta
        bar = _Bar(st.bar_index, end_ts_ns, high, low, close, volume, delta, st.bar_cvd)
        st.bar_index += 1
        signals: list[Signal] | None = None

        # Exhaustion compares the bar with the bars before it, so it runs before they absorb it.
        exhaustion = self._exhaustion(symbol, st, bar)
        if exhaustion is not None:
            signals = [exhaustion]
        st.volume_avg.push(volume)
        st.range_avg.push(high - low)
        st.highs.push(bar.index, high)
        st.lows.push(bar.index, low)
        st.window.append(bar)
        divergence = self._divergence(symbol, st)
        if divergence is not None:
            signals = [divergence] if signals is None else [*signals, divergence]
        return signals if signals is not None else NO_SIGNALS

    def _exhaustion(self, symbol: str, st: _SymbolCvd, bar: _Bar) -> Signal | None:
        p = self._params
        if not st.volume_avg.full:
            return None
        avg_volume = st.volume_avg.value
        if avg_volume <= 0.0 or bar.volume < p.exhaustion_volume_mult * avg_volume:
            return None
        if bar.delta > 0.0 and bar.high >= st.highs.max:
            side, reason, extreme = Side.SELL, ReasonCode.CVD_BUY_EXHAUSTION, bar.high
        elif bar.delta < 0.0 and bar.low <= st.lows.min:
            side, reason, extreme = Side.BUY, ReasonCode.CVD_SELL_EXHAUSTION, bar.low
        else:
            return None
        excess = (bar.volume / avg_volume - p.exhaustion_volume_mult) / p.exhaustion_volume_mult
        return self._signal(symbol, st, side, reason, bar, extreme, self._confidence(excess))

    def _divergence(self, symbol: str, st: _SymbolCvd) -> Signal | None:
        """Check the middle bar of the swing window, now that it has bars on both sides."""
        p = self._params
        window = st.window
        if len(window) < window.maxlen:  # type: ignore[operator]
            return None
        k = p.swing_strength
        mid = window[k]
        last = window[-1]
        is_high = all(window[i].high < mid.high for i in range(k)) and all(
            window[i].high <= mid.high for i in range(k + 1, 2 * k + 1)
        )
        is_low = all(window[i].low > mid.low for i in range(k)) and all(
            window[i].low >= mid.low for i in range(k + 1, 2 * k + 1)
        )
        signal: Signal | None = None
        cvd_gap_min = p.min_cvd_diff_bars * st.volume_avg.value
        price_diff = p.min_price_diff_bps * 1e-4
        if is_high:
            prev = st.swing_high
            if (
                prev is not None
                and mid.index - prev.index <= p.lookback_bars
                and mid.high > prev.high * (1.0 + price_diff)
                and prev.cvd - mid.cvd >= cvd_gap_min
                and prev.cvd > mid.cvd
            ):
                strength = (prev.cvd - mid.cvd) / max(st.volume_avg.value, 1e-12)
                confidence = self._confidence(strength / 4.0)
                signal = self._signal(symbol, st, Side.SELL, ReasonCode.CVD_BEAR_DIV, last, mid.high, confidence)
            st.swing_high = mid
        if is_low:
            prev = st.swing_low
            if (
                prev is not None
                and mid.index - prev.index <= p.lookback_bars
                and mid.low < prev.low * (1.0 - price_diff)
                and mid.cvd - prev.cvd >= cvd_gap_min
                and mid.cvd > prev.cvd
            ):
                strength = (mid.cvd - prev.cvd) / max(st.volume_avg.value, 1e-12)
                confidence = self._confidence(strength / 4.0)
                signal = self._signal(symbol, st, Side.BUY, ReasonCode.CVD_BULL_DIV, last, mid.low, confidence)
            st.swing_low = mid
        return signal

    def _confidence(self, strength: float) -> float:
        return cvd_confidence(self._params, strength)

    def _signal(
        self,
        symbol: str,
        st: _SymbolCvd,
        side: Side,
        reason: ReasonCode,
        bar: _Bar,
        extreme: float,
        confidence: float,
    ) -> Signal | None:
        """Build the signal for ``bar`` unless the side is cooling down; stops go past ``extreme``."""
        p = self._params
        ts_ns = bar.end_ts_ns
        if ts_ns - st.last_signal_ts_ns[side] < p.cooldown_s * _NS_PER_S:
            return None
        st.last_signal_ts_ns[side] = ts_ns
        return cvd_signal(p, symbol, side, reason, ts_ns, bar.close, extreme, st.range_avg.value, confidence)


def cvd_confidence(p: CvdParams, strength: float) -> float:
    """Base confidence plus ``strength`` (0..1, capped) of the way to the maximum."""
    return p.base_confidence + (p.max_confidence - p.base_confidence) * max(0.0, min(1.0, strength))


def cvd_signal(p: CvdParams, symbol: str, side: Side, reason: ReasonCode, ts_ns: int, close: float,
               extreme: float, range_avg: float, confidence: float) -> Signal:
    """A CVD signal at a bar closing at ``close``: the take-profit ``take_profit_ranges`` average
    bar ranges away, the stop ``stop_buffer_ranges`` beyond ``extreme``."""
    avg_range = max(range_avg, close * _MIN_RANGE_FRACTION)
    return Signal(
        symbol=symbol,
        side=side,
        confidence=confidence,
        priority=Priority.MEDIUM,
        reasons=(reason,),
        strategy=CvdDetector.name,
        ts_ns=ts_ns,
        expiry_ts_ns=ts_ns + int(p.signal_ttl_s * _NS_PER_S),
        take_profit=close + side.sign * p.take_profit_ranges * avg_range,
        stop_loss=extreme - side.sign * p.stop_buffer_ranges * avg_range,
    )
