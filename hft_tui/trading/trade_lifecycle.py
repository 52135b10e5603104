"""A position's life as a trade, apart from the pipeline that trades it.

The fill that takes a symbol from flat to at least one lot opens a trade, owned by the
strategy whose order it was and entered for the reasons of the signal behind that order;
every fill while it is open adds to its entry leg (on its side) or its exit leg (against
it) and its fees; the fill that leaves less than a lot closes it, scored as a
``ClosedTrade`` with the reason it was closed for (the first one given). The core journals
what this decides and arms and drops the exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hft_tui.model import ClosedTrade, Fill, Position, ReasonCode, Side, Signal
from hft_tui.model.reason_codes import journaled_code
from hft_tui.signals.decision import Decision


@dataclass(slots=True)
class OpenTrade:
    """What the engine remembers about an open position to score it when it closes."""

    strategy: str
    side: Side
    entry_reasons: tuple[ReasonCode, ...]
    opened_ts_ns: int
    realized_at_open: float
    max_qty: float = 0.0
    entry_price: float = 0.0
    fees_usd: float = 0.0  # every fill's fee from the opening one on, quote currency
    # Fills on the trade's side make its entry, fills against it its exit: each price is
    # the average of its fills.
    entry_qty: float = 0.0
    entry_notional: float = 0.0
    exit_qty: float = 0.0
    exit_notional: float = 0.0

    @classmethod
    def opened_by(cls, fill: Fill, position: Position, reasons: tuple[ReasonCode, ...]) -> OpenTrade:
        """The trade ``fill`` opened (``position`` after it), entered for ``reasons``; the fill
        itself is added by ``add_fill``."""
        return cls(
            strategy=fill.strategy or "operator",
            side=Side.BUY if position.qty > 0 else Side.SELL,
            entry_reasons=reasons,
            opened_ts_ns=fill.ts_ns,
            realized_at_open=position.realized_pnl + fill.fee,
            entry_price=position.avg_entry,
        )

    def to_record(self) -> dict[str, Any]:
        """JSON-ready, in the order a state snapshot has always written them."""
        return {"strategy": self.strategy, "side": self.side.value, "opened_ts_ns": self.opened_ts_ns,
                "realized_at_open": self.realized_at_open, "entry_price": self.entry_price,
                "max_qty": self.max_qty, "entry_reasons": [code.value for code in self.entry_reasons],
                "fees": self.fees_usd, "entry_qty": self.entry_qty, "entry_notional": self.entry_notional,
                "exit_qty": self.exit_qty, "exit_notional": self.exit_notional}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OpenTrade:
        """The trade ``to_record`` gave; fees and legs an older journal lacks are zero, and a reason
        no installed strategy registers any more is kept as written (never an error at start)."""
        return cls(
            strategy=record["strategy"], side=Side(record["side"]),
            entry_reasons=tuple(journaled_code(code) for code in record.get("entry_reasons", ())),
            opened_ts_ns=record["opened_ts_ns"], realized_at_open=record["realized_at_open"],
            max_qty=record["max_qty"], entry_price=record["entry_price"], fees_usd=record.get("fees", 0.0),
            entry_qty=record.get("entry_qty", 0.0), entry_notional=record.get("entry_notional", 0.0),
            exit_qty=record.get("exit_qty", 0.0), exit_notional=record.get("exit_notional", 0.0),
        )

    def add_fill(self, fill: Fill, position: Position) -> None:
        """A fill of the trade's symbol while it is open (the opening one included)."""
        self.fees_usd += fill.fee
        self.max_qty = max(self.max_qty, abs(position.qty))
        if fill.side is self.side:
            self.entry_qty += fill.qty
            self.entry_notional += fill.qty * fill.price
            self.entry_price = self.entry_notional / self.entry_qty
        else:
            self.exit_qty += fill.qty
            self.exit_notional += fill.qty * fill.price

    @property
    def exit_price(self) -> float:
        return self.exit_notional / self.exit_qty if self.exit_qty else 0.0


@dataclass(slots=True)
class PendingEntry:
    """The signal and decision an entry order was sent for (its trade opens on its fill)."""

    signal: Signal
    decision: Decision


class TradeLifecycle:
    """The open trades by symbol, and what opens or closes the next ones: entries in flight
    and the reason a symbol is being closed for. With ``keep_closed`` (a backtest, whose report
    reads them) also every trade closed; a trading session's are in its WAL only, so nothing
    here grows with the session."""

    def __init__(self, *, keep_closed: bool = False) -> None:
        self.open: dict[str, OpenTrade] = {}
        self.closed: list[ClosedTrade] = []
        self._keep_closed = keep_closed
        self._entries: dict[str, PendingEntry] = {}
        self._exit_reasons: dict[str, ReasonCode] = {}

    def entry_sent(self, client_id: str, entry: PendingEntry) -> None:
        self._entries[client_id] = entry

    def order_ended(self, client_id: str) -> None:
        self._entries.pop(client_id, None)

    def closing(self, symbol: str, reason: ReasonCode) -> None:
        """``symbol`` is being closed for ``reason`` (unless a reason was given already)."""
        self._exit_reasons.setdefault(symbol, reason)

    def owner(self, symbol: str) -> str:
        """Who closes the symbol's position: its trade's strategy, else the operator."""
        trade = self.open.get(symbol)
        return trade.strategy if trade is not None else "operator"

    def reopen(self, symbol: str, trade: OpenTrade) -> None:
        """A trade open when the last session ended (recovery)."""
        self.open[symbol] = trade

    def opened(self, fill: Fill, position: Position) -> Signal | None:
        """``fill`` opened a trade; returns the signal it entered on (None: not a strategy's
        entry, e.g. the operator's or a restart's)."""
        entry = self._entries.get(fill.client_id)
        signal = entry.signal if entry is not None else None
        self.open[fill.symbol] = OpenTrade.opened_by(fill, position, signal.reasons if signal is not None else ())
        return signal

    def filled(self, fill: Fill, position: Position) -> None:
        """Any fill: it adds to its symbol's open trade, if one is open."""
        trade = self.open.get(fill.symbol)
        if trade is not None:
            trade.add_fill(fill, position)

    def closed_by(self, fill: Fill, after: Position) -> tuple[OpenTrade, ClosedTrade] | None:
        """``fill`` left less than a lot: the trade it closed, and its score (None if no
        trade was open)."""
        trade = self.open.pop(fill.symbol, None)
        if trade is None:
            return None
        closed = ClosedTrade(
            strategy=trade.strategy,
            symbol=fill.symbol,
            side=trade.side,
            qty=trade.max_qty,
            entry_price=trade.entry_price,
            exit_price=trade.exit_price,
            pnl_usd=after.realized_pnl - trade.realized_at_open,
            entry_ts_ns=trade.opened_ts_ns,
            exit_ts_ns=fill.ts_ns,
            entry_reasons=trade.entry_reasons,
            exit_reason=self._exit_reasons.pop(fill.symbol, None),
            fees_usd=trade.fees_usd,
        )
        if self._keep_closed:
            self.closed.append(closed)
        return trade, closed
