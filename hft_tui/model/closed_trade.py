"""A round trip as the engine closed it: what strategies are scored on and backtests report."""

from __future__ import annotations

from dataclasses import dataclass

from hft_tui.model.reason_codes import ReasonCode
from hft_tui.model.side import Side


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    """A round trip as the engine closed it; ``pnl_usd`` is net of fees, quote currency.

    The WAL's ``trade_closed`` record (``wal/record_types.TradeClosed.of``) is its journal form:
    plain strings for the side and the reasons, so a history outlives the code that wrote it.
    """

    strategy: str
    symbol: str
    side: Side
    qty: float
    entry_price: float
    exit_price: float
    pnl_usd: float
    entry_ts_ns: int
    exit_ts_ns: int
    entry_reasons: tuple[ReasonCode, ...] = ()
    exit_reason: ReasonCode | None = None
    fees_usd: float = 0.0  # every fill's fee, entry to exit (already in ``pnl_usd``)
