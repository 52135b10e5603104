"""The live broker: real orders through ccxt, idempotent under retries.

Every order carries a client order id derived from ours, so a create that timed out can
be looked up before it is re-sent: a retry never doubles an order. Order updates and
fills come from ``watch_orders``/``watch_my_trades`` where the exchange streams them,
else from polling open orders and account trades.

Exchange errors become order states the engine understands: REJECTED with a reason code
(``INSUFFICIENT_FUNDS``, ``INVALID_ORDER``, ``EXCHANGE_RATE_LIMIT``,
``EXCHANGE_UNAVAILABLE``) plus an operator-visible notice with key material redacted.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from hft_tui.clock import Clock
from hft_tui.execution.broker import FillHandler, OrderUpdateHandler
from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import CcxtCredentials, ccxt_errors, create_exchange
from hft_tui.redaction import redact
from hft_tui.market.ccxt_markets import contract_size
from hft_tui.model import Fill, Liquidity, Order, OrderBook, OrderStatus, OrderType, ReasonCode, Trade

NoticeHandler = Callable[[str], None]

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


def exchange_client_id(client_id: str) -> str:
    """The id sent to the exchange for our ``client_id``: itself when every exchange accepts
    it, else a stable 31-character hash (stable so a restarted engine finds its orders)."""
    if _PORTABLE_ID.fullmatch(client_id):
        return client_id
    return "h" + hashlib.blake2b(client_id.encode(), digest_size=15).hexdigest()


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
        self._exchange = create_exchange(exchange_id, market_type=market_type, sandbox=sandbox,
                                         ccxt_config=ccxt_config, credentials=credentials)
        self._poll_s = poll_interval_ms / 1000.0
        self._max_attempts = max_attempts
        self._backoff_ms = (retry_backoff_ms, retry_backoff_max_ms)
        self._rng = random.Random(seed)
        self._orders: dict[str, Order] = {}
        self._by_exchange_client_id: dict[str, str] = {}
        self._by_exchange_order_id: dict[str, str] = {}
        self._in_doubt: set[str] = set()
        self._fills_seen: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._started_ms = 0
        self._closed = False

    @classmethod
    def from_settings(
        cls, settings: Any, *, clock: Clock, credentials: CcxtCredentials | None, seed: int | None = None
    ) -> CcxtBroker:
        """Built from ``hft_tui.config.settings.ExchangeSettings``; polls at its REST interval."""
        return cls(
            settings.id,
            clock=clock,
            credentials=credentials,
            market_type=settings.market_type,
            sandbox=settings.sandbox,
            ccxt_config=dict(settings.ccxt),
            poll_interval_ms=settings.rest_poll_interval_ms,
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
        await self._exchange.load_markets()
        self._started_ms = self._clock.now_ns() // 1_000_000
        has = self._exchange.has
        if has.get("watchOrders") and has.get("watchMyTrades"):
            self._tasks.append(asyncio.ensure_future(self._follow(self._exchange.watch_orders, self._on_orders)))
            self._tasks.append(asyncio.ensure_future(self._follow(self._exchange.watch_my_trades, self._on_my_trades)))
        else:
            self._tasks.append(asyncio.ensure_future(self._poll_loop()))

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
        return [o for o in self._orders.values() if o.is_open]

    def on_book(self, book: OrderBook) -> None:
        """A live exchange fills against its own book."""

    def on_trade(self, trade: Trade) -> None:
        """A live exchange fills against its own book."""

    def adopt(self, order: Order) -> None:
        """Follow an order placed by an earlier session (found open at reconciliation)."""
        self._orders[order.client_id] = order
        self._by_exchange_client_id[exchange_client_id(order.client_id)] = order.client_id
        if order.exchange_id:
            self._by_exchange_order_id[order.exchange_id] = order.client_id

    async def submit(self, order: Order) -> None:
        """Place ``order``; retries after network failures never duplicate it."""
        ccxt = ccxt_errors()
        xid = exchange_client_id(order.client_id)
        self._orders[order.client_id] = order
        self._by_exchange_client_id[xid] = order.client_id
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
            if attempt:
                await asyncio.sleep(backoff.next_delay_s())
            if maybe_sent:
                try:
                    found = await self._lookup(order.symbol, xid)
                except ccxt.NetworkError as exc:
                    last_error = self._describe(exc)
                    continue
                if found is not None:
                    self._apply(order.client_id, found)
                    return
            try:
                response = await self._exchange.create_order(
                    order.symbol, order.type.value, order.side.value, amount, price, dict(params))
            except ccxt.InsufficientFunds as exc:
                self._reject(order.client_id, ReasonCode.INSUFFICIENT_FUNDS, self._describe(exc))
                return
            except ccxt.InvalidOrder as exc:
                if maybe_sent:
                    # Likely "duplicate client id": the earlier attempt did arrive.
                    found = await self._lookup_quietly(order.symbol, xid)
                    if found is not None:
                        self._apply(order.client_id, found)
                        return
                self._reject(order.client_id, ReasonCode.INVALID_ORDER, self._describe(exc))
                return
            except (ccxt.RateLimitExceeded, ccxt.DDoSProtection) as exc:
                # Refused before it was accepted; ccxt's own throttle is also backing off.
                last_code, last_error = ReasonCode.EXCHANGE_RATE_LIMIT, self._describe(exc)
                backoff.attempt += 1
                continue
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
            self._apply(order.client_id, response)
            return
        if maybe_sent:
            found = await self._lookup_quietly(order.symbol, xid)
            if found is not None:
                self._apply(order.client_id, found)
                return
            # Told the engine it is rejected; if it surfaces later the poller cancels it.
            self._in_doubt.add(order.client_id)
        self._reject(order.client_id, last_code,
                     f"gave up after {self._max_attempts} attempts: {last_error}")

    async def cancel(self, client_id: str) -> None:
        """Cancel one of our orders by client id."""
        ccxt = ccxt_errors()
        order = self._orders.get(client_id)
        if order is None or not order.is_open:
            return
        try:
            response = await self._exchange.cancel_order(order.exchange_id or None, order.symbol,
                                                         self._lookup_params(exchange_client_id(client_id)))
        except ccxt.OrderNotFound:
            # Already gone (filled or cancelled): the next update tells which.
            found = await self._lookup_quietly(order.symbol, exchange_client_id(client_id))
            if found is not None:
                self._apply(client_id, found)
            return
        except ccxt.BaseError as exc:
            self._notice(f"cancel {client_id} failed: {self._describe(exc)}")
            return
        self._apply(client_id, {**response, "status": response.get("status") or "canceled"})

    async def cancel_all(self, symbol: str | None = None) -> None:
        """Cancel every open order of ours (on ``symbol``, or everywhere)."""
        ccxt = ccxt_errors()
        targets = [o for o in self.open_orders() if symbol is None or o.symbol == symbol]
        symbols = {o.symbol for o in targets}
        if self._exchange.has.get("cancelAllOrders"):
            for sym in sorted(symbols):
                try:
                    await self._exchange.cancel_all_orders(sym)
                except ccxt.BaseError as exc:
                    self._notice(f"cancel all on {sym} failed: {self._describe(exc)}")
                    continue
                for order in targets:
                    if order.symbol == sym and self._orders[order.client_id].is_open:
                        self._update(order.client_id, self._orders[order.client_id].with_status(
                            OrderStatus.CANCELLED, ReasonCode.CANCELLED_BY_OPERATOR))
            return
        for order in targets:
            await self.cancel(order.client_id)

    # --- account queries ------------------------------------------------------------------

    async def fetch_balance(self) -> dict[str, tuple[float, float]]:
        """``{asset: (free, total)}`` for every asset with a non-zero total."""
        balance = await self._exchange.fetch_balance()
        result: dict[str, tuple[float, float]] = {}
        for asset, total in (balance.get("total") or {}).items():
            if total:
                result[asset] = (float((balance.get("free") or {}).get(asset) or 0.0), float(total))
        return result

    async def fetch_open_orders(self, symbol: str | None = None) -> list[dict[str, Any]]:
        """The exchange's open orders (ccxt unified structures), ours and others."""
        return list(await self._exchange.fetch_open_orders(symbol))

    # --- order state ----------------------------------------------------------------------

    def _lookup_params(self, xid: str) -> dict[str, str]:
        return {_LOOKUP_PARAM.get(self._exchange_id, "clientOrderId"): xid}

    async def _lookup(self, symbol: str, xid: str) -> dict[str, Any] | None:
        """Our order on the exchange by client id: open orders first, then fetch_order."""
        ccxt = ccxt_errors()
        for candidate in await self._exchange.fetch_open_orders(symbol):
            if candidate.get("clientOrderId") == xid:
                return candidate
        if not self._exchange.has.get("fetchOrder"):
            return None
        try:
            return await self._exchange.fetch_order(None, symbol, self._lookup_params(xid))
        except ccxt.OrderNotFound:
            return None

    async def _lookup_quietly(self, symbol: str, xid: str) -> dict[str, Any] | None:
        ccxt = ccxt_errors()
        try:
            return await self._lookup(symbol, xid)
        except ccxt.BaseError as exc:
            self._notice(f"lookup of {xid} failed: {self._describe(exc)}")
            return None

    def _apply(self, client_id: str, raw: dict[str, Any]) -> None:
        """Merge a ccxt order structure into our order and report the change."""
        order = self._orders[client_id]
        merged = order_from_ccxt(order, raw, contract_size(self._exchange.market(order.symbol)))
        if merged.exchange_id:
            self._by_exchange_order_id[merged.exchange_id] = client_id
        self._update(client_id, merged)

    def _update(self, client_id: str, new: Order) -> None:
        old = self._orders[client_id]
        self._orders[client_id] = new
        if (new.status, new.filled_qty, new.exchange_id) != (old.status, old.filled_qty, old.exchange_id):
            self.on_order(new)

    def _reject(self, client_id: str, code: ReasonCode, message: str) -> None:
        self._notice(f"order {client_id} rejected ({code}): {message}")
        self._update(client_id, self._orders[client_id].with_status(OrderStatus.REJECTED, code))

    def _notice(self, text: str) -> None:
        self.on_notice(f"{self.name}: {text}")

    def _describe(self, exc: BaseException) -> str:
        return redact(str(exc) or type(exc).__name__)[:300]

    # --- following the account ------------------------------------------------------------

    def _on_orders(self, raw_orders: Iterable[dict[str, Any]]) -> None:
        for raw in raw_orders:
            client_id = self._by_exchange_client_id.get(str(raw.get("clientOrderId")))
            if client_id is None:
                client_id = self._by_exchange_order_id.get(str(raw.get("id")))
            if client_id is not None:
                self._apply(client_id, raw)

    def _on_my_trades(self, raw_trades: Iterable[dict[str, Any]]) -> None:
        for raw in raw_trades:
            trade_id = str(raw.get("id"))
            client_id = self._by_exchange_order_id.get(str(raw.get("order")))
            if client_id is None or trade_id in self._fills_seen:
                continue
            self._fills_seen.add(trade_id)
            order = self._orders[client_id]
            self.on_fill(fill_from_ccxt(order, raw, self._exchange.market(order.symbol),
                                        self._clock.now_ns()))

    async def _follow(self, watch: Callable[[], Any], handle: Callable[[Any], None]) -> None:
        """Call a ccxt ``watch_*`` forever, backing off after failures."""
        ccxt = ccxt_errors()
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        while True:
            try:
                handle(await watch())
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except ccxt.BaseError as exc:
                self._notice(f"account stream: {self._describe(exc)}")
                await asyncio.sleep(backoff.next_delay_s())

    async def _poll_loop(self) -> None:
        ccxt = ccxt_errors()
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        while True:
            await asyncio.sleep(self._poll_s)
            try:
                await self.poll_once()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except ccxt.BaseError as exc:
                self._notice(f"account poll: {self._describe(exc)}")
                await asyncio.sleep(backoff.next_delay_s())

    async def poll_once(self) -> None:
        """One reconciliation pass: open orders, vanished orders, account trades."""
        symbols = {o.symbol for o in self.open_orders()}
        symbols |= {self._orders[c].symbol for c in self._in_doubt}
        for symbol in sorted(symbols):
            exchange_open = await self._exchange.fetch_open_orders(symbol)
            seen: set[str] = set()
            for raw in exchange_open:
                client_id = self._by_exchange_client_id.get(str(raw.get("clientOrderId")))
                if client_id is None:
                    continue
                seen.add(client_id)
                if client_id in self._in_doubt:
                    await self._cancel_surfaced(client_id, raw)
                else:
                    self._apply(client_id, raw)
            for client_id in [c for c in self._in_doubt if self._orders[c].symbol == symbol and c not in seen]:
                await self._resolve_in_doubt(client_id)
            trades = await self._exchange.fetch_my_trades(symbol, self._started_ms)
            self._on_my_trades(trades)
            for order in self.open_orders():
                if order.symbol == symbol and order.client_id not in seen and order.exchange_id:
                    # Left the open list: filled or cancelled. Ask which.
                    self._apply(order.client_id, await self._exchange.fetch_order(order.exchange_id, symbol))

    async def _resolve_in_doubt(self, client_id: str) -> None:
        """Settle whether an order we gave up on exists; if it traded, its fills still count."""
        ccxt = ccxt_errors()
        order = self._orders[client_id]
        try:
            found = await self._lookup(order.symbol, exchange_client_id(client_id))
        except ccxt.NetworkError:
            return  # still unknown: ask again next poll
        self._in_doubt.discard(client_id)
        if found is None:
            return
        exchange_id = str(found.get("id"))
        self._by_exchange_order_id[exchange_id] = client_id
        self._orders[client_id] = replace(order, exchange_id=exchange_id)
        self._notice(f"order {client_id} reported rejected reached the exchange after all "
                     f"(status {found.get('status')}, filled {found.get('filled')}); its fills are reported")

    async def _cancel_surfaced(self, client_id: str, raw: dict[str, Any]) -> None:
        """An order we reported REJECTED turned up live: cancel it, and say so."""
        self._in_doubt.discard(client_id)
        exchange_id = str(raw.get("id"))
        self._by_exchange_order_id[exchange_id] = client_id
        self._orders[client_id] = replace(self._orders[client_id], exchange_id=exchange_id)
        self._notice(f"order {client_id} reported rejected was found live on the exchange; cancelling it")
        await self._exchange.cancel_order(exchange_id, self._orders[client_id].symbol)


def order_from_ccxt(order: Order, raw: Mapping[str, Any], contract_size: float = 1.0) -> Order:
    """``order`` updated from a ccxt order structure (status, filled base qty, average,
    exchange id). Never moves a terminal order back to open: updates can arrive late."""
    exchange_id = str(raw.get("id") or order.exchange_id)
    filled = max(float(raw.get("filled") or 0.0) * contract_size, order.filled_qty)
    average = float(raw.get("average") or 0.0) or order.avg_fill_price
    status = _STATUS.get(str(raw.get("status")), order.status)
    if status is OrderStatus.OPEN and filled > 0:
        status = OrderStatus.PARTIALLY_FILLED
    if order.status.is_terminal and not status.is_terminal:
        status = order.status
    return replace(order, status=status, filled_qty=filled, avg_fill_price=average, exchange_id=exchange_id)


def fill_from_ccxt(order: Order, raw: Mapping[str, Any], market: Mapping[str, Any], now_ns: int) -> Fill:
    """One of our executions from a ccxt account trade (``fetch_my_trades``/``watch_my_trades``).

    The fee is converted to quote currency; a fee paid in a third asset (e.g. BNB) or not
    reported is charged at the market's nominal maker/taker rate instead.
    """
    price = float(raw["price"])
    qty = float(raw["amount"]) * contract_size(market)
    fee = raw.get("fee") or {}
    cost, currency = fee.get("cost"), fee.get("currency")
    maker = raw.get("takerOrMaker") == "maker"
    if cost is not None and currency is not None and currency == market.get("base"):
        fee_quote = float(cost) * price
    elif cost is not None and currency is not None and currency == market.get("quote"):
        fee_quote = float(cost)
    else:
        fee_quote = float(market.get("maker" if maker else "taker") or 0.0) * price * qty
    ts_ms = raw.get("timestamp")
    ts_ns = int(ts_ms) * 1_000_000 if ts_ms is not None else now_ns
    return Fill(order.client_id, order.symbol, order.side, qty, price, fee_quote,
                Liquidity.MAKER if maker else Liquidity.TAKER, ts_ns, order.strategy, str(raw.get("id") or ""))


def _ignore(_: object) -> None:
    """Default handler until the engine registers its own."""
