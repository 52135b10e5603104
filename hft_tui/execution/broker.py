"""What every broker looks like to the engine. Only the risk gate's caller talks to one.

A broker declares what it can do in ``capabilities``; callers read the declaration instead
of recognising a broker by its class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from hft_tui.model import Fill, Order, OrderBook, Trade

OrderUpdateHandler = Callable[[Order], None]
FillHandler = Callable[[Fill], None]
NoticeHandler = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BrokerCapabilities:
    """What a broker can do.

    ``synchronous``: fills happen inside the core's call (paper matching; deterministic
    backtests), else the engine's loop drives the broker. ``user_data_stream``: order
    updates and fills are streamed, not polled. ``cancel_all``: one request cancels every
    open order on a symbol, the engine's or not. ``dead_man_switch``: the exchange cancels
    resting orders by itself when the engine stops refreshing a timer.
    """

    synchronous: bool
    user_data_stream: bool = False
    cancel_all: bool = False
    dead_man_switch: bool = False


class Broker(Protocol):
    """Places and cancels orders; reports every order state change and every fill.

    The engine registers ``on_order``, ``on_fill`` and ``on_notice`` before ``start``.
    Market data is forwarded with ``on_book``/``on_trade`` so a simulated broker can fill
    against it; a live broker may ignore it.
    """

    name: str
    capabilities: BrokerCapabilities
    on_order: OrderUpdateHandler
    on_fill: FillHandler
    on_notice: NoticeHandler

    async def start(self) -> None: ...

    async def submit(self, order: Order) -> None: ...

    async def cancel(self, client_id: str) -> None: ...

    async def cancel_all(self, symbol: str | None = None) -> None: ...

    def open_orders(self) -> list[Order]: ...

    def on_book(self, book: OrderBook) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    async def close(self) -> None: ...
