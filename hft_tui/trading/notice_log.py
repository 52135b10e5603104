"""The operator's notices: bounded, coalesced, kept until acknowledged.

Every notice is journaled (a ``notice`` record) before it is kept here, so the log only
decides what stays on screen. It holds at most ``capacity`` entries: acknowledged ones make
room first; only when every entry is unacknowledged does the oldest leave memory, and the
view then says how many are in the journal only. A notice identical to an unacknowledged
one (same source and text) is counted on that entry instead of filling the log.

The log outlives the process: recovery rebuilds it by replaying the journal's ``notice``
records and ``AcknowledgeNotices`` commands through this same class (so the sequence numbers
come out as they were), and the WAL ``snapshot`` record carries it (``to_payload``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

from hft_tui.model import Notice

NOTICE_CAPACITY = 200


class NoticeLog:
    """Notices in arrival order, each with a sequence number the operator acknowledges up to."""

    def __init__(self, capacity: int = NOTICE_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self._capacity = capacity
        self._notices: list[Notice] = []
        self._seq = 0
        self.evicted_unacknowledged = 0  # left memory unread; the journal still has them
        self._evicted_up_to = 0  # seq of the newest notice that left memory unread
        self.version = 0  # moves with every change: a reader redraws when it does

    def add(self, source: str, text: str, ts_ns: int) -> Notice:
        """Keep one notice (or count it on an identical unacknowledged one); returns the entry."""
        self.version += 1
        for i in range(len(self._notices) - 1, -1, -1):
            kept = self._notices[i]
            if not kept.acknowledged and kept.source == source and kept.text == text:
                self._notices[i] = replace(kept, count=kept.count + 1, last_ts_ns=ts_ns)
                return self._notices[i]
        self._seq += 1
        notice = Notice(self._seq, ts_ns, source, text, last_ts_ns=ts_ns)
        self._notices.append(notice)
        if len(self._notices) > self._capacity:
            self._evict_one()
        return notice

    def acknowledge(self, up_to_seq: int) -> int:
        """Mark every notice up to ``up_to_seq`` read; returns how many were newly acknowledged."""
        self.version += 1
        newly = 0
        for i, notice in enumerate(self._notices):
            if notice.seq <= up_to_seq and not notice.acknowledged:
                self._notices[i] = replace(notice, acknowledged=True)
                newly += 1
        if self.evicted_unacknowledged and up_to_seq >= self._evicted_up_to:
            newly += self.evicted_unacknowledged
            self.evicted_unacknowledged = 0
        return newly

    @property
    def notices(self) -> tuple[Notice, ...]:
        """Oldest first."""
        return tuple(self._notices)

    @property
    def latest(self) -> Notice | None:
        return max(self._notices, key=lambda n: n.last_ts_ns, default=None)

    @property
    def unacknowledged(self) -> int:
        return sum(1 for n in self._notices if not n.acknowledged) + self.evicted_unacknowledged

    @property
    def last_seq(self) -> int:
        return self._seq

    def to_payload(self) -> dict[str, Any]:
        """The log as JSON-friendly data (the WAL ``snapshot`` record's ``notices``)."""
        return {"notices": [asdict(n) for n in self._notices], "seq": self._seq,
                "evicted": self.evicted_unacknowledged, "evicted_up_to": self._evicted_up_to}

    def restore(self, payload: Mapping[str, Any]) -> None:
        """Take back a log the journal rebuilt (``to_payload``); notices added before this
        (at start, ahead of the recovery) come after it, as their records do in the journal."""
        added = self._notices
        self._notices = [Notice(**n) for n in payload.get("notices", ())]
        self._seq = int(payload.get("seq", 0))
        self.evicted_unacknowledged = int(payload.get("evicted", 0))
        self._evicted_up_to = int(payload.get("evicted_up_to", 0))
        self.version += 1
        for notice in added:
            for _ in range(notice.count):
                self.add(notice.source, notice.text, notice.last_ts_ns)

    def _evict_one(self) -> None:
        for i, notice in enumerate(self._notices):
            if notice.acknowledged:
                del self._notices[i]
                return
        self._evicted_up_to = self._notices.pop(0).seq
        self.evicted_unacknowledged += 1
