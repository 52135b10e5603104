"""Liquidation hunter: fade a liquidation flush once it has run its course.

A flush is detected in one of two ways per symbol:

- from the exchange's liquidation feed: forced-order notional on one side summing to at
  least ``cluster_notional_usd`` within ``cluster_window_s`` (``LIQ_CLUSTER_LONG`` when
  longs are liquidated, ``LIQ_CLUSTER_SHORT`` when shorts are);
- where no liquidation has been seen for the symbol (the exchange has no such feed), from a
  cascade proxy on trades: a one-sided move of ``proxy_move_pct`` within ``proxy_window_s``
  on a volume burst of ``proxy_volume_mult`` times the usual rate (``LIQ_CASCADE_PROXY``).

A detected flush is armed, not traded: the hunter waits until it settles (no new
liquidation, or no new extreme for the proxy, for ``settle_s``) and then fades it: long
after a long flush, short after a short squeeze. A flush that never settles within
``max_arm_s`` is abandoned rather than caught like a falling knife.

Collaborators are injected: ``trend`` (a :class:`TrendFilter`) gates the fade, so a fade
against a strong trend is not emitted (the gate's reason is recorded upstream, where the
signal manager asks the same filter), and scales its size; ``cvd`` (a :class:`CvdDetector`)
raises confidence when flow confirms the fade (``CVD_CONFIRM``). The engine feeds both as
strategies in their own right; the hunter only reads them.

Take-profit and stop-loss are set from the last minute's per-second volatility, scaled to
``vol_horizon_s`` and clamped; the size hint shrinks when that volatility runs well above
its longer average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hft_tui.model import Liquidation, OrderBook, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, BuildContext, Strategy, StrategyParams
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.liquidation_hunter_params import LiquidationHunterParams
from hft_tui.strategies.indicators import PerSecondVolatility, TimeWindowExtremes, TimeWindowSum
from hft_tui.strategies.quiet_book import QuietBook, hold_until
from hft_tui.strategies.trend_filter import TrendFilter

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)


class _Flush:
    """An armed flush waiting to settle. ``side`` is the fade's side; ``extreme`` is the
    proxy's furthest price so far (a new one means the cascade is still running)."""

    __slots__ = ("side", "reason", "armed_ts_ns", "last_activity_ts_ns", "extreme", "strength")

    def __init__(self, side: Side, reason: ReasonCode, ts_ns: int, extreme: float, strength: float) -> None:
        self.side = side
        self.reason = reason
        self.armed_ts_ns = ts_ns
        self.last_activity_ts_ns = ts_ns
        self.extreme = extreme
        self.strength = strength


class _SymbolHunt:
    """Per-symbol windows and the armed flush."""

    __slots__ = (
        "long_liqs", "short_liqs", "has_liquidation_feed",
        "extremes", "buy_volume", "sell_volume", "baseline_volume", "first_trade_ts_ns",
        "vol_fast", "vol_slow", "last_price", "flush", "must_clear", "last_signal_ts_ns",
    )  # fmt: skip

    def __init__(self, p: LiquidationHunterParams) -> None:
        cluster_ns = int(p.cluster_window_s * _NS_PER_S)
        proxy_ns = int(p.proxy_window_s * _NS_PER_S)
        self.long_liqs = TimeWindowSum(cluster_ns)
        self.short_liqs = TimeWindowSum(cluster_ns)
        self.has_liquidation_feed = False
        self.extremes = TimeWindowExtremes(proxy_ns)
        self.buy_volume = TimeWindowSum(proxy_ns)
        self.sell_volume = TimeWindowSum(proxy_ns)
        self.baseline_volume = TimeWindowSum(int(p.proxy_baseline_s * _NS_PER_S))
        self.first_trade_ts_ns: int | None = None
        self.vol_fast = PerSecondVolatility(p.vol_fast_samples)
        self.vol_slow = PerSecondVolatility(p.vol_slow_samples)
        self.last_price = math.nan
        self.flush: _Flush | None = None
        # After a flush ends, its fade side re-arms only once its trigger has gone quiet,
        # so one long cluster is never faded twice.
        self.must_clear = {Side.BUY: False, Side.SELL: False}
        self.last_signal_ts_ns = _NEVER


class LiquidationHunter(Strategy[LiquidationHunterParams]):
    """Fades liquidation clusters (feed or cascade proxy); ``trend`` and ``cvd`` are injected."""

    name = "liq_hunter"
    params_model = LiquidationHunterParams
    needs = ("trend", "cvd")
    exit_params = ("min_take_profit_pct", "max_take_profit_pct", "min_stop_loss_pct", "max_stop_loss_pct")

    def __init__(
        self,
        trend: TrendFilter,
        cvd: CvdDetector,
        params: LiquidationHunterParams | None = None,
    ) -> None:
        """``trend`` gates and sizes the fades, ``cvd`` confirms them; both are fed by the engine."""
        super().__init__(params)
        self._trend = trend
        self._cvd = cvd
        self._symbols: dict[str, _SymbolHunt] = {}
        # Typed as present here; ``quiet_books`` (the same dict) is what the core reads.
        self._quiet: dict[str, QuietBook] = {}
        self.quiet_books = self._quiet

    @classmethod
    def build(cls, params: StrategyParams, context: BuildContext) -> LiquidationHunter:
        return cls(context.needs["trend"], context.needs["cvd"], params)  # type: ignore[arg-type]

    def on_params_changed(self) -> None:
        # Window lengths may have changed; windows of the old length cannot be resized in place.
        self._symbols.clear()
        self._quiet.clear()

    # --- strategy hooks -----------------------------------------------------------------------

    def on_liquidation(self, liquidation: Liquidation) -> Sequence[Signal]:
        self._quiet.pop(liquidation.symbol, None)
        st = self._state(liquidation.symbol)
        p = self._params
        ts_ns = liquidation.ts_ns
        st.has_liquidation_feed = True
        # A long being liquidated sells into the market: fade that flush with a buy.
        if liquidation.side is Side.SELL:
            fade, reason, window, other = Side.BUY, ReasonCode.LIQ_CLUSTER_LONG, st.long_liqs, st.short_liqs
        else:
            fade, reason, window, other = Side.SELL, ReasonCode.LIQ_CLUSTER_SHORT, st.short_liqs, st.long_liqs
        window.evict(ts_ns)
        other.evict(ts_ns)
        if window.value < p.cluster_notional_usd:
            st.must_clear[fade] = False  # the last cluster on this side has aged out
        window.push(ts_ns, liquidation.price * liquidation.qty)
        strength = window.value / p.cluster_notional_usd
        flush = st.flush
        if flush is not None and flush.side is fade and flush.reason is reason:
            flush.last_activity_ts_ns = ts_ns
            flush.strength = max(flush.strength, strength)
        else:
            self._maybe_arm(st, fade, reason, ts_ns, liquidation.price, strength)
        return self._check_settled(liquidation.symbol, st, ts_ns)

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        self._quiet.pop(trade.symbol, None)
        st = self._state(trade.symbol)
        ts_ns = trade.ts_ns
        price = trade.price
        if not price > 0.0:
            return NO_SIGNALS
        st.last_price = price
        st.vol_fast.update(ts_ns, price)
        st.vol_slow.update(ts_ns, price)
        if not st.has_liquidation_feed:
            self._proxy(st, trade)
        return self._check_settled(trade.symbol, st, ts_ns)

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        symbol = book.symbol
        st = self._symbols.get(symbol)
        bids = book.bids
        asks = book.asks
        if st is None or not len(bids) or not len(asks):
            return NO_SIGNALS
        ts_ns = book.ts_ns
        bid: float = bids.item(0, 0)
        ask: float = asks.item(0, 0)
        mid = (bid + ask) * 0.5
        st.last_price = mid
        st.vol_fast.update(ts_ns, mid)
        st.vol_slow.update(ts_ns, mid)
        signals = self._check_settled(symbol, st, ts_ns)
        if st.flush is None:
            # Until a volatility sample is due, a book at this mid changes nothing here (both
            # estimators are fed the same prices at the same times: they sample together).
            hold_until(self._quiet, symbol, mid, st.vol_fast.next_sample_ns)
        else:
            self._quiet.pop(symbol, None)
        return signals

    # --- detection ----------------------------------------------------------------------------

    def _state(self, symbol: str) -> _SymbolHunt:
        st = self._symbols.get(symbol)
        if st is None:
            st = self._symbols[symbol] = _SymbolHunt(self._params)
        return st

    def _proxy(self, st: _SymbolHunt, trade: Trade) -> None:
        """Cascade proxy: a fast one-sided move on a volume burst, from trades alone."""
        p = self._params
        ts_ns = trade.ts_ns
        price = trade.price
        qty = trade.qty
        first_ts_ns = st.first_trade_ts_ns
        if first_ts_ns is None:
            first_ts_ns = st.first_trade_ts_ns = ts_ns
        st.extremes.push(ts_ns, price)
        if trade.side is Side.BUY:
            st.buy_volume.push(ts_ns, qty)
            st.sell_volume.evict(ts_ns)
        else:
            st.sell_volume.push(ts_ns, qty)
            st.buy_volume.evict(ts_ns)
        st.baseline_volume.push(ts_ns, qty)

        flush = st.flush
        if flush is not None and flush.reason is ReasonCode.LIQ_CASCADE_PROXY:
            # The flush goes on while it keeps making new extremes.
            if flush.side.sign * (flush.extreme - price) > 0.0:
                flush.extreme = price
                flush.last_activity_ts_ns = ts_ns
            return

        window_ns = st.extremes.window_ns
        if ts_ns - first_ts_ns < 2 * window_ns:
            return  # too little history to know the usual volume
        window_volume = st.buy_volume.value + st.sell_volume.value
        usual = st.baseline_volume.value * window_ns / max(st.baseline_volume.span_ns(ts_ns), 1)
        if usual <= 0.0 or window_volume <= 0.0:
            return
        burst = window_volume / (p.proxy_volume_mult * usual)
        move = p.proxy_move_pct * 0.01
        drop = 1.0 - price / st.extremes.max
        rise = price / st.extremes.min - 1.0
        sell_share = st.sell_volume.value / window_volume
        if drop >= move and sell_share >= p.proxy_one_sided_share and burst >= 1.0:
            self._maybe_arm(st, Side.BUY, ReasonCode.LIQ_CASCADE_PROXY, ts_ns, price, min(burst, drop / move))
        elif rise >= move and 1.0 - sell_share >= p.proxy_one_sided_share and burst >= 1.0:
            self._maybe_arm(st, Side.SELL, ReasonCode.LIQ_CASCADE_PROXY, ts_ns, price, min(burst, rise / move))
        else:
            # No cascade in progress: both sides may arm again.
            st.must_clear[Side.BUY] = False
            st.must_clear[Side.SELL] = False

    def _maybe_arm(
        self, st: _SymbolHunt, fade: Side, reason: ReasonCode, ts_ns: int, price: float, strength: float
    ) -> None:
        """Arm a flush on ``fade`` if the trigger reached strength 1, the side is clear and not cooling down."""
        if strength < 1.0 or st.must_clear[fade] or ts_ns - st.last_signal_ts_ns < self._params.cooldown_s * _NS_PER_S:
            return
        st.flush = _Flush(fade, reason, ts_ns, price, strength)

    # --- firing -------------------------------------------------------------------------------

    def _check_settled(self, symbol: str, st: _SymbolHunt, ts_ns: int) -> Sequence[Signal]:
        flush = st.flush
        if flush is None:
            return NO_SIGNALS
        p = self._params
        if ts_ns - flush.last_activity_ts_ns < p.settle_s * _NS_PER_S:
            if ts_ns - flush.armed_ts_ns > p.max_arm_s * _NS_PER_S:
                st.flush = None
                st.must_clear[flush.side] = True
            return NO_SIGNALS
        st.flush = None
        st.must_clear[flush.side] = True
        side = flush.side
        if self._trend.allows(symbol, side) is not None:
            return NO_SIGNALS
        price = st.last_price
        if not price > 0.0:
            return NO_SIGNALS
        st.last_signal_ts_ns = ts_ns
        confirmed = self._cvd.confirms(symbol, side)
        confidence = p.base_confidence + p.strength_bonus * min(1.0, flush.strength - 1.0)
        if confirmed:
            confidence += p.cvd_confirm_bonus
        reasons = (flush.reason, ReasonCode.CVD_CONFIRM) if confirmed else (flush.reason,)
        tp_pct, sl_pct = self._tp_sl_pct(st)
        return (
            Signal(
                symbol=symbol,
                side=side,
                confidence=min(1.0, confidence),
                priority=Priority.HIGH if confirmed else Priority.MEDIUM,
                reasons=reasons,
                strategy=self.name,
                ts_ns=ts_ns,
                expiry_ts_ns=ts_ns + int(p.signal_ttl_s * _NS_PER_S),
                take_profit=price * (1.0 + side.sign * tp_pct * 0.01),
                stop_loss=price * (1.0 - side.sign * sl_pct * 0.01),
                size_hint=self._size_hint(symbol, st, side),
            ),
        )

    def _tp_sl_pct(self, st: _SymbolHunt) -> tuple[float, float]:
        """TP and SL distances in percent: k sigmas of recent volatility over the horizon, clamped."""
        p = self._params
        sigma = st.vol_fast.sigma
        if not sigma == sigma:  # NaN: no volatility sample yet, use the floors
            return p.min_take_profit_pct, p.min_stop_loss_pct
        horizon_pct = sigma * math.sqrt(p.vol_horizon_s) * 100.0
        tp = min(p.max_take_profit_pct, max(p.min_take_profit_pct, p.take_profit_sigma * horizon_pct))
        sl = min(p.max_stop_loss_pct, max(p.min_stop_loss_pct, p.stop_loss_sigma * horizon_pct))
        return tp, sl

    def _size_hint(self, symbol: str, st: _SymbolHunt, side: Side) -> float:
        """The trend's size factor, shrunk when recent volatility runs above ``calm_vol_ratio`` x usual."""
        p = self._params
        hint = self._trend.size_factor(symbol, side)
        fast = st.vol_fast.sigma
        slow = st.vol_slow.sigma
        if fast == fast and slow == slow and slow > 0.0:
            ratio = fast / slow
            if ratio > p.calm_vol_ratio:
                hint *= max(p.min_size_hint, p.calm_vol_ratio / ratio)
        return hint
