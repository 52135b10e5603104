from dataclasses import dataclass
from enum import StrEnum


class FeedState(StrEnum):
    """Health of one symbol's market data. New entries are frozen unless LIVE."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    RESYNCING = "resyncing"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A change of a symbol's feed state, emitted by market sources and the staleness watch."""

    symbol: str
    ts_ns: int
    state: FeedState
    detail: str = ""
