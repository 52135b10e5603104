"""The session's latest fills, bounded, with a running count, for readers that follow them
(the alerts): each keeps the count it has read up to and asks what came since. Nothing here
grows with the session; a reader that fell further behind than the feed keeps is told how
many it missed. The WAL's ``fill`` records are the whole history."""

from __future__ import annotations

from collections import deque

from hft_tui.model import Fill

# Far more fills than a session books between two snapshots (a reader follows on every one).
FILL_FEED_SIZE = 1000


class FillFeed:
    """The last ``keep`` fills and how many were booked in all."""

    def __init__(self, keep: int = FILL_FEED_SIZE) -> None:
        self._kept: deque[Fill] = deque(maxlen=keep)
        self.total = 0

    def append(self, fill: Fill) -> None:
        self._kept.append(fill)
        self.total += 1

    def since(self, read: int) -> tuple[list[Fill], int]:
        """The fills booked after the first ``read`` ones, oldest first, and how many of
        those are no longer kept (booked, but too long ago for the feed)."""
        new = self.total - read
        if new <= 0:
            return [], 0
        kept = min(new, len(self._kept))
        return list(self._kept)[len(self._kept) - kept:], new - kept

    def latest(self) -> list[Fill]:
        """The fills kept, oldest first."""
        return list(self._kept)
