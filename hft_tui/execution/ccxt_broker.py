"""The live broker: real orders through ccxt; the exchange's word is the only truth.

Fills are booked from every way the exchange reports them: the create/cancel response
(``trades``, Binance's ``fills`` with their commissions), the user-data stream where ccxt.pro
has one (``watch_orders``/``watch_my_trades``), and REST (``fetch_order`` for the totals,
``fetch_my_trades`` for the executions) as the fallback, after every reconnect of the stream
and every ``user_stream_check_s`` while it runs (a stream can stall or end without a word).
Each execution is booked once, by its exchange trade id; a streamed execution of an order
whose exchange id is not known yet (the stream outran the create response) waits for it. An order is reported to the engine with
exactly the quantity its booked fills add up to, and it is reported done only once every
fill the exchange counts for it is booked: a fill can never arrive after its order closed.

Every order carries a client order id derived from ours, so a create that timed out is
looked up before it is re-sent: a retry never doubles an order. REST calls go through
:class:`ExchangeCalls` (429 ``Retry-After``, 418 bans, ``-1021`` clock resync, the kill lane).
Exchange errors become REJECTED with a reason code plus a notice carrying the exchange's
own text, key material blanked.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hft_tui.clock import Clock
from hft_tui.execution.broker import (
    BrokerCapabilities,
    ExchangePosition,
    FillHandler,
    NoticeHandler,
    OrderUpdateHandler,
)
from hft_tui.execution.exchange_calls import Abandoned, Banned, ExchangeCalls
from hft_tui.execution.trade_listing import PageRequest, trade_listing
from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import (
    CcxtCredentials,
    ccxt_errors,
    create_exchange,
    fail_streams_when_terminated,
    guard_message_handler,
)
from hft_tui.redaction import redact
from hft_tui.market.ccxt_markets import contract_size
from hft_tui.model import Fill, Liquidity, Order, OrderBook, OrderStatus, OrderType, ReasonCode, Trade

# Where each exchange wants our id on create, and how to ask for an order by it. ccxt
# maps the generic ``clientOrderId`` for most exchanges; these are the native names.
_CREATE_PARAM = {"binance": "newClientOrderId", "binanceusdm": "newClientOrderId",
                 "binancecoinm": "newClientOrderId", "okx": "clOrdId"}
_LOOKUP_PARAM = {"binance": "origClientOrderId", "binanceusdm": "origClientOrderId",
                 "binancecoinm": "origClientOrderId", "okx": "clOrdId"}

# The strictest common format (OKX: alphanumeric, at most 32 characters).
_PORTABLE_ID = re.compile(r"[A-Za-z0-9]{1,32}")

_STATUS = {"open": OrderStatus.OPEN, "closed": OrderStatus.FILLED, "canceled": OrderStatus.CANCELLED,
           "cancelled": OrderStatus.CANCELLED, "expired": OrderStatus.CANCELLED,
           "rejected": OrderStatus.REJECTED}
# Quantities closer than this (base units) are equal.
QTY_EPS = 1e-9
# Account trades are fetched from this long before the session started (clock skew).
TRADES_LOOKBACK_MS = 60_000
# Streamed executions of orders not (yet) known by exchange id, kept for this many orders.
UNCLAIMED_ORDERS = 1000
# A dead-man refresh is retried this often at once (kill lane), then the next refresh is due.
DEAD_MAN_ATTEMPTS = 3


def exchange_client_id(client_id: str) -> str:
    """The id sent to the exchange for our ``client_id``: itself when every exchange accepts
    it, else a stable 31-character hash (stable so a restarted engine finds its orders)."""
    if _PORTABLE_ID.fullmatch(client_id):
        return client_id
    return "h" + hashlib.blake2b(client_id.encode(), digest_size=15).hexdigest()


@dataclass
class _Tracked:
    """One of our orders: what the engine was told, and what the exchange said."""

    order: Order
    exchange_status: OrderStatus | None = None
    exchange_filled: float = 0.0
    booked_qty: float = 0.0
    booked_notional: float = 0.0
    trade_ids: set[str] = field(default_factory=set)

    @property
    def missing_fills(self) -> bool:
        return self.exchange_filled > self.booked_qty + QTY_EPS


class CcxtBroker:
    """A ``Broker`` that places real orders on a ccxt exchange."""

    def __init__(
        self,
        exchange_id: str,
        *,
        clock: Clock,
        credentials: CcxtCredentials | None,
        market_type: str = "spot",
        sandbox: bool = False,
        ccxt_config: dict[str, Any] | None = None,
        poll_interval_ms: float = 1000.0,
        stream_check_s: float = 5.0,
        max_attempts: int = 4,
        retry_backoff_ms: float = 250.0,
        retry_backoff_max_ms: float = 5000.0,
        seed: int | None = None,
    ) -> None:
        self.name = f"ccxt:{exchange_id}"
        self.on_order: OrderUpdateHandler = _ignore
        self.on_fill: FillHandler = _ignore
        self.on_notice: NoticeHandler = _ignore
        self._clock = clock
        self._exchange_id = exchange_id
        self._trade_listing = trade_listing(exchange_id)
        self._exchange = create_exchange(exchange_id, market_type=market_type, sandbox=sandbox,
                                         ccxt_config=ccxt_config, credentials=credentials)
        has = self._exchange.has
        user_data_stream = bool(has.get("watchOrders") and has.get("watchMyTrades"))
        self.capabilities = BrokerCapabilities(
            synchronous=False,
            user_data_stream=user_data_stream,
            # A configuration that turns the private streams off (REST only) means this one too.
            balance_stream=user_data_stream and bool(has.get("watchBalance")),
            position_stream=bool(has.get("watchPositions")),
            cancel_all=bool(has.get("cancelAllOrders")),
            dead_man_switch=bool(has.get("cancelAllOrdersAfter")),
        )
        self._poll_s = poll_interval_ms / 1000.0
        self._stream_check_s = stream_check_s
        self._max_attempts = max_attempts
        self._backoff_ms = (retry_backoff_ms, retry_backoff_max_ms)
        self._rng = random.Random(seed)
        self.calls = ExchangeCalls(self._exchange, backoff_ms=self._backoff_ms,
                                   rng=random.Random(self._rng.random()), notice=self._notice)
        self._tracked: dict[str, _Tracked] = {}
        self._by_exchange_client_id: dict[str, str] = {}
        self._by_exchange_order_id: dict[str, str] = {}
        self._in_doubt: set[str] = set()
        self._trades_seen: set[str] = set()
        self._unclaimed: OrderedDict[str, list[Mapping[str, Any]]] = OrderedDict()
        self._submitting: set[str] = set()
        self._settled = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._started_ms = 0
        self._closed = False
        # The account's equity as read before the engine was built (None: it could not be).
        self.equity_at_start: float | None = None

    @classmethod
    def from_settings(
        cls, settings: Any, *, clock: Clock, credentials: CcxtCredentials | None, seed: int | None = None
    ) -> CcxtBroker:
        """Built from ``hft_tui.market.exchange_settings.ExchangeSettings``."""
        return cls(
            settings.id,
            clock=clock,
            credentials=credentials,
            market_type=settings.market_type,
            sandbox=settings.sandbox,
            ccxt_config=dict(settings.ccxt),
            poll_interval_ms=settings.rest_poll_interval_ms,
            stream_check_s=settings.user_stream_check_s,
            retry_backoff_ms=settings.reconnect_backoff_ms,
            retry_backoff_max_ms=settings.reconnect_backoff_max_ms,
            seed=seed,
        )

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def exchange(self) -> Any:
        return self._exchange

    async def start(self) -> None:
        """Load markets and start following order updates and fills."""
        await self.calls.call(self._exchange.load_markets, retry_network=True, attempts=20)
        self._started_ms = self._clock.now_ns() // 1_000_000
        if self.capabilities.user_data_stream:
            guard_message_handler(self._exchange, self._frame_not_handled, drop_on_handler_error=True)
            fail_streams_when_terminated(self._exchange)
            self._tasks.append(asyncio.ensure_future(self._follow(self._exchange.watch_orders, self._on_orders)))
            self._tasks.append(asyncio.ensure_future(self._follow(self._exchange.watch_my_trades, self._on_my_trades)))
            self._tasks.append(asyncio.ensure_future(self._poll_loop(self._stream_check_s)))
        else:
            self._tasks.append(asyncio.ensure_future(self._poll_loop(self._poll_s)))

    async def close(self) -> None:
        """Stop the followers and close the exchange's connections; idempotent."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self._exchange.close()

    # --- Broker protocol ------------------------------------------------------------------

    def open_orders(self) -> list[Order]:
        return [t.order for t in self._tracked.values() if t.order.is_open]

    def on_book(self, book: OrderBook) -> None:
        """A live exchange fills against its own book."""

    def on_trade(self, trade: Trade) -> None:
        """A live exchange fills against its own book."""

    def adopt(self, order: Order, trade_ids: Iterable[str] = ()) -> None:
        """Follow an order placed by an earlier session; ``trade_ids`` are its executions
        already booked (journaled), which are never booked again."""
        self._track(order)
        tracked = self._tracked[order.client_id]
        tracked.booked_qty = order.filled_qty
        tracked.booked_notional = order.filled_qty * order.avg_fill_price
        tracked.trade_ids.update(trade_ids)
        self._trades_seen.update(trade_ids)
        if order.exchange_id:
            self._by_exchange_order_id[order.exchange_id] = order.client_id

    def _track(self, order: Order) -> None:
        self._tracked[order.client_id] = _Tracked(order)
        self._by_exchange_client_id[exchange_client_id(order.client_id)] = order.client_id

    async def submit(self, order: Order, *, priority: bool = False) -> None:
        """Place ``order``; retries never duplicate it. ``priority`` is the kill lane."""
        self._submitting.add(order.client_id)
        self._settled.clear()
        try:
            await self._submit(order, priority)
        finally:
            self._submitting.discard(order.client_id)
            if not self._submitting:
                self._settled.set()

    async def _submit(self, order: Order, priority: bool) -> None:
        ccxt = ccxt_errors()
        xid = exchange_client_id(order.client_id)
        self._track(order)
        market = self._exchange.market(order.symbol)
        size = contract_size(market)
        amount = float(self._exchange.amount_to_precision(order.symbol, order.qty / size))
        price = None
        if order.type is OrderType.LIMIT and order.price is not None:
            price = float(self._exchange.price_to_precision(order.symbol, order.price))
        params: dict[str, Any] = {_CREATE_PARAM.get(self._exchange_id, "clientOrderId"): xid}
        if order.reduce_only and not market.get("spot"):
            params["reduceOnly"] = True
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        maybe_sent = False
        last_code, last_error = ReasonCode.EXCHANGE_UNAVAILABLE, ""
        for attempt in range(self._max_attempts):
            if attempt and not priority:
                await asyncio.sleep(backoff.next_delay_s())
            try:
                if maybe_sent:
                    found = await self._lookup(order.symbol, xid, priority=priority)
                    if found is not None:
                        await self.absorb(order.client_id, found, priority=priority)
                        return
                response = await self.calls.call(self._exchange.create_order, order.symbol, order.type.value,
                                                 order.side.value, amount, price, dict(params), priority=priority)
            except Abandoned:
                last_code, last_error = ReasonCode.CANCELLED_BY_OPERATOR, "abandoned by the kill switch"
                break
            except Banned as exc:
                last_code, last_error = ReasonCode.EXCHANGE_RATE_LIMIT, str(exc)
                break
            except ccxt.InsufficientFunds as exc:
                self._reject(order.client_id, ReasonCode.INSUFFICIENT_FUNDS, self._describe(exc))
                return
            except ccxt.InvalidOrder as exc:
                if maybe_sent:
                    # Likely "duplicate client id": the earlier attempt did arrive.
                    found = await self._lookup_quietly(order.symbol, xid)
                    if found is not None:
                        await self.absorb(order.client_id, found, priority=priority)
                        return
                self._reject(order.client_id, ReasonCode.INVALID_ORDER, self._describe(exc))
                return
            except ccxt.DDoSProtection as exc:
                # Refused, never accepted, on every attempt ExchangeCalls made (each after
                # the exchange's Retry-After): give up.
                last_code, last_error = ReasonCode.EXCHANGE_RATE_LIMIT, self._describe(exc)
                break
            except ccxt.NetworkError as exc:
                # Timeout or gateway failure: the order may or may not exist now.
                maybe_sent = True
                last_code, last_error = ReasonCode.EXCHANGE_UNAVAILABLE, self._describe(exc)
                continue
            except ccxt.AuthenticationError as exc:
                self._reject(order.client_id, ReasonCode.EXCHANGE_UNAVAILABLE,
                             f"authentication failed: {self._describe(exc)}")
                return
            except ccxt.ExchangeError as exc:
                self._reject(order.client_id, ReasonCode.INVALID_ORDER, self._describe(exc))
                return
            await self.absorb(order.client_id, response, priority=priority)
            return
        if maybe_sent:
            found = await self._lookup_quietly(order.symbol, xid)
            if found is not None:
                await self.absorb(order.client_id, found, priority=priority)
                return
            # Told the engine it is rejected; if it surfaces later it is cancelled and any
            # fills it had are still booked.
            self._in_doubt.add(order.client_id)
        self._reject(order.client_id, last_code, f"gave up after {attempt + 1} attempt(s): {last_error}")

    async def cancel(self, client_id: str, *, priority: bool = False) -> None:
        """Cancel one of our orders by client id."""
        ccxt = ccxt_errors()
        tracked = self._tracked.get(client_id)
        if tracked is None or not tracked.order.is_open:
            return
        order = tracked.order
        try:
            response = await self.calls.call(self._exchange.cancel_order, order.exchange_id or None, order.symbol,
                                             self._lookup_params(exchange_client_id(client_id)), priority=priority)
        except ccxt.OrderNotFound:
            # Already gone (filled or cancelled): ask which.
            found = await self._lookup_quietly(order.symbol, exchange_client_id(client_id))
            if found is not None:
                await self.absorb(client_id, found, priority=priority)
            return
        except (ccxt.BaseError, Abandoned, Banned) as exc:
            self._notice(f"cancel {client_id} failed: {self._describe(exc)}")
            return
        await self.absorb(client_id, {**response, "status": response.get("status") or "canceled"},
                          priority=priority)

    async def cancel_all_on_exchange(self, symbols: Iterable[str], *, priority: bool = False) -> list[str]:
        """Cancel every open order on each of ``symbols`` on the exchange, including orders
        this engine does not track; then settle ours. Returns what could not be done."""
        ccxt = ccxt_errors()
        problems = []
        for symbol in symbols:
            try:
                if self.capabilities.cancel_all:
                    await self.calls.call(self._exchange.cancel_all_orders, symbol, priority=priority,
                                          retry_network=True)
                else:
                    for raw in await self.calls.call(self._exchange.fetch_open_orders, symbol,
                                                     priority=priority, retry_network=True):
                        await self.calls.call(self._exchange.cancel_order, raw["id"], symbol, priority=priority)
            except ccxt.OrderNotFound:
                pass  # Binance answers "Unknown order" when nothing is open
            except (ccxt.BaseError, Abandoned, Banned) as exc:
                problems.append(f"cancel all on {symbol} failed: {self._describe(exc)}")
                continue
            for order in [o for o in self.open_orders() if o.symbol == symbol]:
                found = await self._lookup_quietly(symbol, exchange_client_id(order.client_id), priority=priority)
                if found is not None:
                    await self.absorb(order.client_id, found, priority=priority)
        for problem in problems:
            self._notice(problem)
        return problems

    async def cancel_foreign(self, raw: Mapping[str, Any]) -> None:
        """Cancel an open order this engine did not send (``raw`` as the exchange listed it)."""
        await self.calls.call(self._exchange.cancel_order, raw["id"], raw["symbol"], retry_network=True)

    async def cancel_all_after(self, timeout_s: int) -> None:
        """Arm or refresh the exchange's dead-man's switch (0 disarms it): every resting order
        is cancelled ``timeout_s`` after the last call. On the kill lane, a few attempts."""
        await self.calls.call(self._exchange.cancel_all_orders_after, timeout_s * 1000, priority=True,
                              retry_network=True, attempts=DEAD_MAN_ATTEMPTS)

    # --- the kill switch's needs --------------------------------------------------------

    def abandon_retries(self) -> None:
        """Make every submit or call waiting to retry give up now."""
        self.calls.abandon()

    async def settle_in_flight(self, timeout_s: float, *, priority: bool = True) -> list[str]:
        """Wait (at most ``timeout_s``) for submits under way to finish, then settle every
        order we gave up on by looking it up. Returns the client ids still unsettled."""
        if self._submitting:
            try:
                await asyncio.wait_for(self._settled.wait(), timeout_s)
            except TimeoutError:
                pass
        for client_id in sorted(self._in_doubt):
            await self._resolve_in_doubt(client_id, priority=priority)
        return sorted(self._submitting | self._in_doubt)

    async def sweep_fills(self, symbols: Iterable[str], *, priority: bool = False) -> None:
        """Book every execution of our orders on ``symbols`` that is not booked yet."""
        for symbol in symbols:
            async for page in self._account_trades(symbol, priority=priority):
                await self._on_my_trades_async(page, priority=priority)
        for tracked in list(self._tracked.values()):
            if tracked.order.symbol in symbols:
                self._report(tracked.order.client_id)

    async def trades_not_booked(self, symbol: str, since_ms: int) -> list[dict[str, Any]]:
        """The account's executions on ``symbol`` since ``since_ms`` (the exchange's clock) that
        the engine has not booked: someone else's, or ours still on their way."""
        found = []
        async for page in self._account_trades(symbol, since_ms=since_ms, priority=False):
            found.extend(t for t in page if t.get("id") and str(t["id"]) not in self._trades_seen)
        return found

    async def _account_trades(self, symbol: str, order_id: str | None = None, *, since_ms: int | None = None,
                              priority: bool) -> AsyncIterator[list[dict[str, Any]]]:
        """The account's executions on ``symbol`` since ``since_ms`` (default: since the session
        started), or ``order_id``'s where the exchange filters by order, page by page as the
        exchange lists them."""
        listing = self._trade_listing
        since = self._started_ms - TRADES_LOOKBACK_MS if since_ms is None else since_ms
        request: PageRequest | None = listing.first(since, order_id)
        while request is not None:
            page = await self.calls.call(self._exchange.fetch_my_trades, symbol, request.since, request.limit,
                                         dict(request.params), priority=priority, retry_network=True)
            yield page
            request = listing.next(request, page)

    # --- account queries ------------------------------------------------------------------

    async def fetch_balance(self, *, priority: bool = False) -> dict[str, tuple[float, float]]:
        """``{asset: (free, total)}`` for every asset with a non-zero total."""
        balance = await self.calls.call(self._exchange.fetch_balance, priority=priority, retry_network=True)
        return {asset: amounts for asset, amounts in balances_of(balance).items() if amounts[1]}

    async def watch_balance(self) -> dict[str, tuple[float, float]]:
        """The next balance update on the user-data stream: ``{asset: (free, total)}`` for each
        asset it reported since it (re)subscribed, in absolute amounts (zeros included)."""
        return balances_of(await self._exchange.watch_balance())

    async def fetch_positions(self, symbols: Iterable[str], *,
                              priority: bool = False) -> dict[str, ExchangePosition]:
        """The exchange's positions on ``symbols`` (swaps, ``fetch_positions``) in base units:
        contracts x contract size, negative when short; a symbol with none is flat."""
        wanted = sorted(symbols)
        if not wanted:
            return {}
        raw = await self.calls.call(self._exchange.fetch_positions, wanted, priority=priority, retry_network=True)
        return {**dict.fromkeys(wanted, ExchangePosition(0.0)), **self._positions_of(raw, wanted)}

    async def watch_positions(self) -> dict[str, ExchangePosition]:
        """The next swap position update on the private stream (``watch_positions``): the
        positions it reports, by symbol, in base units (a closed one is flat)."""
        raw = await self._exchange.watch_positions()
        return self._positions_of(raw, {p.get("symbol") for p in raw})

    def _positions_of(self, raw: Iterable[Mapping[str, Any]], symbols: Iterable[Any]) -> dict[str, ExchangePosition]:
        """ccxt position structures of ``symbols`` netted per symbol: contracts x contract size,
        negative when short (hedge mode lists a long and a short)."""
        positions: dict[str, ExchangePosition] = {}
        wanted = set(symbols)
        for entry in raw:
            symbol = entry.get("symbol")
            if symbol not in wanted:
                continue
            size = float(entry.get("contractSize") or contract_size(self._exchange.market(symbol)))
            qty = float(entry.get("contracts") or 0.0) * size
            qty = -qty if entry.get("side") == "short" else qty
            total = positions.get(symbol, ExchangePosition(0.0)).qty + qty
            positions[symbol] = ExchangePosition(total, float(entry.get("entryPrice") or 0.0) if total else 0.0)
        return positions

    async def fetch_open_orders(self, symbol: str | None = None, *, priority: bool = False) -> list[dict[str, Any]]:
        """The exchange's open orders (ccxt unified structures), ours and others."""
        return list(await self.calls.call(self._exchange.fetch_open_orders, symbol, priority=priority,
                                          retry_network=True))

    async def find_order(self, symbol: str, client_id: str, exchange_id: str = "",
                         *, attempts: int = 20) -> dict[str, Any] | None:
        """One of our orders on the exchange, by exchange id else by client id; None when the
        exchange says it does not exist. Retries through rate limits and timeouts."""
        ccxt = ccxt_errors()
        if exchange_id:
            try:
                return await self.calls.call(self._exchange.fetch_order, exchange_id, symbol,
                                             retry_network=True, attempts=attempts)
            except ccxt.OrderNotFound:
                pass
        return await self._lookup(symbol, exchange_client_id(client_id), attempts=attempts)

    async def fetch_order_trades(self, client_id: str) -> None:
        """Book the executions of one order we know the exchange id of."""
        tracked = self._tracked[client_id]
        await self._fetch_trades_of(tracked.order, priority=False)
        self._report(client_id)

    # --- order state ----------------------------------------------------------------------

    def _lookup_params(self, xid: str) -> dict[str, str]:
        return {_LOOKUP_PARAM.get(self._exchange_id, "clientOrderId"): xid}

    async def _lookup(self, symbol: str, xid: str, *, priority: bool = False,
                      attempts: int | None = None) -> dict[str, Any] | None:
        """Our order on the exchange by client id: open orders first, then fetch_order."""
        ccxt = ccxt_errors()
        for candidate in await self.calls.call(self._exchange.fetch_open_orders, symbol, priority=priority,
                                               retry_network=True, attempts=attempts):
            if candidate.get("clientOrderId") == xid:
                return candidate
        if not self._exchange.has.get("fetchOrder"):
            return None
        try:
            return await self.calls.call(self._exchange.fetch_order, None, symbol, self._lookup_params(xid),
                                         priority=priority, retry_network=True, attempts=attempts)
        except ccxt.OrderNotFound:
            return None

    async def _lookup_quietly(self, symbol: str, xid: str, *, priority: bool = False) -> dict[str, Any] | None:
        ccxt = ccxt_errors()
        try:
            return await self._lookup(symbol, xid, priority=priority)
        except (ccxt.BaseError, Abandoned, Banned) as exc:
            self._notice(f"lookup of {xid} failed: {self._describe(exc)}")
            return None

    async def absorb(self, client_id: str, raw: Mapping[str, Any], *, priority: bool = False,
                     fetch_missing: bool = True) -> None:
        """Take in a ccxt order structure for one of our orders: book the executions it
        lists, fetch the ones it only counts (unless ``fetch_missing`` is false: a streamed
        order update whose executions the trade stream brings), then report the order."""
        tracked = self._tracked[client_id]
        report = order_report(raw, contract_size(self._exchange.market(tracked.order.symbol)))
        exchange_id = report.exchange_id or tracked.order.exchange_id
        if exchange_id:
            self._know_exchange_id(client_id, exchange_id)
        for trade in raw.get("trades") or []:
            if trade.get("id"):
                self._book(client_id, trade)
        tracked.exchange_filled = max(tracked.exchange_filled, report.filled_qty)
        status = report.status
        # Never back from a terminal status: updates can arrive late.
        if status is not None and not (tracked.exchange_status is not None and tracked.exchange_status.is_terminal):
            tracked.exchange_status = status
        if tracked.missing_fills and exchange_id and fetch_missing:
            await self._fetch_trades_of(tracked.order, priority=priority)
        self._report(client_id)

    def _know_exchange_id(self, client_id: str, exchange_id: str) -> None:
        """Our order's exchange id: follow it by that id, and book what the stream sent for it
        before we knew it."""
        tracked = self._tracked[client_id]
        self._by_exchange_order_id[exchange_id] = client_id
        tracked.order = replace(tracked.order, exchange_id=exchange_id)
        for trade in self._unclaimed.pop(exchange_id, ()):
            self._book(client_id, trade)

    def _report(self, client_id: str) -> None:
        """Tell the engine the order as its booked fills make it."""
        tracked = self._tracked[client_id]
        old = tracked.order
        if old.status.is_terminal:
            return
        filled = tracked.booked_qty
        average = tracked.booked_notional / filled if filled > QTY_EPS else 0.0
        status = tracked.exchange_status
        if status is None:
            new_status = OrderStatus.OPEN if old.exchange_id else old.status
        elif status.is_terminal and not tracked.missing_fills:
            new_status = status
        else:
            new_status = OrderStatus.PARTIALLY_FILLED if filled > QTY_EPS else OrderStatus.OPEN
        if new_status is OrderStatus.NEW and old.exchange_id:
            new_status = OrderStatus.OPEN
        new = replace(old, status=new_status, filled_qty=filled, avg_fill_price=average)
        tracked.order = new
        if (new.status, new.filled_qty, new.exchange_id) != (old.status, old.filled_qty, old.exchange_id) \
                or old.status is OrderStatus.NEW:
            self.on_order(new)

    def _book(self, client_id: str, raw_trade: Mapping[str, Any]) -> None:
        """Book one execution of our order, once."""
        trade_id = str(raw_trade["id"])
        tracked = self._tracked[client_id]
        if trade_id in self._trades_seen or trade_id in tracked.trade_ids:
            return
        self._trades_seen.add(trade_id)
        tracked.trade_ids.add(trade_id)
        order = tracked.order
        fill = fill_from_ccxt(order, raw_trade, self._exchange.market(order.symbol), self._clock.now_ns())
        tracked.booked_qty += fill.qty
        tracked.booked_notional += fill.qty * fill.price
        self.on_fill(fill)

    async def _fetch_trades_of(self, order: Order, *, priority: bool) -> None:
        """The executions of one order, from the account's trade list."""
        ccxt = ccxt_errors()
        try:
            async for page in self._account_trades(order.symbol, order.exchange_id, priority=priority):
                for raw in page:
                    if str(raw.get("order")) == order.exchange_id:
                        self._book(order.client_id, raw)
        except (ccxt.BaseError, Abandoned, Banned) as exc:
            self._notice(f"fills of {order.client_id} not fetched yet: {self._describe(exc)}")

    def _reject(self, client_id: str, code: ReasonCode, message: str) -> None:
        self._notice(f"order {client_id} rejected ({code}): {message}")
        tracked = self._tracked[client_id]
        old = tracked.order
        if old.status.is_terminal:
            return
        tracked.order = old.with_status(OrderStatus.REJECTED, code)
        self.on_order(tracked.order)

    def _frame_not_handled(self, _: Any, exc: Exception) -> None:
        self._notice(f"account stream: a frame ccxt could not handle ({self._describe(exc)}); resubscribing")

    def _notice(self, text: str) -> None:
        self.on_notice(f"{self.name}: {text}")

    def _describe(self, exc: BaseException) -> str:
        return redact(str(exc) or type(exc).__name__)[:300]

    # --- following the account ------------------------------------------------------------

    def _client_id_of(self, raw: Mapping[str, Any]) -> str | None:
        client_id = self._by_exchange_client_id.get(str(raw.get("clientOrderId")))
        if client_id is None:
            client_id = self._by_exchange_order_id.get(str(raw.get("id")))
        return client_id

    async def _on_orders(self, raw_orders: Iterable[dict[str, Any]]) -> None:
        for raw in raw_orders:
            client_id = self._client_id_of(raw)
            if client_id is not None and client_id not in self._in_doubt:
                # Its executions come on the trade stream (or, if that fails, from the REST check).
                await self.absorb(client_id, raw, fetch_missing=False)

    async def _on_my_trades(self, raw_trades: Iterable[dict[str, Any]]) -> None:
        await self._on_my_trades_async(raw_trades, priority=False)

    async def _on_my_trades_async(self, raw_trades: Iterable[dict[str, Any]], *, priority: bool) -> None:
        touched = set()
        for raw in raw_trades:
            if not raw.get("id"):
                continue
            order_id = str(raw.get("order"))
            client_id = self._by_exchange_order_id.get(order_id)
            if client_id is None:
                self._unclaimed.setdefault(order_id, []).append(raw)  # ours before the create answered?
                self._unclaimed.move_to_end(order_id)
                while len(self._unclaimed) > UNCLAIMED_ORDERS:
                    self._unclaimed.popitem(last=False)  # someone else's orders: forgotten
                continue
            self._book(client_id, raw)
            touched.add(client_id)
        for client_id in touched:
            self._report(client_id)

    async def _follow(self, watch: Callable[[], Awaitable[Any]],
                      handle: Callable[[Any], Awaitable[None]]) -> None:
        """Call a ccxt ``watch_*`` forever; after a failure back off, then check by REST
        what the stream may have missed."""
        ccxt = ccxt_errors()
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        while True:
            try:
                await handle(await watch())
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except (ccxt.BaseError, OSError) as exc:
                # OSError: ccxt lets aiohttp's own through, e.g. a subscription written to a
                # socket that is closing ("Cannot write to closing transport").
                self._notice(f"account stream: {self._describe(exc)}")
                await asyncio.sleep(backoff.next_delay_s())
                await self._poll_safely()

    async def _poll_safely(self) -> None:
        ccxt = ccxt_errors()
        try:
            await self.poll_once()
        except (ccxt.BaseError, Abandoned, Banned) as exc:
            self._notice(f"account check: {self._describe(exc)}")

    async def _poll_loop(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            await self._poll_safely()

    async def poll_once(self) -> None:
        """One reconciliation pass over the symbols with open, in-doubt or short-of-fills
        orders: open orders, orders that left the open list, account trades."""
        # An order still being submitted is the submit's to settle.
        symbols = {t.order.symbol for c, t in self._tracked.items() if t.order.is_open and c not in self._submitting}
        symbols |= {self._tracked[c].order.symbol for c in self._in_doubt}
        for symbol in sorted(symbols):
            exchange_open = await self.fetch_open_orders(symbol)
            seen: set[str] = set()
            for raw in exchange_open:
                client_id = self._client_id_of(raw)
                if client_id is None:
                    continue
                seen.add(client_id)
                if client_id in self._in_doubt:
                    await self._cancel_surfaced(client_id, raw)
                else:
                    await self.absorb(client_id, raw)
            for client_id in [c for c in self._in_doubt if self._tracked[c].order.symbol == symbol and c not in seen]:
                await self._resolve_in_doubt(client_id)
            for order in self.open_orders():
                if order.symbol == symbol and order.client_id not in seen and order.exchange_id:
                    # Left the open list: filled or cancelled. Ask which, and fetch its fills.
                    raw = await self.calls.call(self._exchange.fetch_order, order.exchange_id, symbol,
                                                retry_network=True)
                    await self.absorb(order.client_id, raw)

    async def _resolve_in_doubt(self, client_id: str, *, priority: bool = False) -> None:
        """Settle whether an order we gave up on exists; if it traded, its fills still count."""
        ccxt = ccxt_errors()
        tracked = self._tracked[client_id]
        try:
            found = await self._lookup(tracked.order.symbol, exchange_client_id(client_id), priority=priority)
        except (ccxt.BaseError, Abandoned, Banned):
            return  # still unknown: ask again next poll
        self._in_doubt.discard(client_id)
        if found is None:
            return
        self._know_exchange_id(client_id, str(found.get("id")))
        if found.get("status") == "open":
            await self._cancel_surfaced(client_id, found)
            return
        await self._book_late(client_id, found, priority)
        self._notice(f"order {client_id} reported rejected reached the exchange after all "
                     f"(status {found.get('status')}, filled {found.get('filled')}); its fills are booked")

    async def _cancel_surfaced(self, client_id: str, raw: Mapping[str, Any]) -> None:
        """An order we reported REJECTED turned up live: cancel it, book what it filled, say so."""
        self._in_doubt.discard(client_id)
        tracked = self._tracked[client_id]
        exchange_id = str(raw.get("id"))
        self._know_exchange_id(client_id, exchange_id)
        self._notice(f"order {client_id} reported rejected was found live on the exchange; cancelling it")
        await self.calls.call(self._exchange.cancel_order, exchange_id, tracked.order.symbol, priority=True)
        await self._book_late(client_id, raw, priority=True)

    async def _book_late(self, client_id: str, raw: Mapping[str, Any], priority: bool) -> None:
        """Book the fills of an order already reported rejected (the engine counts them all the same)."""
        tracked = self._tracked[client_id]
        for trade in raw.get("trades") or []:
            if trade.get("id"):
                self._book(client_id, trade)
        if float(raw.get("filled") or 0.0) > tracked.booked_qty + QTY_EPS:
            await self._fetch_trades_of(tracked.order, priority=priority)


@dataclass(frozen=True, slots=True)
class OrderReport:
    """What a ccxt order structure says about an order: exchange id, status, filled base qty."""

    exchange_id: str
    status: OrderStatus | None
    filled_qty: float


def order_report(raw: Mapping[str, Any], contract_size: float = 1.0) -> OrderReport:
    """Read a ccxt order structure (a create/cancel response, ``fetch_order``, ``watch_orders``)."""
    return OrderReport(str(raw.get("id") or ""), _STATUS.get(str(raw.get("status"))),
                       float(raw.get("filled") or 0.0) * contract_size)


def balances_of(raw: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """``{asset: (free, total)}`` from a ccxt balance structure; an asset whose total is not
    known (a streamed transfer before the balance that follows it) is left out."""
    free = raw.get("free") or {}
    return {asset: (float(free.get(asset) or 0.0), float(total))
            for asset, total in (raw.get("total") or {}).items() if total is not None}


def fill_from_ccxt(order: Order, raw: Mapping[str, Any], market: Mapping[str, Any], now_ns: int) -> Fill:
    """One of our executions from a ccxt trade (a create response's ``trades``,
    ``fetch_my_trades`` or ``watch_my_trades``).

    The fee is converted to quote currency; a fee taken in the base asset also lowers what
    the account holds (``base_fee_qty``); a fee paid in a third asset (e.g. BNB) or not
    reported is charged at the market's nominal maker/taker rate instead.
    """
    price = float(raw["price"])
    qty = float(raw["amount"]) * contract_size(market)
    fee = raw.get("fee") or {}
    cost, currency = fee.get("cost"), fee.get("currency")
    maker = raw.get("takerOrMaker") == "maker"
    base_fee_qty = 0.0
    if cost is not None and currency is not None and currency == market.get("base"):
        base_fee_qty = float(cost)
        fee_quote = base_fee_qty * price
        if not market.get("spot", True):
            base_fee_qty = 0.0  # a derivative's fee in the base coin is margin, not position
    elif cost is not None and currency is not None and currency == market.get("quote"):
        fee_quote = float(cost)
    else:
        fee_quote = float(market.get("maker" if maker else "taker") or 0.0) * price * qty
    ts_ms = raw.get("timestamp")
    ts_ns = int(ts_ms) * 1_000_000 if ts_ms is not None else now_ns
    return Fill(order.client_id, order.symbol, order.side, qty, price, fee_quote,
                Liquidity.MAKER if maker else Liquidity.TAKER, ts_ns, order.strategy, str(raw.get("id") or ""),
                base_fee_qty=base_fee_qty)


def _ignore(_: object) -> None:
    """Default handler until the engine registers its own."""

