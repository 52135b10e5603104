"""Simulated fills against the live (or replayed) book: the broker of SIM and PAPER modes.

Deterministic: no randomness, no sleeping, every callback synchronous, so a backtest can
drive it without an event loop through ``submit_now`` / ``cancel_now`` / ``on_book`` /
``on_trade``.

The model, in the order the engine meets it:

- Submit. An order is validated (known symbol, positive finite qty on the lot grid, limit
  price on the tick grid, minimum size and notional) and goes NEW -> REJECTED with a reason
  code, or NEW -> OPEN. A reduce-only order is clipped to the position it reduces and
  rejected ``REDUCE_ONLY_WOULD_INCREASE`` if there is none; a spot sell larger than the
  holding is rejected ``SPOT_NO_SHORT``.
- Latency. An order becomes active at submit time + ``latency_ms`` and meets the first book
  of its symbol stamped at or after then. With zero latency it meets the current book at
  once (or the next one if none has arrived yet).
- Market orders walk the visible opposite side level by level, one taker fill per level.
  They are immediate-or-cancel: what the visible depth cannot fill is cancelled with
  ``NO_LIQUIDITY`` rather than left resting at an unknown price.
- Limit orders take liquidity (taker) up to their price if marketable on arrival; the rest
  rests at the limit price. A resting order joins behind the visible quantity at its price
  (times ``queue_factor``); that quantity shrinks when prints at our price consume it or
  the level shrinks in later books. A print at our price fills us (maker) once the queue
  ahead is consumed; a print through our price, or an opposite side that moves onto our
  price, fills us at our price.
- Fill-time limits. Reduce-only orders never increase or flip the position and spot
  markets never go short: each fill is clipped to what the position allows, and the rest
  is cancelled with ``REDUCE_ONLY_WOULD_INCREASE`` / ``SPOT_NO_SHORT``.
- Cancels take effect immediately (cancel latency is not modelled).

Every state change calls ``on_order`` once per matching step, after that step's fills have
each called ``on_fill``; fees come from the ``FeeModel`` (maker or taker rate).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from hft_tui.clock import Clock
from hft_tui.execution.book_walk import QTY_EPS, walk_book
from hft_tui.execution.broker import BrokerCapabilities, FillHandler, NoticeHandler, OrderUpdateHandler
from hft_tui.execution.fee_model import FeeModel
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.model import (
    Fill,
    Liquidity,
    MarketRules,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Position,
    ReasonCode,
    Side,
    Trade,
)

# Prices and quantities are checked against their grids with this share of a tick/lot as
# slack, so decimal values that are not exact binary floats still count as on the grid.
_GRID_SLACK = 1e-6


def _ignore_order(order: Order) -> None:
    """Default ``on_order`` until the engine registers its handler."""


def _ignore_fill(fill: Fill) -> None:
    """Default ``on_fill`` until the engine registers its handler."""


def _ignore_notice(text: str) -> None:
    """Default ``on_notice``: the paper broker has nothing to say beyond its order states."""


def _on_grid(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) <= _GRID_SLACK + abs(ratio) * 1e-15


def _floor_to_lot(qty: float, lot: float) -> float:
    return math.floor(qty / lot + _GRID_SLACK) * lot


def _qty_at(levels: np.ndarray, side: Side, price: float, slack: float) -> float:
    """Visible quantity at ``price`` on the ``side`` of the book whose ``levels`` are given."""
    buy = side is Side.BUY
    for i in range(levels.shape[0]):
        level_price = levels.item(i, 0)
        if abs(level_price - price) <= slack:
            return levels.item(i, 1)
        # Levels are best first: once past our price it is not in the book.
        if (level_price < price) if buy else (level_price > price):
            break
    return 0.0


class _Working:
    """A live order and what the simulator tracks about it."""

    __slots__ = ("order", "price", "active_ts_ns", "queue_ahead", "rules", "fees", "price_slack")

    def __init__(self, order: Order, active_ts_ns: int, rules: MarketRules, fees: FeeModel) -> None:
        self.order = order
        # The limit price; a market order has none (NaN never compares as reached).
        self.price = math.nan if order.price is None else order.price
        self.active_ts_ns = active_ts_ns
        self.queue_ahead = 0.0
        self.rules = rules
        self.fees = fees
        self.price_slack = rules.tick_size * _GRID_SLACK


class PaperBroker:
    """A ``SynchronousBroker`` that fills against the market data it is shown (see module docstring)."""

    def __init__(
        self,
        rules: Mapping[str, MarketRules],
        clock: Clock,
        settings: ExecutionSettings,
        *,
        exchange_id: str = "sim",
        name: str = "paper",
    ) -> None:
        self.name = name
        self.capabilities = BrokerCapabilities(synchronous=True)
        self.on_order: OrderUpdateHandler = _ignore_order
        self.on_fill: FillHandler = _ignore_fill
        self.on_notice: NoticeHandler = _ignore_notice
        self._rules = dict(rules)
        self._clock = clock
        self._latency_ns = int(round(settings.latency_ms * 1_000_000))
        self._queue_factor = settings.queue_factor
        self._fees = {s: FeeModel.for_market(exchange_id, r, settings) for s, r in rules.items()}
        self._orders: dict[str, _Working] = {}
        self._pending: dict[str, deque[_Working]] = {s: deque() for s in rules}
        self._resting: dict[str, list[_Working]] = {s: [] for s in rules}
        self._books: dict[str, OrderBook] = {}
        self._positions: dict[str, Position] = {s: Position(s) for s in rules}
        self._seen_ids: set[str] = set()
        self._fill_count = 0
        self._closed = False

    # --- Broker protocol ----------------------------------------------------------------

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Stop accepting orders; later submits are rejected ``EXCHANGE_UNAVAILABLE``."""
        self._closed = True

    # --- SynchronousBroker ----------------------------------------------------------------

    def submit_now(self, order: Order) -> Order:
        """Validate and accept (or reject) ``order`` and match it if it is already active.

        Returns the order's state after this call.
        """
        now_ns = self._clock.now_ns()
        code = self._rejection(order)
        self._seen_ids.add(order.client_id)
        if code is not None:
            rejected = order.with_status(OrderStatus.REJECTED, code.value)
            self.on_order(rejected)
            return rejected
        accepted = replace(order, qty=self._accepted_qty(order), status=OrderStatus.OPEN)
        work = _Working(accepted, now_ns + self._latency_ns, self._rules[order.symbol],
                        self._fees[order.symbol])
        self._orders[order.client_id] = work
        self.on_order(accepted)
        book = self._books.get(order.symbol)
        if self._latency_ns == 0 and book is not None:
            self._activate(work, book, now_ns)
        else:
            self._pending[order.symbol].append(work)
        return work.order

    def cancel_now(
        self, client_id: str, reason: ReasonCode = ReasonCode.CANCELLED_BY_OPERATOR
    ) -> bool:
        """Cancel an open order; False if it is unknown or already final."""
        work = self._orders.get(client_id)
        if work is None:
            return False
        pending = self._pending[work.order.symbol]
        if work in pending:
            pending.remove(work)
        self._finish(work, OrderStatus.CANCELLED, reason)
        return True

    def restore_position(self, position: Position) -> None:
        """Set a position recovered from the WAL, so reduce-only keeps its meaning after a restart."""
        self._positions[position.symbol] = position

    def open_orders(self) -> list[Order]:
        """Open orders in submission order."""
        return [work.order for work in self._orders.values()]

    def position(self, symbol: str) -> Position:
        """The broker's own net position in ``symbol`` (flat if never traded)."""
        position = self._positions.get(symbol)
        return Position(symbol) if position is None else position

    def positions(self) -> dict[str, Position]:
        """Every non-flat position by symbol."""
        return {s: p for s, p in self._positions.items() if not p.is_flat}

    # --- market data --------------------------------------------------------------------

    def on_book(self, book: OrderBook) -> None:
        """A new book: activate orders whose latency elapsed, then match resting ones."""
        symbol = book.symbol
        resting = self._resting.get(symbol)
        if resting is None:
            return
        self._books[symbol] = book
        pending = self._pending[symbol]
        while pending and pending[0].active_ts_ns <= book.ts_ns:
            self._activate(pending.popleft(), book, book.ts_ns)
        if not resting:
            return
        bids = book.bids
        asks = book.asks
        for work in tuple(resting):
            order = work.order
            price = work.price
            if order.side is Side.BUY:
                opposite, own = asks, bids
                crossed = opposite.shape[0] > 0 and opposite.item(0, 0) <= price + work.price_slack
            else:
                opposite, own = bids, asks
                crossed = opposite.shape[0] > 0 and opposite.item(0, 0) >= price - work.price_slack
            if crossed:
                # The book's opposite side reached our price: no one is left bidding (asking)
                # at our price ahead of us, so that side's quantity at or through our price
                # trades with us at our price.
                takes = walk_book(opposite, order.side, order.remaining_qty, price)
                self._fill_resting(work, sum(q for _, q in takes), book.ts_ns)
            elif work.queue_ahead > 0.0:
                visible = _qty_at(own, order.side, price, work.price_slack)
                if visible < work.queue_ahead:
                    work.queue_ahead = visible

    def on_trade(self, trade: Trade) -> None:
        """A public print: consume queues at its price and fill what it traded through."""
        resting = self._resting.get(trade.symbol)
        if not resting:
            return
        print_left = trade.qty
        for work in tuple(resting):
            order = work.order
            price = work.price
            slack = work.price_slack
            if order.side is Side.BUY:
                through = trade.price < price - slack
                hits_queue = trade.side is Side.SELL
            else:
                through = trade.price > price + slack
                hits_queue = trade.side is Side.BUY
            if through:
                self._fill_resting(work, order.remaining_qty, trade.ts_ns)
            elif hits_queue and abs(trade.price - price) <= slack:
                ahead = work.queue_ahead
                if ahead >= trade.qty:
                    work.queue_ahead = ahead - trade.qty
                    continue
                work.queue_ahead = 0.0
                available = _floor_to_lot(min(trade.qty - ahead, print_left), work.rules.lot_size)
                print_left -= self._fill_resting(work, available, trade.ts_ns)

    # --- internals ----------------------------------------------------------------------

    def _rejection(self, order: Order) -> ReasonCode | None:
        if self._closed:
            return ReasonCode.EXCHANGE_UNAVAILABLE
        rules = self._rules.get(order.symbol)
        if rules is None or not order.client_id or order.client_id in self._seen_ids:
            return ReasonCode.INVALID_ORDER
        qty = order.qty
        if not (math.isfinite(qty) and qty > 0.0 and _on_grid(qty, rules.lot_size)):
            return ReasonCode.INVALID_ORDER
        if qty < rules.min_qty * (1.0 - _GRID_SLACK):
            return ReasonCode.INVALID_ORDER
        reference: float | None
        if order.type is OrderType.LIMIT:
            price = order.price
            if price is None or not (math.isfinite(price) and price > 0.0):
                return ReasonCode.INVALID_ORDER
            if not _on_grid(price, rules.tick_size):
                return ReasonCode.INVALID_ORDER
            reference = price
        else:
            book = self._books.get(order.symbol)
            reference = book.mid if book is not None else None
        # Exchanges waive the minimum notional for reduce-only exits.
        if (not order.reduce_only and reference is not None
                and reference * qty < rules.min_notional * (1.0 - _GRID_SLACK)):
            return ReasonCode.INVALID_ORDER
        held = self._positions[order.symbol].qty
        if order.reduce_only and not self._reduces(order.side, held):
            return ReasonCode.REDUCE_ONLY_WOULD_INCREASE
        if rules.spot and order.side is Side.SELL:
            sell_qty = min(qty, abs(held)) if order.reduce_only else qty
            if held < sell_qty * (1.0 - QTY_EPS):
                return ReasonCode.SPOT_NO_SHORT
        return None

    @staticmethod
    def _reduces(side: Side, held: float) -> bool:
        return held < -1e-12 if side is Side.BUY else held > 1e-12

    def _accepted_qty(self, order: Order) -> float:
        if not order.reduce_only:
            return order.qty
        return min(order.qty, abs(self._positions[order.symbol].qty))

    def _allowed(self, order: Order) -> tuple[float, ReasonCode | None]:
        """How much of the remainder may fill now, and the limit's code if it binds."""
        remaining = order.remaining_qty
        held = self._positions[order.symbol].qty
        allowed = remaining
        code: ReasonCode | None = None
        if order.reduce_only:
            reducible = max(-held if order.side is Side.BUY else held, 0.0)
            if reducible < allowed:
                allowed, code = reducible, ReasonCode.REDUCE_ONLY_WOULD_INCREASE
        if self._rules[order.symbol].spot and order.side is Side.SELL:
            holding = max(held, 0.0)
            if holding < allowed:
                allowed, code = holding, ReasonCode.SPOT_NO_SHORT
        return allowed, code

    def _activate(self, work: _Working, book: OrderBook, ts_ns: int) -> None:
        order = work.order
        buy = order.side is Side.BUY
        opposite = book.asks if buy else book.bids
        allowed, limit_code = self._allowed(order)
        before = order.filled_qty
        for price, qty in walk_book(opposite, order.side, allowed, order.price):
            self._fill(work, price, qty, Liquidity.TAKER, ts_ns)
        order = work.order
        done = order.remaining_qty <= order.qty * QTY_EPS
        if done:
            self._finish(work, OrderStatus.FILLED)
        elif limit_code is not None and order.filled_qty >= before + allowed * (1.0 - QTY_EPS):
            self._finish(work, OrderStatus.CANCELLED, limit_code)
        elif order.type is OrderType.MARKET:
            self._finish(work, OrderStatus.CANCELLED, ReasonCode.NO_LIQUIDITY)
        else:
            own = book.bids if buy else book.asks
            visible = _qty_at(own, order.side, work.price, work.price_slack)
            work.queue_ahead = visible * self._queue_factor
            self._resting[order.symbol].append(work)
            if order.filled_qty > before:
                self.on_order(order)

    def _fill_resting(self, work: _Working, available: float, ts_ns: int) -> float:
        """Fill up to ``available`` of a resting order as maker at its price; returns the qty."""
        order = work.order
        allowed, limit_code = self._allowed(order)
        qty = min(available, allowed)
        if qty > order.qty * QTY_EPS:
            self._fill(work, work.price, qty, Liquidity.MAKER, ts_ns)
        else:
            qty = 0.0
        order = work.order
        if order.remaining_qty <= order.qty * QTY_EPS:
            self._finish(work, OrderStatus.FILLED)
        elif limit_code is not None and qty >= allowed * (1.0 - QTY_EPS):
            self._finish(work, OrderStatus.CANCELLED, limit_code)
        elif qty > 0.0:
            self.on_order(order)
        return qty

    def _fill(self, work: _Working, price: float, qty: float, liquidity: Liquidity, ts_ns: int) -> None:
        order = work.order
        self._fill_count += 1
        fill = Fill(
            client_id=order.client_id,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=price,
            fee=work.fees.fee(price * qty, liquidity),
            liquidity=liquidity,
            ts_ns=ts_ns,
            strategy=order.strategy,
            trade_id=f"paper-{self._fill_count}",
        )
        filled = order.filled_qty + qty
        avg = (order.avg_fill_price * order.filled_qty + price * qty) / filled
        work.order = replace(order, filled_qty=filled, avg_fill_price=avg,
                             status=OrderStatus.PARTIALLY_FILLED)
        self._positions[order.symbol] = self._positions[order.symbol].apply(fill)
        self.on_fill(fill)

    def _finish(self, work: _Working, status: OrderStatus, reason: ReasonCode | None = None) -> None:
        order = work.order
        if status is OrderStatus.FILLED:
            order = replace(order, status=status)
        else:
            order = order.with_status(status, reason.value if reason is not None else "")
        work.order = order
        del self._orders[order.client_id]
        resting = self._resting[order.symbol]
        if work in resting:
            resting.remove(work)
        self.on_order(order)
