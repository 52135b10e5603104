"""A net position in one symbol, and how a fill changes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from hft_tui.model.order import Fill


@dataclass(frozen=True, slots=True)
class Position:
    """A net position in one symbol. ``qty`` is signed: > 0 long, < 0 short."""

    symbol: str
    qty: float = 0.0
    avg_entry: float = 0.0
    realized_pnl: float = 0.0
    fees_paid: float = 0.0
    opened_ts_ns: int = 0

    def to_record(self) -> dict[str, Any]:
        """Its fields but the symbol (the key it is kept under), JSON-ready: a state snapshot's entry."""
        return {"qty": self.qty, "avg_entry": self.avg_entry, "realized_pnl": self.realized_pnl,
                "fees_paid": self.fees_paid, "opened_ts_ns": self.opened_ts_ns}

    @classmethod
    def from_record(cls, symbol: str, record: Mapping[str, Any]) -> Position:
        """The position ``to_record`` gave (a field an older journal lacks takes its default)."""
        return cls(symbol, **{f.name: record[f.name] for f in fields(cls) if f.name != "symbol" and f.name in record})

    @property
    def is_flat(self) -> bool:
        return abs(self.qty) < 1e-12

    def unrealized_pnl(self, mark: float) -> float:
        return 0.0 if self.is_flat else (mark - self.avg_entry) * self.qty

    def notional(self, mark: float) -> float:
        return abs(self.qty) * mark

    def apply(self, fill: Fill) -> Position:
        """The position after ``fill``: average in when adding, realise PnL when reducing; a
        fee taken in the base asset leaves that much less held (its value is in ``fee``)."""
        after = self._apply_trade(fill)
        if fill.base_fee_qty:
            qty = after.qty - fill.base_fee_qty
            after = replace(after, qty=0.0 if abs(qty) < 1e-12 else qty)
        return after

    def _apply_trade(self, fill: Fill) -> Position:
        signed = fill.qty * fill.side.sign
        fees = self.fees_paid + fill.fee
        realized = self.realized_pnl - fill.fee
        if self.is_flat or (self.qty > 0) == (signed > 0):
            new_qty = self.qty + signed
            avg = (self.avg_entry * abs(self.qty) + fill.price * fill.qty) / abs(new_qty)
            opened = self.opened_ts_ns if not self.is_flat else fill.ts_ns
            return replace(self, qty=new_qty, avg_entry=avg, realized_pnl=realized,
                           fees_paid=fees, opened_ts_ns=opened)
        closed = min(abs(signed), abs(self.qty))
        direction = 1.0 if self.qty > 0 else -1.0
        realized += (fill.price - self.avg_entry) * closed * direction
        new_qty = self.qty + signed
        if abs(new_qty) < 1e-12:
            return replace(self, qty=0.0, avg_entry=0.0, realized_pnl=realized,
                           fees_paid=fees, opened_ts_ns=0)
        if (new_qty > 0) == (self.qty > 0):
            return replace(self, qty=new_qty, realized_pnl=realized, fees_paid=fees)
        # The fill flipped the position: the remainder opens at the fill price.
        return replace(self, qty=new_qty, avg_entry=fill.price, realized_pnl=realized,
                       fees_paid=fees, opened_ts_ns=fill.ts_ns)
