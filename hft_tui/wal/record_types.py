"""Every WAL record type in one place: its fields and their payload codec, what it is about,
how loud it is, whether a replay must reproduce it.

A record type is one frozen dataclass registered with :func:`journal`; every writer builds
one and hands it to ``WalWriter.write`` (never a dict literal), every reader turns a
``WalRecord`` back into one with :func:`decode`. The WAL pane's filters and colours, ``wal
tail``'s styles, the replay's decision stream and recovery's fold all read this module.

The codec is the dataclass itself: the payload holds the fields in declaration order, under
their own names unless a field says otherwise (``stored_as``), and a field left ``ABSENT`` is not
written at all (a record type whose writers know more in some cases than in others, like an
order's update, is still one type). The values are the JSON types the line holds, so a
record read back encodes to the same bytes.

To add a record type: one class here, with ``@journal(name, topics, tone, decision=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar, Final, TypeVar, dataclass_transform

from hft_tui.model import ClosedTrade, Fill, Order

R = TypeVar("R", bound="Record")


class Topic(StrEnum):
    """What a record is about: one WAL filter per topic."""

    ORDERS = "orders & fills"
    SIGNALS = "signals"
    RISK = "risk & state"
    OPERATOR = "operator"
    FEED = "feed & errors"
    NOTICES = "notices"
    SESSION = "session"


class Tone(StrEnum):
    """How loudly a record is shown: what the operator must not miss is loudest."""

    ALARM = "alarm"
    RISK = "risk"
    ORDER = "order"
    FILL = "fill"
    SIGNAL = "signal"
    OPERATOR = "operator"
    SESSION = "session"
    QUIET = "quiet"


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str
    topics: frozenset[Topic]
    tone: Tone
    decision: bool  # something the engine chose, or that changed what it may choose: replays reproduce it
    act_on: bool  # something an operator acts on: the WAL pane shows these by default


class _Absent:
    """The value of a field a record of this type does not carry this time."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = _Absent()
Absent = _Absent


def stored_as(name: str) -> Any:
    """A field stored under another payload key (one that is not a Python name)."""
    return field(metadata={"key": name})


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One journal record; subclasses are the record types (see :func:`journal`)."""

    TYPE: ClassVar[str]
    _CODEC: ClassVar[tuple[tuple[str, str], ...]]

    def to_payload(self) -> dict[str, Any]:
        """The payload: the fields in order, under their keys, ``ABSENT`` ones left out."""
        payload: dict[str, Any] = {}
        for attr, name in self._CODEC:
            value = getattr(self, attr)
            if value is not ABSENT:
                payload[name] = value
        return payload

    @classmethod
    def from_payload(cls: type[R], payload: Mapping[str, Any]) -> R:
        """The record a payload holds (keys this build does not know are ignored)."""
        return cls(**{attr: payload[name] for attr, name in cls._CODEC if name in payload})


RECORD_CLASSES: dict[str, type[Record]] = {}
RECORD_TYPES: dict[str, RecordType] = {}


def journal(name: str, topics: set[Topic], tone: Tone, *, decision: bool,
            act_on: bool = True) -> Callable[[type[R]], type[R]]:
    """Register a record class as the WAL record type ``name``."""
    def register(cls: type[R]) -> type[R]:
        assert name not in RECORD_CLASSES, f"record type {name!r} registered twice"
        cls.TYPE = name
        cls._CODEC = tuple((f.name, f.metadata.get("key", f.name)) for f in fields(cls))
        RECORD_CLASSES[name] = cls
        RECORD_TYPES[name] = RecordType(name, frozenset(topics), tone, decision, act_on)
        return cls
    return register


def decode(record_type: str, payload: Mapping[str, Any]) -> Record | None:
    """The typed record of a line (None for a type this build does not know)."""
    cls = RECORD_CLASSES.get(record_type)
    return None if cls is None else cls.from_payload(payload)


_O, _S, _R, _P, _F, _N, _X = (Topic.ORDERS, Topic.SIGNALS, Topic.RISK, Topic.OPERATOR, Topic.FEED,
                              Topic.NOTICES, Topic.SESSION)


@dataclass_transform(frozen_default=True, kw_only_default=True)
def _frozen(cls: type[R]) -> type[R]:
    """A record type's dataclass (frozen, slotted, keyword-only), declared so type checkers see its fields."""
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


# --- orders and fills ----------------------------------------------------------------------------


@journal("order", {_O}, Tone.ORDER, decision=True)
@_frozen
class OrderPlaced(Record):
    """An order intent, journaled before it may reach the broker."""

    client_id: str
    symbol: str
    side: str
    order_type: str
    qty: float
    price: float | None
    reduce_only: bool
    strategy: str
    reason: str
    arrival_mid: float | None = None
    expected_cost_bps: float | None = None

    @classmethod
    def of(cls, order: Order, reason: str, arrival_mid: float | None,
           expected_cost_bps: float | None) -> OrderPlaced:
        return cls(client_id=order.client_id, symbol=order.symbol, side=order.side.value,
                   order_type=order.type.value, qty=order.qty, price=order.price,
                   reduce_only=order.reduce_only, strategy=order.strategy, reason=reason,
                   arrival_mid=arrival_mid, expected_cost_bps=expected_cost_bps)


@journal("order_update", {_O}, Tone.ORDER, decision=True)
@_frozen
class OrderUpdate(Record):
    """An order's news: the exchange's id once it has one (live), or its end (filled,
    cancelled, rejected: with what was filled and its TCA, or only why)."""

    client_id: str
    symbol: str
    status: str
    exchange_id: str | Absent = ABSENT
    filled_qty: float | Absent = ABSENT
    avg_fill_price: float | Absent = ABSENT
    reason: str | None | Absent = ABSENT
    tca: dict[str, Any] | Absent = ABSENT

    @classmethod
    def acknowledged(cls, order: Order) -> OrderUpdate:
        """Live: the exchange took the order under this id (recovery finds it by it)."""
        return cls(client_id=order.client_id, symbol=order.symbol, status=order.status.value,
                   exchange_id=order.exchange_id)

    @classmethod
    def ended(cls, order: Order, tca: dict[str, Any] | None) -> OrderUpdate:
        """The order is done: filled, cancelled or rejected."""
        return cls(client_id=order.client_id, symbol=order.symbol, status=order.status.value,
                   filled_qty=order.filled_qty, avg_fill_price=order.avg_fill_price, reason=order.reason,
                   tca=ABSENT if tca is None else tca)

    @classmethod
    def not_executed(cls, client_id: str, symbol: str, reason: str) -> OrderUpdate:
        """An intent recovery or reconciliation found never reached a matching engine."""
        return cls(client_id=client_id, symbol=symbol, status="cancelled", reason=reason)


@journal("order_rejected", {_O, _R}, Tone.RISK, decision=True)
@_frozen
class OrderRejected(Record):
    """The risk gate refused an order (a manual one names what was asked, and a manual order
    refused before it became one has no client id but says why in ``detail``)."""

    client_id: str | Absent = ABSENT
    code: str
    symbol: str | Absent = ABSENT
    side: str | Absent = ABSENT
    qty: float | Absent = ABSENT
    strategy: str | Absent = ABSENT
    detail: str | Absent = ABSENT


@journal("cancel", {_O}, Tone.ORDER, decision=True)
@_frozen
class CancelSent(Record):
    client_id: str
    symbol: str


@journal("fill", {_O}, Tone.FILL, decision=True)
@_frozen
class FillBooked(Record):
    """A fill booked into the portfolio, with the position it left."""

    client_id: str
    symbol: str
    side: str
    qty: float
    price: float
    fee: float
    liquidity: str
    strategy: str = ""
    trade_id: str | None = None
    ts_ns: int
    position_qty: float | Absent = ABSENT
    base_fee_qty: float | Absent = ABSENT  # only when the fee was taken in the base asset

    @classmethod
    def of(cls, fill: Fill, position_qty: float) -> FillBooked:
        return cls(client_id=fill.client_id, symbol=fill.symbol, side=fill.side.value, qty=fill.qty,
                   price=fill.price, fee=fill.fee, liquidity=fill.liquidity.value, strategy=fill.strategy,
                   trade_id=fill.trade_id, ts_ns=fill.ts_ns, position_qty=position_qty,
                   base_fee_qty=fill.base_fee_qty or ABSENT)


@journal("trade_closed", {_O}, Tone.FILL, decision=True)
@_frozen
class TradeClosed(Record):
    """A position went flat: the round trip, scored. The journal form of ``model.ClosedTrade``
    (``of``), in plain strings, so the history it makes (``hft-tui trades``, the trades and PnL
    views read these records) outlives the code that wrote it: the reason codes of a strategy
    no longer installed, the records from before ``fees``."""

    strategy: str
    symbol: str
    side: str
    qty: float
    entry_price: float
    exit_price: float
    pnl: float  # net of fees
    fees: float | None | Absent = ABSENT  # every fill from entry to exit (older records lack it)
    entry_ts_ns: int
    exit_ts_ns: int
    entry_reasons: list[str] = field(default_factory=list)
    exit_reason: str | None = None

    @classmethod
    def of(cls, closed: ClosedTrade) -> TradeClosed:
        return cls(strategy=closed.strategy, symbol=closed.symbol, side=closed.side.value, qty=closed.qty,
                   entry_price=closed.entry_price, exit_price=closed.exit_price, pnl=closed.pnl_usd,
                   fees=closed.fees_usd, entry_ts_ns=closed.entry_ts_ns, exit_ts_ns=closed.exit_ts_ns,
                   entry_reasons=[code.value for code in closed.entry_reasons],
                   exit_reason=closed.exit_reason.value if closed.exit_reason else None)

    @property
    def known_fees(self) -> float | None:
        """The fees; None for a record written before ``trade_closed`` carried them."""
        return None if isinstance(self.fees, Absent) else self.fees

    @property
    def duration_s(self) -> float:
        return (self.exit_ts_ns - self.entry_ts_ns) / 1e9


@journal("flatten", {_O, _R, _P}, Tone.ALARM, decision=True)
@_frozen
class FlattenStarted(Record):
    symbols: list[str]
    reason: str


@journal("flatten_incomplete", {_O, _R, _N}, Tone.ALARM, decision=True)
@_frozen
class FlattenIncomplete(Record):
    symbol: str
    qty_left: float
    reason: str


# --- signals -----------------------------------------------------------------------------------------


@journal("signal", {_S}, Tone.SIGNAL, decision=True, act_on=False)
@_frozen
class SignalVerdict(Record):
    """A decided signal and its final verdict: the manager's, then sizing's and the gate's."""

    ts_ns: int
    symbol: str
    strategy: str
    side: str
    accepted: bool
    reasons: list[str]
    size_factor: float
    confidence: float
    priority: int
    signal_reasons: list[str]
    signal_ts_ns: int
    expiry_ts_ns: int
    take_profit: float | None
    stop_loss: float | None
    size_hint: float | None
    outcome: list[str]
    detail: str | Absent = ABSENT


@journal("exit_rules", {_S}, Tone.SIGNAL, decision=True, act_on=False)
@_frozen
class ExitRulesArmed(Record):
    """The exits watching a new position (a recovered position keeps them)."""

    symbol: str
    side: str
    entry_price: float
    opened_ts_ns: int
    take_profit: float | None
    stop_loss: float | None
    trailing_stop_bps: float | None
    trailing_activation_price: float | None
    time_stop_ts_ns: int | None


# --- risk and state ------------------------------------------------------------------------------


@journal("risk", {_R}, Tone.RISK, decision=True, act_on=False)
@_frozen
class RiskChanged(Record):
    """The DRB guard's state: in full once a session, then only what changed
    (``risk/drb_journal.py`` makes and merges them)."""

    state: dict[str, Any]

    def to_payload(self) -> dict[str, Any]:
        return self.state

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> RiskChanged:
        return cls(state=dict(payload))


@journal("state", {_R}, Tone.RISK, decision=True)
@_frozen
class StateChanged(Record):
    """A trading-state transition (ACTIVE, REDUCING, HALTED, FAILED)."""

    from_state: str = stored_as("from")
    to_state: str = stored_as("to")
    reason: str | None
    ts_ns: int = 0
    detail: str = ""


@journal("hold", {_R}, Tone.RISK, decision=False)
@_frozen
class HoldChanged(Record):
    """Live: a reason to stay REDUCING taken (``reason``) or lifted (``released``)."""

    key: str
    reason: str | Absent = ABSENT
    released: bool | Absent = ABSENT
    detail: str


# --- the operator ----------------------------------------------------------------------------------


@journal("command", {_P}, Tone.OPERATOR, decision=True)
@_frozen
class CommandIssued(Record):
    """An operator command, durable before it acts: its name, how many market events the
    core had seen (a replay applies it at the same point), its arguments as the command's
    codec gives them (``trading/commands.py``) and, on a latched clock, the time it acted at."""

    command: str
    at_event: int
    args: dict[str, Any] = field(default_factory=dict)
    clock_ns: int | Absent = ABSENT

    def to_payload(self) -> dict[str, Any]:
        payload = {"command": self.command, "at_event": self.at_event, **self.args}
        if self.clock_ns is not ABSENT:
            payload["clock_ns"] = self.clock_ns
        return payload

    @classmethod
    def from_payload(cls: type[R], payload: Mapping[str, Any]) -> R:
        args = {k: v for k, v in payload.items() if k not in ("command", "at_event", "clock_ns")}
        return cls(command=payload["command"], at_event=payload.get("at_event", 0), args=args,  # type: ignore[call-arg]
                   clock_ns=payload.get("clock_ns", ABSENT))


@journal("kill", {_R, _P}, Tone.ALARM, decision=True)
@_frozen
class KillIssued(CommandIssued):
    """The kill command: a type of its own so it is easy to find."""


@journal("param", {_P}, Tone.OPERATOR, decision=True)
@_frozen
class ParamsChanged(Record):
    strategy: str
    old: dict[str, Any]
    new: dict[str, Any]


@journal("pause", {_P}, Tone.OPERATOR, decision=True)
@_frozen
class StrategyPaused(Record):
    """A strategy paused or resumed (``action``)."""

    ts_ns: int
    strategy: str
    action: str
    detail: str = ""


@journal("strategy", {_P, _S}, Tone.OPERATOR, decision=True)
@_frozen
class StrategyStatus(Record):
    """A strategy disabled (by its scores, its own failure) or enabled again (``action``)."""

    ts_ns: int
    strategy: str
    action: str
    detail: str = ""


@journal("strategy_reload", {_P, _S}, Tone.OPERATOR, decision=True)
@_frozen
class StrategyReloaded(Record):
    """A user strategy's code reloaded between two events (``--reload``): after ``at_event``
    market events, the file's new text (``source``, whose sha256 it is) runs with ``params``
    (the old ones that still validate; ``dropped`` did not), warmed up on ``warmup_events``
    recent events. The text is here so a replay runs exactly the code that decided."""

    strategy: str
    at_event: int
    path: str
    sha256: str
    params: dict[str, Any]
    dropped: list[str]
    warmup_events: int
    source: str


# --- feeds, errors, notices ------------------------------------------------------------------------


@journal("feed", {_F}, Tone.QUIET, decision=True)
@_frozen
class FeedChanged(Record):
    symbol: str
    state: str
    detail: str


@journal("rejection", {_F}, Tone.QUIET, decision=True, act_on=False)
@_frozen
class InputRejected(Record):
    """Market input the sanitizer refused: at most one record per (symbol, code) per second,
    with how many since the last one and in all."""

    symbol: str
    code: str
    count: int
    total: int


@journal("error", {_F, _N}, Tone.ALARM, decision=False)
@_frozen
class ComponentError(Record):
    """A component's failure, once per distinct error (redacted); a strategy's own failure
    carries its traceback."""

    where: str
    error: str
    traceback: str | Absent = ABSENT


@journal("notice", {_N}, Tone.ALARM, decision=False)
@_frozen
class NoticeGiven(Record):
    source: str
    text: str


@journal("reconcile", {_O, _N}, Tone.ALARM, decision=False)
@_frozen
class Reconciled(Record):
    """Live: what the exchange said that the journal did not."""

    differences: list[str]


# --- the session ---------------------------------------------------------------------------------


@journal("recovery", {_X, _N}, Tone.SESSION, decision=False)
@_frozen
class Recovered(Record):
    from_seq: int
    restored: list[str]


@journal("session_start", {_X, _P}, Tone.SESSION, decision=False)
@_frozen
class SessionStarted(Record):
    """A session began: an engine's (``session`` number) or a backtest's (``window``)."""

    mode: str
    exchange: str
    symbols: list[str]
    source: str
    session: int | Absent = ABSENT
    window: str | Absent = ABSENT
    # The source (path, sha256) of each user strategy that ran, so a replay knows which code decided.
    strategy_code: dict[str, dict[str, Any]] | Absent = ABSENT


@journal("session_stop", {_X, _P}, Tone.SESSION, decision=False)
@_frozen
class SessionStopped(Record):
    reason: str
    events: int


@journal("snapshot", {_X}, Tone.QUIET, decision=False, act_on=False)
@_frozen
class StateSnapshot(Record):
    """Everything a restart needs (``trading/state.py``'s ``RecoveredState``): recovery
    folds only from the last one."""

    state: dict[str, Any]

    def to_payload(self) -> dict[str, Any]:
        return self.state

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> StateSnapshot:
        return cls(state=dict(payload))


@journal("recordings_pruned", {_X}, Tone.QUIET, decision=False, act_on=False)
@_frozen
class RecordingsPruned(Record):
    sessions: list[str]
    freed_mb: float
    max_mb: float


# --- live only (a replay cannot reproduce the exchange): the account, the kill's outcome ----------


@journal("account", {_O, _R}, Tone.QUIET, decision=False)
@_frozen
class AccountRead(Record):
    """Live: the exchange's balances; the first read of a session names the holdings that are
    not the engine's (``external``), later ones what disagrees with the positions."""

    totals: dict[str, float]
    external: dict[str, float] | Absent = ABSENT
    equity: float | None
    positions: dict[str, dict[str, float]] | Absent = ABSENT  # swaps: the exchange's, by symbol
    mismatches: list[str] | Absent = ABSENT


@journal("dead_man", {_R}, Tone.RISK, decision=False)
@_frozen
class DeadManChanged(Record):
    """Live: the exchange's dead-man's switch armed (cancels resting orders ``timeout_s``
    after the last refresh) or disarmed at a clean stop."""

    armed: bool
    timeout_s: float | Absent = ABSENT


@_frozen
class _FlatCheck(Record):
    symbols: list[str]
    reason: str
    ms: float
    left: list[str]


@journal("flat_confirmed", {_O, _R, _N}, Tone.ALARM, decision=False)
@_frozen
class FlatConfirmed(_FlatCheck):
    """Live: the exchange confirms no open orders and flat positions."""


@journal("flat_not_confirmed", {_O, _R, _N}, Tone.ALARM, decision=False)
@_frozen
class FlatNotConfirmed(_FlatCheck):
    """Live: the kill or flatten ended with the exchange not flat (``left``)."""


# --- written by ``hft-tui wal repair``, never by a session ------------------------------------------


@journal("wal_repair", {_X, _N}, Tone.ALARM, decision=False)
@_frozen
class WalRepaired(Record):
    action: str
    segment: str
    line: int
    offset: int
    record_seq: int | None
    reason: str
    detail: str
    records_lost: int
    copy: str


@journal("corrupt_record", {_X}, Tone.ALARM, decision=False)
@_frozen
class CorruptRecord(Record):
    """The placeholder at the seq of a damaged record (its bytes kept as text)."""

    reason: str
    detail: str
    copy: str
    original: str


DECISION_TYPES: frozenset[str] = frozenset(name for name, t in RECORD_TYPES.items() if t.decision)
ACT_ON_TYPES: frozenset[str] = frozenset(name for name, t in RECORD_TYPES.items() if t.act_on)


def types_about(topic: Topic) -> frozenset[str]:
    """The record types a filter on ``topic`` shows."""
    return frozenset(name for name, t in RECORD_TYPES.items() if topic in t.topics)


def tone_of(record_type: str) -> Tone | None:
    """How loud ``record_type`` is (None for a type this build does not know)."""
    known = RECORD_TYPES.get(record_type)
    return None if known is None else known.tone
