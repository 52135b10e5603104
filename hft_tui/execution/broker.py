"""What every broker looks like to the engine. Only the risk gate's caller talks to one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hft_tui.model import Fill, Order, OrderBook, Trade

OrderUpdateHandler = Callable[[Order], None]
FillHandler = Callable[[Fill], None]


class Broker(Protocol):
    """Places and cancels orders; reports every order state change and every fill.

    The engine registers ``on_order`` and ``on_fill`` before the first ``submit``.
    Market data is forwarded with ``on_book``/``on_trade`` so a simulated broker can fill
    against it; a live broker may ignore it.
    """

    name: str
    on_order: OrderUpdateHandler
    on_fill: FillHandler

    async def submit(self, order: Order) -> None: ...

    async def cancel(self, client_id: str) -> None: ...

    async def cancel_all(self, symbol: str | None = None) -> None: ...

    def open_orders(self) -> list[Order]: ...

    def on_book(self, book: OrderBook) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    async def close(self) -> None: ...
