"""An order still open when the engine's state was taken, in the one shape a restart reads it:
the order, the reason it was placed for and the trades already booked for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from hft_tui.model.order import Order, OrderStatus, OrderType
from hft_tui.model.side import Side


@dataclass(frozen=True, slots=True)
class RecoveredOrder:
    """An open order as the journal knows it: a state snapshot's ``open_orders`` entry, what the
    recovery fold keeps from an ``order`` record on, and what LIVE reconciliation looks up."""

    order: Order
    reason: str = ""  # what it was placed for (an entry's first signal reason), as journaled
    trade_ids: tuple[str, ...] = ()  # the trades booked for it (a live restart never books one twice)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready, every key always present."""
        order = self.order
        return {"client_id": order.client_id, "symbol": order.symbol, "side": order.side.value,
                "order_type": order.type.value, "qty": order.qty, "price": order.price,
                "reduce_only": order.reduce_only, "strategy": order.strategy, "reason": self.reason,
                "exchange_id": order.exchange_id, "filled_qty": order.filled_qty,
                "avg_fill_price": order.avg_fill_price, "trade_ids": list(self.trade_ids)}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RecoveredOrder:
        """The order ``to_record`` gave, or an ``order`` record's payload (its extra keys
        ignored); a key an older journal's snapshot lacks takes its default. The order is NEW:
        where it stands now is the exchange's to say."""
        order = Order(
            client_id=record["client_id"], symbol=record["symbol"], side=Side(record["side"]),
            type=OrderType(record.get("order_type", "market")), qty=float(record["qty"]),
            price=record.get("price"), created_ts_ns=0, strategy=record.get("strategy", ""),
            reduce_only=bool(record.get("reduce_only", False)), status=OrderStatus.NEW,
            filled_qty=float(record.get("filled_qty", 0.0)),
            avg_fill_price=float(record.get("avg_fill_price", 0.0)),
            exchange_id=record.get("exchange_id", ""),
        )
        return cls(order, record.get("reason") or "", tuple(record.get("trade_ids", ())))

    def acknowledged(self, exchange_id: str) -> RecoveredOrder:
        """The exchange took it under ``exchange_id``."""
        return replace(self, order=replace(self.order, exchange_id=exchange_id))

    def filled(self, trade_id: str, qty: float, price: float) -> RecoveredOrder:
        """A trade of it booked: its filled quantity, average price and trade ids grow."""
        order = self.order
        filled = order.filled_qty + qty
        average = (order.avg_fill_price * order.filled_qty + price * qty) / filled
        return replace(self, order=replace(order, filled_qty=filled, avg_fill_price=average),
                       trade_ids=(*self.trade_ids, trade_id))
