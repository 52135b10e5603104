"""What every broker looks like to the engine. Only the risk gate's caller talks to one.

A broker declares what it can do in ``capabilities``; callers read the declaration instead
of recognising a broker by its class. Every broker is a ``Broker``; what it does beyond
that is one of two protocols, and ``capabilities.synchronous`` says which:

- ``SynchronousBroker`` acts inside the core's call (the paper broker: deterministic,
  no loop), so the core submits and cancels through it at once;
- ``ExchangeBroker`` is a real exchange, driven from the engine's loop (LIVE).

``is_synchronous``/``is_exchange`` read the declaration and type the broker accordingly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from hft_tui.execution.exchange_calls import ExchangeCalls
from hft_tui.model import Fill, Order, OrderBook, Position, ReasonCode, Trade

OrderUpdateHandler = Callable[[Order], None]
FillHandler = Callable[[Fill], None]
NoticeHandler = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BrokerCapabilities:
    """What a broker can do.

    ``synchronous``: fills happen inside the core's call (paper matching; deterministic
    backtests), else the engine's loop drives the broker. ``user_data_stream``: order
    updates and fills are streamed, not polled. ``balance_stream``: balance changes are
    streamed between account reads; ``position_stream`` the same for swap positions. ``cancel_all``: one request cancels every
    open order on a symbol, the engine's or not. ``dead_man_switch``: the exchange cancels
    resting orders by itself when the engine stops refreshing a timer.
    """

    synchronous: bool
    user_data_stream: bool = False
    balance_stream: bool = False
    position_stream: bool = False
    cancel_all: bool = False
    dead_man_switch: bool = False


class Broker(Protocol):
    """What the engine asks of every broker: it reports every order state change and every
    fill, and is started and closed with the session.

    The engine registers ``on_order``, ``on_fill`` and ``on_notice`` before ``start``.
    Market data is forwarded with ``on_book``/``on_trade`` so a simulated broker can fill
    against it; a live broker may ignore it. How orders reach it depends on
    ``capabilities.synchronous``: see ``SynchronousBroker`` and ``ExchangeBroker``.
    """

    name: str
    capabilities: BrokerCapabilities
    on_order: OrderUpdateHandler
    on_fill: FillHandler
    on_notice: NoticeHandler

    async def start(self) -> None: ...

    def on_book(self, book: OrderBook) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    async def close(self) -> None: ...


class SynchronousBroker(Broker, Protocol):
    """A broker that acts inside the core's call (``capabilities.synchronous`` is true): the
    core hands it each intent once the WAL has it, and its fills and order updates come back
    before the call returns, so a backtest or a replay needs no event loop."""

    def submit_now(self, order: Order) -> Order: ...

    def cancel_now(self, client_id: str, reason: ReasonCode = ReasonCode.CANCELLED_BY_OPERATOR) -> bool: ...

    def restore_position(self, position: Position) -> None: ...


@dataclass(frozen=True, slots=True)
class ExchangePosition:
    """A derivative position as the exchange reports it: signed base quantity (contracts x
    contract size, negative when short) and its entry price (0 when flat)."""

    qty: float
    entry_price: float = 0.0


class ExchangeBroker(Broker, Protocol):
    """A broker on a real exchange (``capabilities.synchronous`` is false): what LIVE
    reconciliation, account reads and the kill switch ask of it. ``priority`` is the kill
    lane: no waiting behind another call's rate-limit cooldown."""

    calls: ExchangeCalls
    equity_at_start: float | None

    async def submit(self, order: Order, *, priority: bool = False) -> None: ...

    async def cancel(self, client_id: str, *, priority: bool = False) -> None: ...

    def adopt(self, order: Order, trade_ids: Iterable[str] = ()) -> None: ...

    async def absorb(self, client_id: str, raw: Mapping[str, Any], *, priority: bool = False) -> None: ...

    async def find_order(self, symbol: str, client_id: str, exchange_id: str = "",
                         *, attempts: int = 20) -> dict[str, Any] | None: ...

    async def fetch_order_trades(self, client_id: str) -> None: ...

    async def fetch_open_orders(self, symbol: str | None = None, *,
                                priority: bool = False) -> list[dict[str, Any]]: ...

    async def fetch_balance(self, *, priority: bool = False) -> dict[str, tuple[float, float]]: ...

    async def fetch_positions(self, symbols: Iterable[str], *,
                              priority: bool = False) -> dict[str, ExchangePosition]: ...

    async def watch_balance(self) -> dict[str, tuple[float, float]]: ...

    async def watch_positions(self) -> dict[str, ExchangePosition]: ...

    async def cancel_foreign(self, raw: Mapping[str, Any]) -> None: ...

    async def cancel_all_after(self, timeout_s: int) -> None: ...

    async def cancel_all_on_exchange(self, symbols: Iterable[str], *, priority: bool = False) -> list[str]: ...

    def abandon_retries(self) -> None: ...

    async def settle_in_flight(self, timeout_s: float, *, priority: bool = True) -> list[str]: ...

    async def sweep_fills(self, symbols: Iterable[str], *, priority: bool = False) -> None: ...

    async def trades_not_booked(self, symbol: str, since_ms: int) -> list[dict[str, Any]]: ...


def is_synchronous(broker: Broker) -> TypeGuard[SynchronousBroker]:
    """Whether ``broker`` declares itself synchronous (and so is a ``SynchronousBroker``)."""
    return broker.capabilities.synchronous


def is_exchange(broker: Broker) -> TypeGuard[ExchangeBroker]:
    """Whether ``broker`` is driven from the engine's loop (and so is an ``ExchangeBroker``)."""
    return not broker.capabilities.synchronous
