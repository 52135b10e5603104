"""The reduce-only orders that close a symbol: started by an exit, a flatten or the kill and
retried on each of the symbol's books until flat or past the deadline (``FlattenWork``
decides which), the open orders cancelled first, and the orders the live flatten hands to
the exchange itself.

It works on the core through ``Desk``, the part of the core it needs: the core's own
orders and positions, and the one way out (the risk gate, then ``send``).
"""

from __future__ import annotations

from typing import Protocol

from hft_tui.execution.portfolio import Portfolio
from hft_tui.model import MarketRules, Order, ReasonCode, Side
from hft_tui.risk.risk_gate import RiskContext, RiskGate
from hft_tui.trading.flatten_work import FlattenStep, FlattenWork
from hft_tui.trading.order_bookkeeping import OrderBookkeeping
from hft_tui.trading.trade_lifecycle import TradeLifecycle
from hft_tui.wal.record_types import FlattenIncomplete, OrderRejected
from hft_tui.wal.writer import WalWriter


class Desk(Protocol):
    """What closing a symbol needs of the trading core."""

    wal: WalWriter
    rules: dict[str, MarketRules]
    portfolio: Portfolio
    bookkeeping: OrderBookkeeping
    trades: TradeLifecycle
    gate: RiskGate

    def lots_held(self, symbol: str) -> int: ...

    def new_order(self, symbol: str, side: Side, qty: float, *, strategy: str, reduce_only: bool,
                  price: float | None = None) -> Order: ...

    def send(self, order: Order, reason: str, *, queue: bool = True) -> None: ...

    def cancel(self, order: Order) -> None: ...

    def risk_context(self) -> RiskContext: ...

    def add_notice(self, source: str, text: str) -> None: ...


class FlattenOrders:
    """Close symbols reduce-only, one market order working at a time per symbol."""

    def __init__(self, desk: Desk) -> None:
        self._desk = desk
        self._work = FlattenWork()

    def __bool__(self) -> bool:
        return bool(self._work)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._work

    def start(self, symbol: str, reason: ReasonCode, ts_ns: int) -> None:
        """Close ``symbol`` for ``reason`` (nothing to do when less than a lot is held)."""
        desk = self._desk
        if not desk.lots_held(symbol):
            return
        desk.trades.closing(symbol, reason)
        self._work.start(symbol, reason, ts_ns)
        self.work(symbol, ts_ns)

    def work(self, symbol: str, ts_ns: int) -> None:
        """Keep one reduce-only market order working until flat or past the deadline."""
        if symbol not in self._work:
            return
        desk = self._desk
        lots = desk.lots_held(symbol)
        step, target = self._work.step(symbol, ts_ns, lots)
        if step is FlattenStep.EXPIRED and target is not None:
            left = desk.portfolio.position(symbol).qty
            desk.add_notice("flatten", f"{symbol}: not flat by the deadline; {left:g} left")
            desk.wal.write(FlattenIncomplete(symbol=symbol, qty_left=left, reason=target.reason.value))
            return
        if step is not FlattenStep.WORK or target is None or desk.bookkeeping.has_open(symbol, reduce_only=True):
            return
        side = Side.SELL if lots > 0 else Side.BUY
        order = desk.new_order(symbol, side, round(abs(lots) * desk.rules[symbol].lot_size, 12),
                               strategy=desk.trades.owner(symbol), reduce_only=True)
        code = desk.gate.check(order, desk.risk_context())
        if code is not None:  # reduce-only orders pass; anything else is a bug worth seeing
            desk.wal.write(OrderRejected(client_id=order.client_id, code=code.value))
            return
        desk.send(order, target.reason.value)

    def done(self, symbol: str) -> None:
        """``symbol`` went flat (its trade closed)."""
        self._work.done(symbol)

    def cancel_open(self, symbol: str, *, entries_only: bool) -> None:
        """Cancel ``symbol``'s open orders (``entries_only``: keep the reduce-only ones working)."""
        desk = self._desk
        for order in list(desk.bookkeeping.working.values()):
            if order.symbol != symbol or not order.is_open or (entries_only and order.reduce_only):
                continue
            desk.cancel(order)

    def exchange_order(self, symbol: str, side: Side, qty: float, reason: ReasonCode) -> Order:
        """A reduce-only market order the live flatten hands to the broker itself (journaled
        here; the caller makes the WAL durable before sending it)."""
        desk = self._desk
        order = desk.new_order(symbol, side, qty, strategy=desk.trades.owner(symbol), reduce_only=True)
        desk.trades.closing(symbol, reason)
        desk.send(order, reason.value, queue=False)
        return order

