"""Which WAL records are decisions, which of their fields a replay must reproduce, and the
journal cut into sessions.

A decision is anything the engine chose or that changed what it may choose next: signal
verdicts, order intents and rejections, order outcomes and fills, trades closed, exits armed,
trading-state and DRB transitions, flattens, cancels, parameter changes, pauses, operator
commands and kills, feed-state changes and sanitizer rejections. Bookkeeping records
(``session_start``/``session_stop``, ``snapshot``, ``recovery``, ``error``) are not: they
describe the process, not the trading.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hft_tui.wal.record import WalRecord
from hft_tui.wal.record_types import DECISION_TYPES, CommandIssued, KillIssued, SessionStarted

COMMAND_TYPES: frozenset[str] = frozenset({CommandIssued.TYPE, KillIssued.TYPE})
BACKTEST_MODE = "BACKTEST"


def is_clock_field(name: str) -> bool:
    """A field holding a clock reading (or a difference of two): exact on a data clock, not on
    the wall clock, where each read inside one event returns a slightly later time."""
    return name == "ts_ns" or name.endswith("_ts_ns") or name.endswith("_latency_ms")


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision record: its position in the session's stream, WAL seq, type and payload."""

    index: int
    seq: int
    type: str
    payload: dict[str, Any]


@dataclass
class JournalSession:
    """One session of a WAL: the records before it (what recovery saw) and its own."""

    number: int
    start: WalRecord
    records: list[WalRecord] = field(default_factory=list)

    @property
    def is_backtest(self) -> bool:
        return self.start.payload.get("mode") == BACKTEST_MODE

    def decisions(self) -> list[DecisionRecord]:
        """The session's decision stream, in journal order."""
        return list(decisions_of(self.records))


def decisions_of(records: Iterable[WalRecord]) -> Iterator[DecisionRecord]:
    """The decision records among ``records``, numbered from 0."""
    index = 0
    for record in records:
        if record.type in DECISION_TYPES:
            yield DecisionRecord(index, record.seq, record.type, record.payload)
            index += 1


def split_sessions(records: Iterable[WalRecord]) -> tuple[list[WalRecord], list[JournalSession]]:
    """The records before the first session, and each session with its records (its
    ``session_start`` first). Sessions are numbered as the engine numbers them: 1, 2, ..."""
    preamble: list[WalRecord] = []
    sessions: list[JournalSession] = []
    for record in records:
        if record.type == SessionStarted.TYPE:
            sessions.append(JournalSession(len(sessions) + 1, record, [record]))
        elif sessions:
            sessions[-1].records.append(record)
        else:
            preamble.append(record)
    return preamble, sessions
