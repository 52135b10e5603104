"""One message for the operator, and whether it was read."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for the operator (a broker warning, a reconcile difference, a recovery).

    Identical unacknowledged notices are one entry with a ``count`` and the time of the
    latest; every occurrence is journaled all the same.
    """

    seq: int
    ts_ns: int
    source: str  # broker | reconcile | recovery | kill | risk | feed | engine | ...
    text: str
    count: int = 1
    last_ts_ns: int = 0
    acknowledged: bool = False
