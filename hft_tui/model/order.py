"""Orders, their types, states and liquidity, and the fills that execute them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from hft_tui.model.side import Side


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"


class OrderStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        return self in (OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED)


class Liquidity(StrEnum):
    MAKER = "maker"
    TAKER = "taker"


@dataclass(frozen=True, slots=True)
class Order:
    """An order as the engine knows it. ``client_id`` is ours and unique per order."""

    client_id: str
    symbol: str
    side: Side
    type: OrderType
    qty: float
    price: float | None
    created_ts_ns: int
    strategy: str = ""
    reduce_only: bool = False
    status: OrderStatus = OrderStatus.NEW
    filled_qty: float = 0.0
    avg_fill_price: float = 0.0
    reason: str = ""
    exchange_id: str = ""

    @property
    def remaining_qty(self) -> float:
        return max(self.qty - self.filled_qty, 0.0)

    @property
    def is_open(self) -> bool:
        return not self.status.is_terminal

    def with_status(self, status: OrderStatus, reason: str = "") -> Order:
        return replace(self, status=status, reason=reason or self.reason)


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of (part of) an order. ``fee`` is in quote currency, positive = paid.

    ``base_fee_qty`` is the part of the fee a spot exchange took in the base asset (a buy's
    commission on Binance): the account holds that much less than ``qty`` bought.
    """

    client_id: str
    symbol: str
    side: Side
    qty: float
    price: float
    fee: float
    liquidity: Liquidity
    ts_ns: int
    strategy: str = ""
    trade_id: str = ""
    base_fee_qty: float = 0.0

    @property
    def notional(self) -> float:
        return self.price * self.qty
