"""VPIN: volume-synchronised probability of informed trading, used as an entry gate.

Trades fill equal-notional buckets; each bucket's order-flow imbalance is
``|buy - sell| / bucket``; VPIN is the mean over the last ``window_buckets`` buckets.
Buckets are sized in quote notional rather than base qty so one setting fits every symbol.
Buy volume comes from the trade's aggressor side, or from bulk volume classification
(``buy share = Phi(dp / sigma_dp)``) for feeds whose aggressor flag is unreliable.

The strategy emits no signals: VPIN measures how toxic the flow is, not which way it
leans, so a directional signal from it would only add noise to conflict resolution. The
signal manager consults :meth:`VpinStrategy.gate` instead (declared in ``offers``), which blocks entries when flow
is toxic and shrinks them when it is elevated.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import ClassVar

from hft_tui.model import ReasonCode, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.strategies.offers import Gate, GateResult, Offers
from hft_tui.strategies.vpin_params import VpinParams

_SQRT2 = math.sqrt(2.0)
# Re-sum the window this often (in buckets) so float drift in the running sum cannot build up.
_RESUM_EVERY = 1024
# The first gate: flow too toxic to enter is the reason, whatever else would block.
VPIN_GATE_RANK = 10


class _FlowState:
    __slots__ = ("bucket_buy", "bucket_sell", "imbalances", "imbalance_sum", "completed", "last_price", "dp_var")

    def __init__(self, window: int) -> None:
        self.bucket_buy = 0.0
        self.bucket_sell = 0.0
        self.imbalances: deque[float] = deque(maxlen=window)
        self.imbalance_sum = 0.0
        self.completed = 0
        self.last_price = 0.0
        self.dp_var = 0.0


class VpinStrategy(Strategy[VpinParams]):
    """Flow toxicity per symbol; read through :meth:`vpin` and :meth:`gate`."""

    name: ClassVar[str] = "vpin"
    params_model: ClassVar[type[StrategyParams]] = VpinParams
    makes_entries: ClassVar[bool] = False  # a gate: it emits no signals

    def __init__(self, params: VpinParams | None = None) -> None:
        super().__init__(params)
        self._states: dict[str, _FlowState] = {}
        self._bucket_key = self._bucket_settings()
        self._alpha = self._ewma_alpha()

    def offers(self) -> Offers:
        return Offers(gates=(Gate(self._signal_gate, VPIN_GATE_RANK),))

    def _signal_gate(self, signal: Signal) -> GateResult:
        return self.gate(signal.symbol)

    def on_params_changed(self) -> None:
        self._alpha = self._ewma_alpha()
        key = self._bucket_settings()
        if key != self._bucket_key:
            # Buckets of another size or classification measure something else: start over.
            self._bucket_key = key
            self._states.clear()
            return
        window = self.params.window_buckets
        for state in self._states.values():
            if state.imbalances.maxlen != window:
                state.imbalances = deque(state.imbalances, maxlen=window)
                state.imbalance_sum = math.fsum(state.imbalances)

    def _bucket_settings(self) -> tuple[float, str]:
        return (self.params.bucket_notional_usd, self.params.classification)

    def _ewma_alpha(self) -> float:
        return 1.0 - 0.5 ** (1.0 / self.params.bulk_sigma_halflife_trades)

    def vpin(self, symbol: str) -> float | None:
        """Current VPIN in [0, 1], or None until ``min_buckets`` buckets have filled."""
        state = self._states.get(symbol)
        if state is None or len(state.imbalances) < self.params.min_buckets:
            return None
        return min(max(state.imbalance_sum / len(state.imbalances), 0.0), 1.0)

    def gate(self, symbol: str) -> GateResult:
        """Entry size factor: 0 with VPIN_TOXIC, ``elevated_factor`` with VPIN_ELEVATED, else 1."""
        value = self.vpin(symbol)
        p = self.params
        if value is None:
            return 1.0, None
        if value >= p.toxic_threshold:
            return 0.0, ReasonCode.VPIN_TOXIC
        if value >= p.elevated_threshold:
            return p.elevated_factor, ReasonCode.VPIN_ELEVATED
        return 1.0, None

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        if trade.qty <= 0 or trade.price <= 0:
            return NO_SIGNALS
        state = self._states.get(trade.symbol)
        if state is None:
            state = self._states[trade.symbol] = _FlowState(self.params.window_buckets)
        buy_share = self._buy_share(state, trade)
        self._fill(state, trade.price * trade.qty, buy_share)
        return NO_SIGNALS

    def _buy_share(self, state: _FlowState, trade: Trade) -> float:
        if self.params.classification == "aggressor":
            return 1.0 if trade.side is Side.BUY else 0.0
        if state.last_price <= 0:
            state.last_price = trade.price
            return 0.5
        dp = trade.price - state.last_price
        state.last_price = trade.price
        # Classify against the volatility known before this trade, then learn from it.
        share = 0.5 if state.dp_var <= 0 else 0.5 * (1.0 + math.erf(dp / (math.sqrt(state.dp_var) * _SQRT2)))
        state.dp_var += self._alpha * (dp * dp - state.dp_var)
        return share

    def _fill(self, state: _FlowState, notional: float, buy_share: float) -> None:
        size = self.params.bucket_notional_usd
        room = size - state.bucket_buy - state.bucket_sell
        if notional < room:
            state.bucket_buy += notional * buy_share
            state.bucket_sell += notional * (1.0 - buy_share)
            return
        self._complete(state, state.bucket_buy + room * buy_share, state.bucket_sell + room * (1.0 - buy_share))
        notional -= room
        full = int(notional // size)
        if full:
            # Whole buckets carved from one trade all share its imbalance; beyond the window they are moot.
            imbalance_buy = size * buy_share
            for _ in range(min(full, self.params.window_buckets)):
                self._complete(state, imbalance_buy, size - imbalance_buy)
            notional -= full * size
        state.bucket_buy = notional * buy_share
        state.bucket_sell = notional * (1.0 - buy_share)

    def _complete(self, state: _FlowState, buy: float, sell: float) -> None:
        imbalance = abs(buy - sell) / self.params.bucket_notional_usd
        imbalances = state.imbalances
        if len(imbalances) == imbalances.maxlen:
            state.imbalance_sum -= imbalances[0]
        imbalances.append(imbalance)
        state.imbalance_sum += imbalance
        state.completed += 1
        if state.completed % _RESUM_EVERY == 0:
            state.imbalance_sum = math.fsum(imbalances)
