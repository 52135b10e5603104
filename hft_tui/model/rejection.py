"""A market message a source could not turn into an event, with its reason code."""

from dataclasses import dataclass

from hft_tui.model.reason_codes import ReasonCode


@dataclass(frozen=True, slots=True)
class MarketRejection:
    """A market message a source could not turn into a valid event, and why."""

    symbol: str
    ts_ns: int
    code: ReasonCode
    source: str
    detail: str = ""
