"""Volatility spike fader: fade a move beyond a threshold within a window, for mean reversion.

Prices (book mids and trade prints) feed a rolling max/min over ``window_s``. When the
price stands ``threshold_pct`` above the window's low, that spike up is faded with a SELL
(``SPIKE_FADE_UP``); ``threshold_pct`` below the window's high, a BUY (``SPIKE_FADE_DOWN``).
Each direction fires once per spike: it re-arms only after the move has shrunk below
``rearm_fraction`` of the threshold, and never within ``cooldown_s`` of the last signal.
"""

from __future__ import annotations

from collections.abc import Sequence

from hft_tui.model import OrderBook, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, Strategy
from hft_tui.strategies.indicators import TimeWindowExtremes
from hft_tui.strategies.quiet_book import NEVER_QUIET, QuietBook
from hft_tui.strategies.spike_fader_params import SpikeFaderParams

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)


class _SymbolSpike:
    __slots__ = ("extremes", "armed_up", "armed_down", "last_signal_ts_ns")

    def __init__(self, window_ns: int) -> None:
        self.extremes = TimeWindowExtremes(window_ns)
        self.armed_up = True
        self.armed_down = True
        self.last_signal_ts_ns = _NEVER


class SpikeFader(Strategy[SpikeFaderParams]):
    """Fades spikes in both directions with a fixed-percent TP/SL; see the module doc."""

    name = "spike_fader"
    params_model = SpikeFaderParams
    exit_params = ("take_profit_pct", "stop_loss_pct")

    def __init__(self, params: SpikeFaderParams | None = None) -> None:
        super().__init__(params)
        self._symbols: dict[str, _SymbolSpike] = {}
        # Typed as present here; ``quiet_books`` (the same dict) is what the core reads.
        self._quiet: dict[str, QuietBook] = {}
        self.quiet_books = self._quiet
        self._cooldown_ns = int(self._params.cooldown_s * _NS_PER_S)

    def on_params_changed(self) -> None:
        # The window length may have changed; a fresh window is the honest reading.
        self._symbols.clear()
        self._quiet.clear()
        self._cooldown_ns = int(self._params.cooldown_s * _NS_PER_S)

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        bids = book.bids
        asks = book.asks
        if not len(bids) or not len(asks):
            return NO_SIGNALS
        symbol = book.symbol
        ts_ns = book.ts_ns
        bid: float = bids.item(0, 0)
        ask: float = asks.item(0, 0)
        mid = (bid + ask) * 0.5
        quiet = self._quiet.get(symbol)
        if quiet is not None and quiet.held_ts_ns:
            self._take_held(quiet, symbol)
        signals = self.on_price(symbol, ts_ns, mid)
        # A book at this mid changes nothing until the window's oldest extreme leaves it (a
        # move shrinks: a side may re-arm) or the cooldown ends (a fade held by it fires).
        st = self._symbols.get(symbol)
        if st is None:
            return signals
        until_ns = st.extremes.next_eviction_ns
        cooled_ns = st.last_signal_ts_ns + self._cooldown_ns
        if ts_ns < cooled_ns < until_ns:
            until_ns = cooled_ns
        if quiet is None:
            self._quiet[symbol] = QuietBook(mid, until_ns)
        else:
            quiet.mid, quiet.until_ns, quiet.held_ts_ns = mid, until_ns, NEVER_QUIET
        return signals

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        self._take_held(self._quiet.pop(trade.symbol, None), trade.symbol)
        return self.on_price(trade.symbol, trade.ts_ns, trade.price)

    def _take_held(self, quiet: QuietBook | None, symbol: str) -> None:
        """The books held back saw the mid again: the window keeps the last time it was seen."""
        if quiet is not None and quiet.held_ts_ns:
            self._symbols[symbol].extremes.push(quiet.held_ts_ns, quiet.mid)
            quiet.held_ts_ns = NEVER_QUIET

    def on_price(self, symbol: str, ts_ns: int, price: float) -> Sequence[Signal]:
        """Feed one price observation; returns the fade signal it triggered, if any."""
        if not price > 0.0:
            return NO_SIGNALS
        p = self._params
        st = self._symbols.get(symbol)
        if st is None:
            st = self._symbols[symbol] = _SymbolSpike(int(p.window_s * _NS_PER_S))
        ext = st.extremes
        ext.push(ts_ns, price)
        threshold = p.threshold_pct * 0.01
        up_move = price / ext.min - 1.0
        down_move = 1.0 - price / ext.max
        rearm = threshold * p.rearm_fraction
        if not st.armed_up and up_move < rearm:
            st.armed_up = True
        if not st.armed_down and down_move < rearm:
            st.armed_down = True

        if up_move >= threshold and st.armed_up:
            side, reason, move = Side.SELL, ReasonCode.SPIKE_FADE_UP, up_move
        elif down_move >= threshold and st.armed_down:
            side, reason, move = Side.BUY, ReasonCode.SPIKE_FADE_DOWN, down_move
        else:
            return NO_SIGNALS
        if ts_ns - st.last_signal_ts_ns < p.cooldown_s * _NS_PER_S:
            return NO_SIGNALS
        # Disarm only when firing: a spike first seen during the cooldown still fires after it.
        if side is Side.SELL:
            st.armed_up = False
        else:
            st.armed_down = False
        st.last_signal_ts_ns = ts_ns
        # Confidence grows with the overshoot, from base at the threshold to max at twice it.
        overshoot = min(1.0, move / threshold - 1.0)
        confidence = p.base_confidence + (p.max_confidence - p.base_confidence) * overshoot
        return (
            Signal(
                symbol=symbol,
                side=side,
                confidence=confidence,
                priority=Priority.MEDIUM,
                reasons=(reason,),
                strategy=self.name,
                ts_ns=ts_ns,
                expiry_ts_ns=ts_ns + int(p.signal_ttl_s * _NS_PER_S),
                take_profit=price * (1.0 + side.sign * p.take_profit_pct * 0.01),
                stop_loss=price * (1.0 - side.sign * p.stop_loss_pct * 0.01),
            ),
        )
