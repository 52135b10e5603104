"""Exit rules for open positions: take profit, stop loss, trailing stop, time stop.

Pure logic. The engine tracks each position it opens with :class:`ExitRules`, feeds every
mark price to :meth:`ExitTracker.on_mark` and every accepted decision to
:meth:`ExitTracker.on_decision`, and places the reduce-only order for any :class:`Exit`
that comes back. An exit fires once: the position stays ``exiting`` until the engine
untracks it (flat) or re-arms it (the exit order failed). Operator flatten and kill
override a pending exit's reason, since they must always go through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from hft_tui.model import ReasonCode, Side
from hft_tui.signals.decision import Decision
from hft_tui.signals.exit_settings import ExitSettings

_NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class ExitRules:
    """The exit levels of one open position. ``side`` is the position's side."""

    symbol: str
    side: Side
    entry_price: float
    opened_ts_ns: int
    take_profit: float | None = None
    stop_loss: float | None = None
    trailing_stop_bps: float | None = None
    trailing_activation_price: float | None = None
    time_stop_ts_ns: int | None = None

    @classmethod
    def for_entry(
        cls,
        symbol: str,
        side: Side,
        entry_price: float,
        opened_ts_ns: int,
        settings: ExitSettings,
        take_profit: float | None = None,
        stop_loss: float | None = None,
        min_take_profit_bps: float = 0.0,
    ) -> ExitRules:
        """Rules for a new position: the signal's TP/SL where given, the settings' defaults
        elsewhere; a take profit nearer than ``min_take_profit_bps`` is moved out to it."""
        sign = side.sign
        if take_profit is None and settings.take_profit_bps > 0:
            take_profit = entry_price * (1.0 + sign * settings.take_profit_bps / 1e4)
        if take_profit is not None and min_take_profit_bps > 0:
            floor = entry_price * (1.0 + sign * min_take_profit_bps / 1e4)
            if sign * (take_profit - floor) < 0:
                take_profit = floor
        if stop_loss is None and settings.stop_loss_bps > 0:
            stop_loss = entry_price * (1.0 - sign * settings.stop_loss_bps / 1e4)
        trailing = settings.trailing_stop_bps or None
        activation = (
            entry_price * (1.0 + sign * settings.trailing_activation_bps / 1e4) if trailing is not None else None
        )
        time_stop = opened_ts_ns + int(settings.max_hold_s * _NS_PER_S) if settings.max_hold_s > 0 else None
        return cls(symbol, side, entry_price, opened_ts_ns, take_profit, stop_loss, trailing, activation, time_stop)

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready fields for the WAL (its fields, in order), so a recovered position
        keeps its exits."""
        return {**asdict(self), "side": self.side.value}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ExitRules:
        """The rules ``to_record`` gave (a recovered state's ``exit_rules`` entry)."""
        return cls(**{**{name: record[name] for name in cls.__dataclass_fields__}, "side": Side(record["side"])})


@dataclass(frozen=True, slots=True)
class Exit:
    """Close ``symbol``'s position (reduce-only) because of ``reason``.

    ``level`` is the price level that was crossed, when the exit is a price level.
    """

    symbol: str
    position_side: Side
    reason: ReasonCode
    ts_ns: int
    mark_price: float | None = None
    level: float | None = None

    @property
    def close_side(self) -> Side:
        return self.position_side.opposite


class _Tracked:
    __slots__ = ("rules", "best_price", "exiting")

    def __init__(self, rules: ExitRules) -> None:
        self.rules = rules
        # Best mark since entry in the position's favour: the anchor of the trailing stop.
        self.best_price = rules.entry_price
        self.exiting: ReasonCode | None = None


class ExitTracker:
    """Evaluates the exit rules of every tracked position."""

    def __init__(self) -> None:
        self._tracked: dict[str, _Tracked] = {}

    def track(self, rules: ExitRules) -> None:
        """Start (or restart) watching ``rules.symbol``'s position."""
        self._tracked[rules.symbol] = _Tracked(rules)

    def untrack(self, symbol: str) -> None:
        """Stop watching ``symbol``: its position is flat."""
        self._tracked.pop(symbol, None)

    def rearm(self, symbol: str) -> None:
        """The exit order failed: evaluate ``symbol`` again from the next mark."""
        tracked = self._tracked.get(symbol)
        if tracked is not None:
            tracked.exiting = None

    def amend(self, symbol: str, *, take_profit: float | None, stop_loss: float | None) -> ExitRules:
        """The operator moved ``symbol``'s target and stop; the trailing anchor is kept."""
        tracked = self._tracked[symbol]
        tracked.rules = replace(tracked.rules, take_profit=take_profit, stop_loss=stop_loss)
        return tracked.rules

    def rules(self, symbol: str) -> ExitRules | None:
        tracked = self._tracked.get(symbol)
        return None if tracked is None else tracked.rules

    def exiting(self, symbol: str) -> ReasonCode | None:
        """The reason of the exit in flight for ``symbol``, if any."""
        tracked = self._tracked.get(symbol)
        return None if tracked is None else tracked.exiting

    def trailing_level(self, symbol: str) -> float | None:
        """Where the trailing stop stands now, or None if it is off or not yet armed."""
        tracked = self._tracked.get(symbol)
        return None if tracked is None else _trailing_level(tracked)

    def symbols(self) -> list[str]:
        """Tracked symbols, in the order they were opened."""
        return list(self._tracked)

    def on_mark(self, symbol: str, price: float, ts_ns: int) -> Exit | None:
        """Check ``symbol``'s position against a mark price; the exit if a rule fired."""
        tracked = self._tracked.get(symbol)
        if tracked is None or tracked.exiting is not None:
            return None
        rules = tracked.rules
        long = rules.side is Side.BUY
        if long:
            if price > tracked.best_price:
                tracked.best_price = price
        elif price < tracked.best_price:
            tracked.best_price = price
        stop, reason = rules.stop_loss, ReasonCode.STOP_LOSS
        trail = _trailing_level(tracked)
        # The tighter of the two stops is the one price crossed first; a tie is a plain stop loss.
        if trail is not None and (stop is None or (trail > stop if long else trail < stop)):
            stop, reason = trail, ReasonCode.TRAILING_STOP
        if stop is not None and (price <= stop if long else price >= stop):
            return self._fire(tracked, reason, ts_ns, price, stop)
        tp = rules.take_profit
        if tp is not None and (price >= tp if long else price <= tp):
            return self._fire(tracked, ReasonCode.TAKE_PROFIT, ts_ns, price, tp)
        if rules.time_stop_ts_ns is not None and ts_ns >= rules.time_stop_ts_ns:
            return self._fire(tracked, ReasonCode.TIME_STOP, ts_ns, price, None)
        return None

    def on_decision(self, decision: Decision) -> Exit | None:
        """An accepted signal against an open position reverses it: SIGNAL_REVERSAL."""
        if not decision.accepted:
            return None
        signal = decision.signal
        tracked = self._tracked.get(signal.symbol)
        if tracked is None or tracked.exiting is not None or signal.side is tracked.rules.side:
            return None
        return self._fire(tracked, ReasonCode.SIGNAL_REVERSAL, decision.ts_ns, None, None)

    def flatten(self, symbol: str, ts_ns: int) -> Exit | None:
        """Operator flatten of one symbol; None if no position is tracked there."""
        tracked = self._tracked.get(symbol)
        return None if tracked is None else self._fire(tracked, ReasonCode.FLATTEN, ts_ns, None, None)

    def kill(self, ts_ns: int) -> list[Exit]:
        """Kill switch: an exit for every tracked position."""
        return [self._fire(tracked, ReasonCode.KILL, ts_ns, None, None) for tracked in self._tracked.values()]

    @staticmethod
    def _fire(tracked: _Tracked, reason: ReasonCode, ts_ns: int, mark: float | None, level: float | None) -> Exit:
        tracked.exiting = reason
        rules = tracked.rules
        return Exit(rules.symbol, rules.side, reason, ts_ns, mark, level)


def _trailing_level(tracked: _Tracked) -> float | None:
    rules = tracked.rules
    if rules.trailing_stop_bps is None or rules.trailing_activation_price is None:
        return None
    best = tracked.best_price
    distance = rules.trailing_stop_bps / 1e4
    if rules.side is Side.BUY:
        return best * (1.0 - distance) if best >= rules.trailing_activation_price else None
    return best * (1.0 + distance) if best <= rules.trailing_activation_price else None
