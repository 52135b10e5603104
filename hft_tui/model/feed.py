"""The health of a symbol's market data (LIVE, STALE, ...) and a change of it."""

from dataclasses import dataclass
from enum import StrEnum


class FeedState(StrEnum):
    """Health of one symbol's market data. New entries on a symbol are frozen unless LIVE."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    RESYNCING = "resyncing"
    REJECTING = "rejecting"  # books arrive but the sanitizer rejects every one of them

    @property
    def severity(self) -> int:
        """0 for LIVE, higher the less the feed can be traded on: the header shows the worst."""
        return _SEVERITY[self]


_SEVERITY = {
    FeedState.LIVE: 0,
    FeedState.CONNECTING: 1,
    FeedState.RESYNCING: 2,
    FeedState.STALE: 3,
    FeedState.REJECTING: 4,
}


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A change of a symbol's feed state, emitted by market sources and the staleness watch."""

    symbol: str
    ts_ns: int
    state: FeedState
    detail: str = ""
