"""The signal manager: turns the strategies' opinions into accepted or rejected decisions.

Signals are submitted as strategies emit them and decided in batches (the engine calls
:meth:`SignalManager.decide` once per market event). Each signal passes, in order:

1. expiry (its own ``expiry_ts_ns`` or ``signal_ttl_s`` of age) -> ``SIGNAL_EXPIRED``
2. its strategy's status -> ``STRATEGY_DISABLED`` / ``STRATEGY_PAUSED``
3. the global confidence threshold -> ``LOW_CONFIDENCE``
4. the gates, in order; a factor of 0 rejects with the gate's code, a smaller factor
   shrinks the size and its code is kept on the accepted decision
5. conflicts on its symbol: the best signal per side by (priority, confidence); opposite
   sides -> the better one wins (``CONFLICT_LOST`` for the other side), a tie stands aside
   (``CONFLICT_STAND_ASIDE`` for both); the rest of the winning side -> ``SIGNAL_SUPERSEDED``.
   A winner must also beat a still-live accepted opposite signal from another strategy,
   so a weaker opinion cannot flip a position that a stronger one opened moments ago.

Gates run before conflicts so a blocked signal cannot win a conflict it could not act on.
Every signal yields exactly one :class:`Decision`, in submission order, for the WAL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hft_tui.clock import Clock
from hft_tui.model import ClosedTrade, ReasonCode, Side, Signal
from hft_tui.signals.decision import Decision
from hft_tui.signals.scoring import StrategyScoreboard
from hft_tui.signals.signal_settings import SignalSettings
from hft_tui.signals.status import StrategyAction, StrategyStatus, StrategyStatusChange

GateResult = tuple[float, ReasonCode | None]
Gate = Callable[[Signal], GateResult]

_NO_DECISIONS: tuple[Decision, ...] = ()


class SignalManager:
    """Decides signals; owns strategy status (paused, disabled) and the scoreboard."""

    def __init__(
        self, settings: SignalSettings | None = None, clock: Clock | None = None, gates: Sequence[Gate] = ()
    ) -> None:
        self._settings = settings or SignalSettings()
        self._ttl_ns = int(self._settings.signal_ttl_s * 1e9)
        # Without a clock, time is the newest signal's: deterministic in backtests by construction.
        self._clock = clock
        self._data_now_ns = 0
        self._gates: list[Gate] = list(gates)
        self._pending: list[Signal] = []
        self._paused: set[str] = set()
        self._disabled: dict[str, str] = {}
        self._live: dict[str, Signal] = {}
        self._scoreboard = StrategyScoreboard(self._settings.auto_disable)

    # --- configuration ----------------------------------------------------------------------

    @property
    def settings(self) -> SignalSettings:
        return self._settings

    def set_settings(self, settings: SignalSettings) -> None:
        """Replace the settings; applies from the next decision."""
        self._settings = settings
        self._ttl_ns = int(settings.signal_ttl_s * 1e9)
        self._scoreboard.set_limits(settings.auto_disable)

    def set_gates(self, gates: Sequence[Gate]) -> None:
        """The gates, run in this order (in place of any before)."""
        self._gates = list(gates)

    @property
    def scoreboard(self) -> StrategyScoreboard:
        return self._scoreboard

    # --- strategy status ----------------------------------------------------------------------

    def status(self, name: str) -> StrategyStatus:
        """DISABLED wins over PAUSED: an operator resume does not undo the score's verdict."""
        if name in self._disabled:
            return StrategyStatus.DISABLED
        return StrategyStatus.PAUSED if name in self._paused else StrategyStatus.ACTIVE

    def disabled_reason(self, name: str) -> str | None:
        """Why ``name`` was auto-disabled, or None if it is not disabled."""
        return self._disabled.get(name)

    def pause(self, name: str) -> StrategyStatusChange | None:
        """Drop ``name``'s signals from now on; None if it was already paused."""
        if name in self._paused:
            return None
        self._paused.add(name)
        return StrategyStatusChange(name, StrategyAction.PAUSE, self._now())

    def resume(self, name: str) -> StrategyStatusChange | None:
        """Let a paused strategy trade again; None if it was not paused."""
        if name not in self._paused:
            return None
        self._paused.discard(name)
        return StrategyStatusChange(name, StrategyAction.RESUME, self._now())

    def enable(self, name: str) -> StrategyStatusChange | None:
        """Operator re-enable after an auto-disable: a fresh trial; None if it was not disabled."""
        if name not in self._disabled:
            return None
        del self._disabled[name]
        self._scoreboard.reset_evaluation(name)
        return StrategyStatusChange(name, StrategyAction.ENABLE, self._now())

    def record_trade(self, trade: ClosedTrade) -> StrategyStatusChange | None:
        """Score a closed trade; the auto-disable change if it pushed the strategy below its limits."""
        breach = self._scoreboard.record(trade)
        if breach is None or trade.strategy in self._disabled:
            return None
        self._disabled[trade.strategy] = breach
        return StrategyStatusChange(trade.strategy, StrategyAction.DISABLE, self._now(), breach)

    def apply(self, change: StrategyStatusChange) -> None:
        """Replay a journaled change on recovery; applying one twice is harmless."""
        name = change.strategy
        if change.action is StrategyAction.PAUSE:
            self._paused.add(name)
        elif change.action is StrategyAction.RESUME:
            self._paused.discard(name)
        elif change.action is StrategyAction.DISABLE:
            self._disabled[name] = change.detail
        elif self._disabled.pop(name, None) is not None:
            self._scoreboard.reset_evaluation(name)

    # --- signals ------------------------------------------------------------------------------

    def submit(self, signal: Signal) -> None:
        """Queue a signal for the next :meth:`decide`."""
        self._pending.append(signal)
        if signal.ts_ns > self._data_now_ns:
            self._data_now_ns = signal.ts_ns

    def decide(self, now_ns: int | None = None) -> tuple[Decision, ...]:
        """Decide every queued signal; one decision each, in submission order."""
        pending = self._pending
        if not pending:
            return _NO_DECISIONS
        self._pending = []
        now = self._now() if now_ns is None else now_ns
        decisions: list[Decision | None] = [None] * len(pending)
        factors = [1.0] * len(pending)
        soft_codes: list[tuple[ReasonCode, ...]] = [()] * len(pending)
        contenders: dict[str, list[int]] = {}
        for i, signal in enumerate(pending):
            code = self._screen(signal, now)
            if code is None:
                factors[i], soft_codes[i], code = self._gate(signal)
            if code is not None:
                decisions[i] = Decision(signal, False, (code,), 0.0, now)
            else:
                contenders.setdefault(signal.symbol, []).append(i)
        for indices in contenders.values():
            self._resolve(pending, indices, factors, soft_codes, decisions, now)
        return tuple(d for d in decisions if d is not None)

    def _now(self) -> int:
        return self._clock.now_ns() if self._clock is not None else self._data_now_ns

    def _expired(self, signal: Signal, now_ns: int) -> bool:
        return signal.is_expired(now_ns) or now_ns - signal.ts_ns >= self._ttl_ns

    def _screen(self, signal: Signal, now_ns: int) -> ReasonCode | None:
        if self._expired(signal, now_ns):
            return ReasonCode.SIGNAL_EXPIRED
        if signal.strategy in self._disabled:
            return ReasonCode.STRATEGY_DISABLED
        if signal.strategy in self._paused:
            return ReasonCode.STRATEGY_PAUSED
        if signal.confidence < self._settings.min_confidence:
            return ReasonCode.LOW_CONFIDENCE
        return None

    def _gate(self, signal: Signal) -> tuple[float, tuple[ReasonCode, ...], ReasonCode | None]:
        """(size factor, codes of the gates that shrank it, blocking code or None)."""
        factor = 1.0
        shrunk: tuple[ReasonCode, ...] = ()
        for gate in self._gates:
            gate_factor, code = gate(signal)
            if gate_factor <= 0.0:
                if code is None:
                    # Every rejection in the WAL names its reason; a silent block is a wiring bug.
                    raise ValueError(f"gate {gate!r} blocked {signal.strategy}'s signal without a reason code")
                return 0.0, shrunk, code
            if code is not None:
                shrunk += (code,)
            factor *= min(gate_factor, 1.0)
        return factor, shrunk, None

    def _resolve(
        self,
        pending: list[Signal],
        indices: list[int],
        factors: list[float],
        soft_codes: list[tuple[ReasonCode, ...]],
        decisions: list[Decision | None],
        now_ns: int,
    ) -> None:
        def reject(i: int, code: ReasonCode) -> None:
            decisions[i] = Decision(pending[i], False, (code,), 0.0, now_ns)

        best: dict[Side, int] = {}
        for i in indices:
            held = best.get(pending[i].side)
            # Strictly better replaces: among equals the earliest submitted stays, deterministically.
            if held is None or _strength(pending[i]) > _strength(pending[held]):
                best[pending[i].side] = i
        buy, sell = best.get(Side.BUY), best.get(Side.SELL)
        winner: int | None
        if buy is not None and sell is not None:
            buy_strength, sell_strength = _strength(pending[buy]), _strength(pending[sell])
            if buy_strength == sell_strength:
                for i in indices:
                    reject(i, ReasonCode.CONFLICT_STAND_ASIDE)
                return
            winner = buy if buy_strength > sell_strength else sell
        else:
            winner = buy if buy is not None else sell
        assert winner is not None
        chosen = pending[winner]
        for i in indices:
            if i != winner:
                reject(i, ReasonCode.SIGNAL_SUPERSEDED if pending[i].side is chosen.side else ReasonCode.CONFLICT_LOST)
        live = self._live.get(chosen.symbol)
        if (
            live is not None
            and live.side is not chosen.side
            and live.strategy != chosen.strategy
            and not self._expired(live, now_ns)
        ):
            if _strength(chosen) == _strength(live):
                reject(winner, ReasonCode.CONFLICT_STAND_ASIDE)
                return
            if _strength(chosen) < _strength(live):
                reject(winner, ReasonCode.CONFLICT_LOST)
                return
        self._live[chosen.symbol] = chosen
        decisions[winner] = Decision(
            chosen, True, (ReasonCode.SIGNAL_ACCEPTED, *soft_codes[winner]), factors[winner], now_ns
        )


def _strength(signal: Signal) -> tuple[int, float]:
    return int(signal.priority), signal.confidence
