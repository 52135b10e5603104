"""Every WAL record type in one place: what it is about, how loud it is, whether a replay must
reproduce it. The WAL pane's filters and colours, ``wal tail``'s styles and the replay's
decision stream all read this table; a type written anywhere must be listed here (a test
scans the code for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


def _type(name: str, topics: set[Topic], tone: Tone, *, decision: bool, act_on: bool = True) -> RecordType:
    return RecordType(name, frozenset(topics), tone, decision, act_on)


_O, _S, _R, _P, _F, _N, _X = (Topic.ORDERS, Topic.SIGNALS, Topic.RISK, Topic.OPERATOR, Topic.FEED,
                              Topic.NOTICES, Topic.SESSION)
RECORD_TYPES: dict[str, RecordType] = {t.name: t for t in (
    _type("order", {_O}, Tone.ORDER, decision=True),
    _type("order_update", {_O}, Tone.ORDER, decision=True),
    _type("order_rejected", {_O, _R}, Tone.RISK, decision=True),
    _type("cancel", {_O}, Tone.ORDER, decision=True),
    _type("fill", {_O}, Tone.FILL, decision=True),
    _type("trade_closed", {_O}, Tone.FILL, decision=True),
    _type("flatten", {_O, _R, _P}, Tone.ALARM, decision=True),
    _type("flatten_incomplete", {_O, _R, _N}, Tone.ALARM, decision=True),
    _type("signal", {_S}, Tone.SIGNAL, decision=True, act_on=False),
    _type("exit_rules", {_S}, Tone.SIGNAL, decision=True, act_on=False),
    _type("risk", {_R}, Tone.RISK, decision=True, act_on=False),
    _type("state", {_R}, Tone.RISK, decision=True),
    _type("kill", {_R, _P}, Tone.ALARM, decision=True),
    _type("command", {_P}, Tone.OPERATOR, decision=True),
    _type("param", {_P}, Tone.OPERATOR, decision=True),
    _type("pause", {_P}, Tone.OPERATOR, decision=True),
    _type("strategy", {_P, _S}, Tone.OPERATOR, decision=True),
    _type("feed", {_F}, Tone.QUIET, decision=True),
    _type("rejection", {_F}, Tone.QUIET, decision=True, act_on=False),
    _type("error", {_F, _N}, Tone.ALARM, decision=False),
    _type("notice", {_N}, Tone.ALARM, decision=False),
    _type("reconcile", {_O, _N}, Tone.ALARM, decision=False),
    _type("recovery", {_X, _N}, Tone.SESSION, decision=False),
    _type("session_start", {_X, _P}, Tone.SESSION, decision=False),
    _type("session_stop", {_X, _P}, Tone.SESSION, decision=False),
    _type("snapshot", {_X}, Tone.QUIET, decision=False, act_on=False),
    _type("recordings_pruned", {_X}, Tone.QUIET, decision=False, act_on=False),
    # Live only (a replay cannot reproduce the exchange): holds, the account, the kill's outcome.
    _type("hold", {_R}, Tone.RISK, decision=False),
    _type("account", {_O, _R}, Tone.QUIET, decision=False),
    _type("dead_man", {_R}, Tone.RISK, decision=False),
    _type("flat_confirmed", {_O, _R, _N}, Tone.ALARM, decision=False),
    _type("flat_not_confirmed", {_O, _R, _N}, Tone.ALARM, decision=False),
    # Written by ``hft-tui wal repair``, never by a session.
    _type("wal_repair", {_X, _N}, Tone.ALARM, decision=False),
    _type("corrupt_record", {_X}, Tone.ALARM, decision=False),
)}
DECISION_TYPES: frozenset[str] = frozenset(name for name, t in RECORD_TYPES.items() if t.decision)
ACT_ON_TYPES: frozenset[str] = frozenset(name for name, t in RECORD_TYPES.items() if t.act_on)


def types_about(topic: Topic) -> frozenset[str]:
    """The record types a filter on ``topic`` shows."""
    return frozenset(name for name, t in RECORD_TYPES.items() if topic in t.topics)


def tone_of(record_type: str) -> Tone | None:
    """How loud ``record_type`` is (None for a type this build does not know)."""
    known = RECORD_TYPES.get(record_type)
    return None if known is None else known.tone
