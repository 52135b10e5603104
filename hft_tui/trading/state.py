"""The trading core's state as plain data: what a restart needs, taken from a running core
(``export_state``: the WAL's ``snapshot`` record, so the next recovery folds only what comes
after it) and put back into a fresh one (``restore_state``). Recovery
(``session/recovery.py``) folds the journal into the same ``RecoveredState``.

This is the one way the session layer saves or restores the core: it never reaches into the
core's portfolio, exits, trading state, strategies, sanitizer or notices itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from hft_tui.model import Position, ReasonCode, RecoveredOrder
from hft_tui.risk.trading_state import TradingState
from hft_tui.signals.exits import ExitRules
from hft_tui.signals.status import StrategyAction, StrategyStatus, StrategyStatusChange
from hft_tui.strategies.base import StrategyParams
from hft_tui.trading.core import TradingCore
from hft_tui.trading.trade_lifecycle import OpenTrade
from hft_tui.wal.errors import WalError
from hft_tui.wal.record_types import OrderUpdate


@dataclass
class RecoveredState:
    """Everything a restart needs; ``to_payload`` is the ``snapshot`` record's payload, the
    positions, open trades and open orders written by their own codecs (``to_record``)."""

    last_seq: int = 0
    sessions: int = 0
    positions: dict[str, Position] = field(default_factory=dict)  # never a flat one
    realized_pnl: float = 0.0
    fees_paid: float = 0.0
    open_trades: dict[str, OpenTrade] = field(default_factory=dict)
    exit_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    open_orders: dict[str, RecoveredOrder] = field(default_factory=dict)
    trading_state: str = "ACTIVE"
    state_reason: str | None = None
    state_since_ts_ns: int = 0
    drb: dict[str, Any] | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    paused: list[str] = field(default_factory=list)
    disabled: dict[str, str] = field(default_factory=dict)
    # The sanitizer's trusted mid per symbol: the price band outlives the process.
    price_references: dict[str, float] = field(default_factory=dict)
    # The operator's notices, acknowledged or not (``NoticeLog.to_payload``).
    notices: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        payload = asdict(replace(self, positions={}, open_trades={}, open_orders={}))
        del payload["last_seq"]
        payload["positions"] = {symbol: position.to_record() for symbol, position in self.positions.items()}
        payload["open_trades"] = {symbol: trade.to_record() for symbol, trade in self.open_trades.items()}
        payload["open_orders"] = {client_id: order.to_record() for client_id, order in self.open_orders.items()}
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any], seq: int) -> RecoveredState:
        known = {k: v for k, v in payload.items() if k in cls.__dataclass_fields__}
        known["positions"] = {symbol: Position.from_record(symbol, record)
                              for symbol, record in payload.get("positions", {}).items()}
        known["open_trades"] = {symbol: OpenTrade.from_record(record)
                                for symbol, record in payload.get("open_trades", {}).items()}
        known["open_orders"] = {client_id: RecoveredOrder.from_record(record)
                                for client_id, record in payload.get("open_orders", {}).items()}
        return cls(last_seq=seq, **known)

    def position(self, symbol: str) -> Position:
        return self.positions.get(symbol) or Position(symbol)


def restore_state(core: TradingCore, recovered: RecoveredState) -> list[str]:
    """Put a state rebuilt from the WAL back into a core that has not traded yet; returns what was done."""
    notes: list[str] = []
    positions = {s: position for s, position in recovered.positions.items() if s in core.rules}
    core.portfolio.restore(positions, recovered.realized_pnl, recovered.fees_paid)
    for symbol, mid in recovered.price_references.items():
        if symbol in positions:
            core.portfolio.mark(symbol, mid)  # the last mark, not the entry: PnL does not jump
    for position in positions.values():
        if core.sync_broker is not None:  # the paper broker enforces reduce-only from its own book
            core.sync_broker.restore_position(position)
        notes.append(f"position {position.symbol} {position.qty:g} @ {position.avg_entry:g}")
    for symbol, trade in recovered.open_trades.items():
        if symbol in positions:
            core.trades.reopen(symbol, replace(trade))  # the core's own copy: it adds the fills to come
    for symbol, rules in recovered.exit_rules.items():
        if symbol in positions:
            core.exits.track(ExitRules.from_record(rules))
    if core.sync_broker is None:
        # Live: what is really open is the exchange's to say (see live_reconcile).
        core.bookkeeping.expect(recovered.open_orders)
        if recovered.open_orders:
            notes.append(f"{len(recovered.open_orders)} order(s) to reconcile with the exchange")
    else:
        for client_id, open_order in recovered.open_orders.items():
            # The intent was durable but the process died before the paper broker saw it:
            # it never reached a matching engine, so it is recorded as not executed.
            core.wal.write(OrderUpdate.not_executed(client_id, open_order.order.symbol, "RECOVERED_NOT_EXECUTED"))
            notes.append(f"order {client_id} was never executed: cancelled")
    state = TradingState(recovered.trading_state)
    if state is TradingState.FAILED:
        # The last process could not write its journal. This one can, but whether trading
        # may resume is the operator's call: HALTED, left by an explicit reset.
        state = TradingState.HALTED
    core.state.restore(state, ReasonCode(recovered.state_reason) if recovered.state_reason else None,
                       recovered.state_since_ts_ns)
    if recovered.drb is not None:
        drb = core.risk.restore(recovered.drb)
        core.portfolio.resume_day(drb.day_start_ts_ns, drb.start_of_day_equity)
        for position in positions.values():
            core.drb.on_position(position, core.clock.now_ns())
        core.drb.on_equity(core.portfolio.trading_equity(), core.clock.now_ns())
    for name, values in recovered.params.items():
        strategy = core.strategies.get(name)
        if strategy is not None:
            # The code may have changed since (a user strategy edited): what no longer validates is dropped.
            params, dropped = type(strategy.params).keeping({**strategy.params.model_dump(), **values})
            restored = _restore_params(core, name, params)
            notes.append(f"{name} parameters {values}" + (f" ({', '.join(dropped)} no longer valid: default)"
                                                            if dropped else "")
                         + ("" if restored else " (its code raised on them: disabled)"))
    now = core.clock.now_ns()
    for name in recovered.paused:
        if name in core.strategies:
            core.manager.apply(StrategyStatusChange(name, StrategyAction.PAUSE, now))
            notes.append(f"{name} paused")
    for name, detail in recovered.disabled.items():
        if name in core.strategies:
            core.strategies.restore_disabled(name, detail)
            notes.append(f"{name} disabled" + (f" ({detail})" if detail else ""))
    core.sanitizer.restore_references(recovered.price_references)
    core.notices.restore(recovered.notices)
    if core.notices.unacknowledged:
        notes.append(f"{core.notices.unacknowledged} notice(s) not yet acknowledged")
    notes.append(f"trading state {state.value.upper()}")
    return notes


def _restore_params(core: TradingCore, name: str, params: StrategyParams) -> bool:
    """A strategy whose hook raises on its recovered parameters (its code changed since) starts
    disabled, ``STRATEGY_ERROR`` naming the error, like one that fails to build: the session
    starts and the others run. False when it failed."""
    try:
        core.strategies[name].set_params(params)
    except WalError:
        raise
    except Exception as exc:  # noqa: BLE001 - a strategy's bug must not stop the session's start
        core.strategies.isolate(name, exc)
        return False
    return True


def export_state(core: TradingCore) -> RecoveredState:
    """The running core's state in the form recovery produces (the WAL ``snapshot`` payload)."""
    snap = RecoveredState(sessions=core.session_number, positions=core.portfolio.positions())
    portfolio = core.portfolio.snapshot()
    snap.realized_pnl, snap.fees_paid = portfolio.realized_pnl, portfolio.fees_paid
    snap.open_trades = {symbol: replace(trade) for symbol, trade in core.open_trades.items()}
    for symbol in core.exits.symbols():
        rules = core.exits.rules(symbol)
        if rules is not None:
            snap.exit_rules[symbol] = rules.to_record()
    # Live: the exchange id and the trades booked are what reconciliation finds an order by
    # and skips; orders recovered but not yet reconciled are still open as far as we know.
    snap.open_orders = core.bookkeeping.open_at_restart()
    snap.trading_state = core.state.state.value
    snap.state_reason = core.state.reason.value if core.state.reason else None
    snap.state_since_ts_ns = core.state.since_ts_ns
    snap.drb = core.risk.last.to_payload() if core.risk.last is not None else None
    snap.price_references = core.sanitizer.references()
    snap.notices = core.notices.to_payload()
    for name, strategy in core.strategies.items():
        current = strategy.params.model_dump(mode="json")
        defaults = core.strategies.default_params[name].model_dump(mode="json")
        tuned = {k: v for k, v in current.items() if v != defaults.get(k)}
        if tuned:
            snap.params[name] = tuned
        status = core.manager.status(name)
        if status is StrategyStatus.PAUSED:
            snap.paused.append(name)
        elif status is StrategyStatus.DISABLED:
            snap.disabled[name] = core.manager.disabled_reason(name) or ""
    return snap
