"""Rebuild the engine's state from its WAL after a restart (or a ``kill -9``).

The fold starts at the last ``snapshot`` record (written every few thousand records and at
each clean stop) and applies every later record that changes state: fills (positions and
PnL), exit rules, closed trades, order intents and their ends, trading state transitions,
DRB guard states, parameter changes and pause/enable changes, and the operator's notices
with their acknowledgements. What comes out is plain data;
:func:`hft_tui.trading.state.restore_state` puts it back into the core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hft_tui.model import Fill, Liquidity, ReasonCode, RecoveredOrder, Side
from hft_tui.model.reason_codes import journaled_code
from hft_tui.risk.drb_journal import merge_risk_payload
from hft_tui.trading.commands import AcknowledgeNotices, journaled_command
from hft_tui.trading.notice_log import NoticeLog
from hft_tui.trading.state import RecoveredState
from hft_tui.trading.trade_lifecycle import OpenTrade
from hft_tui.wal.record import WalRecord, parse_line
from hft_tui.wal.record_types import (
    RECORD_CLASSES,
    CommandIssued,
    ExitRulesArmed,
    FillBooked,
    NoticeGiven,
    OrderPlaced,
    OrderUpdate,
    ParamsChanged,
    RiskChanged,
    SessionStarted,
    StateChanged,
    StateSnapshot,
    StrategyPaused,
    StrategyStatus,
    TradeClosed,
)
from hft_tui.wal.segments import list_segments

TERMINAL_ORDER_STATES = frozenset({"filled", "cancelled", "rejected"})
SNAPSHOT_TYPE_FIELD = b'"type":"' + StateSnapshot.TYPE.encode() + b'"'


def recover_state(records: Iterable[WalRecord]) -> RecoveredState:
    """Fold records (the whole journal, or its last snapshot and what follows) into the
    state they describe; a snapshot record resets the fold to its content."""
    state = RecoveredState()
    notices = NoticeLog()
    for record in records:
        apply_record(state, record)
        if record.type == StateSnapshot.TYPE:
            notices = NoticeLog()
            notices.restore(state.notices)
        else:
            _apply_notice(notices, record)
    state.notices = notices.to_payload()
    return state


def _apply_notice(notices: NoticeLog, record: WalRecord) -> None:
    """Replay what changed the notice log, in the order the live log saw it."""
    if record.type == NoticeGiven.TYPE:
        notice = NoticeGiven.from_payload(record.payload)
        notices.add(notice.source, notice.text, _ts_ns(record.ts))
    elif record.type == CommandIssued.TYPE and record.payload.get("command") == AcknowledgeNotices.__name__:
        acknowledged = journaled_command(CommandIssued.from_payload(record.payload))
        assert isinstance(acknowledged, AcknowledgeNotices)
        notices.acknowledge(acknowledged.up_to_seq)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ts_ns(ts: str) -> int:
    """A record's ISO-8601 UTC time in nanoseconds since the epoch."""
    return (datetime.fromisoformat(ts.replace("Z", "+00:00")) - _EPOCH) // timedelta(microseconds=1) * 1000


def recover_from_wal(directory: Path) -> RecoveredState:
    """The state the WAL in ``directory`` describes, decoding only from its last snapshot.

    The writer verified every line when it opened the directory; this reads the segments
    backwards to the newest ``snapshot`` record, so a restart does not decode a million
    records a second time.
    """
    return recover_state(records_since_last_snapshot(directory))


def records_since_last_snapshot(directory: Path) -> list[WalRecord]:
    """The newest ``snapshot`` record and every record after it (all records if none)."""
    tail: list[bytes] = []
    for path in reversed(list_segments(directory)):
        data = path.read_bytes()
        start = _last_snapshot_line_start(data)
        tail.insert(0, data if start is None else data[start:])
        if start is not None:
            break
    return [WalRecord.from_document(parse_line(line))
            for chunk in tail for line in chunk.split(b"\n") if line]


def _last_snapshot_line_start(data: bytes) -> int | None:
    """Where the last line whose record type is ``snapshot`` starts, or None.

    The bytes can also occur inside a payload (a nested object with that key and value), so
    each candidate line is decoded to check its own type.
    """
    end = len(data)
    while (found := data.rfind(SNAPSHOT_TYPE_FIELD, 0, end)) >= 0:
        start = data.rfind(b"\n", 0, found) + 1
        stop = data.find(b"\n", found)
        if parse_line(data[start:stop if stop >= 0 else len(data)])["type"] == StateSnapshot.TYPE:
            return start
        end = start
    return None


def apply_record(state: RecoveredState, record: WalRecord) -> None:
    """Apply one record (in seq order) to ``state``."""
    state.last_seq = record.seq
    fold = _FOLDS.get(record.type)
    if fold is not None:
        fold(state, RECORD_CLASSES[record.type].from_payload(record.payload), record.seq)


def _snapshot(state: RecoveredState, snapshot: StateSnapshot, seq: int) -> None:
    state.__dict__.update(RecoveredState.from_payload(snapshot.state, seq).__dict__)


def _session_start(state: RecoveredState, _: SessionStarted, seq: int) -> None:
    state.sessions += 1


def _fill(state: RecoveredState, booked: FillBooked, seq: int) -> None:
    symbol = booked.symbol
    fill = Fill(
        client_id=booked.client_id, symbol=symbol, side=Side(booked.side), qty=float(booked.qty),
        price=float(booked.price), fee=float(booked.fee), liquidity=Liquidity(booked.liquidity),
        ts_ns=int(booked.ts_ns), strategy=booked.strategy, base_fee_qty=float(booked.base_fee_qty or 0.0),
    )
    order = state.open_orders.get(fill.client_id)
    if order is not None and booked.trade_id:
        # Live reconciliation books only the trades of an open order the WAL lacks.
        state.open_orders[fill.client_id] = order.filled(booked.trade_id, fill.qty, fill.price)
    before = state.position(symbol)
    after = before.apply(fill)
    state.realized_pnl += after.realized_pnl - before.realized_pnl
    state.fees_paid += fill.fee
    if after.is_flat:
        state.positions.pop(symbol, None)
    else:
        state.positions[symbol] = after
    if before.is_flat and not after.is_flat:
        state.open_trades[symbol] = OpenTrade.opened_by(fill, after, _entry_reasons(order, fill))
    if symbol in state.open_trades and not after.is_flat:
        state.open_trades[symbol].add_fill(fill, after)


def _entry_reasons(order: RecoveredOrder | None, fill: Fill) -> tuple[ReasonCode, ...]:
    """The entry order's record names the first of its signal's reasons (the snapshot record
    keeps them all); an operator's order has none, as in the core."""
    if order is None or not order.reason or fill.strategy in ("", "operator") or order.order.reduce_only:
        return ()
    return (journaled_code(order.reason),)


def _exit_rules(state: RecoveredState, rules: ExitRulesArmed, seq: int) -> None:
    state.exit_rules[rules.symbol] = rules.to_payload()


def _trade_closed(state: RecoveredState, closed: TradeClosed, seq: int) -> None:
    state.open_trades.pop(closed.symbol, None)
    state.exit_rules.pop(closed.symbol, None)


def _order(state: RecoveredState, placed: OrderPlaced, seq: int) -> None:
    state.open_orders[placed.client_id] = RecoveredOrder.from_record(placed.to_payload())


def _order_update(state: RecoveredState, update: OrderUpdate, seq: int) -> None:
    if update.status in TERMINAL_ORDER_STATES:
        state.open_orders.pop(update.client_id, None)
    elif update.exchange_id and update.client_id in state.open_orders:
        state.open_orders[update.client_id] = state.open_orders[update.client_id].acknowledged(update.exchange_id)


def _state(state: RecoveredState, changed: StateChanged, seq: int) -> None:
    state.trading_state = changed.to_state
    state.state_reason = changed.reason
    state.state_since_ts_ns = int(changed.ts_ns)


def _risk(state: RecoveredState, changed: RiskChanged, seq: int) -> None:
    state.drb = merge_risk_payload(state.drb, changed.state)


def _params(state: RecoveredState, changed: ParamsChanged, seq: int) -> None:
    state.params.setdefault(changed.strategy, {}).update(changed.new)


def _status(state: RecoveredState, change: StrategyPaused | StrategyStatus, seq: int) -> None:
    name, action = change.strategy, change.action
    if action == "pause" and name not in state.paused:
        state.paused.append(name)
    elif action == "resume" and name in state.paused:
        state.paused.remove(name)
    elif action == "disable":
        state.disabled[name] = change.detail
    elif action == "enable":
        state.disabled.pop(name, None)


# The record types that change what a restart must restore; every other type is skipped
# without being decoded.
_FOLDS: dict[str, Callable[[RecoveredState, Any, int], None]] = {
    StateSnapshot.TYPE: _snapshot,
    SessionStarted.TYPE: _session_start,
    FillBooked.TYPE: _fill,
    ExitRulesArmed.TYPE: _exit_rules,
    TradeClosed.TYPE: _trade_closed,
    OrderPlaced.TYPE: _order,
    OrderUpdate.TYPE: _order_update,
    StateChanged.TYPE: _state,
    RiskChanged.TYPE: _risk,
    ParamsChanged.TYPE: _params,
    StrategyPaused.TYPE: _status,
    StrategyStatus.TYPE: _status,
}
