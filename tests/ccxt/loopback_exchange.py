"""A loopback imitation of the parts of Binance spot that hft-tui's ccxt code uses.

Serves, on 127.0.0.1, the REST endpoints ccxt's ``binance`` class calls (exchange info,
depth, trades, orders, open orders, my trades, account) and a websocket under ``/stream``
(ccxt tells spot from futures by that path) that answers ``SUBSCRIBE`` requests and
pushes ``depthUpdate`` diffs whose ``U``/``u`` update ids follow the REST snapshot's
``lastUpdateId``, and ``trade`` events.

The user-data stream is served the way ccxt.pro's ``binance`` consumes it for spot: on the
websocket API (``/ws-api/v3``), a signed ``userDataStream.subscribe.signature`` request, then
events wrapped as ``{"subscriptionId": n, "event": {...}}``: ``executionReport`` for every new
order (ours or anyone's), every execution (trade id, commission, partial fills), cancel and
expiry; ``outboundAccountPosition`` whenever balances move; ``balanceUpdate`` for a deposit
or withdrawal (``transfer``). The server pings every ``user_ping_s`` and drops a peer that
has not answered the previous ping. Faults: ``drop_user_streams`` (the connection closes),
``user_stream_stalled`` (the socket stays open, events are lost), ``terminate_user_streams``
(``eventStreamTerminated``: the subscription ends, as an expired listenKey did on the old
stream), ``send_user_raw`` (any event, verbatim).

The account is as strict as the real one: fills are reported only in the create response's
``fills`` and by ``myTrades``; balances move with fills (a buy's commission is charged in
the base asset) and are locked by resting orders; orders off the lot or tick grid or under
the minimums fail their filter; a client id is accepted once; a signed request whose
timestamp is off the server's clock gets -1021; ``rate_limit_storm`` answers 429 with
``Retry-After``, ``ban_ip`` 418; ``place_foreign_order`` rests an order nobody here sent;
``step_resting`` fills resting orders over several steps. Like a real server it sends to
every websocket peer at once and drops one that stops reading (``SEND_TIMEOUT_S``), and
its random walk publishes sizes in whole lots only.

Tests drive it explicitly (``push_depth``, ``push_trade``, ``skip_update_ids``,
``drop_sockets``, ``send_raw``, ``send_truncated``, ``send_binary``) and script REST failures
(``fail_next_create``). Run it
standalone to point the app at it with ``config/examples/loopback.toml``::

    python tests/ccxt/loopback_exchange.py --port 8765 --tick-ms 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

INSUFFICIENT_BALANCE_MSG = "Account has insufficient balance for requested action."
COMMISSION_RATE = 0.001
MY_TRADES_LIMIT = 500
# A websocket peer that has not taken a frame in this long is dropped, as a real exchange
# drops a consumer too slow (or too dead) to read: the others never wait on it.
SEND_TIMEOUT_S = 5.0
# A stopped server drops its connections (as an exchange going down does) after this long,
# instead of aiohttp's 60 s wait for idle keep-alive peers and unanswered requests to finish.
STOP_GRACE_S = 0.5


@dataclass
class LoopbackMarket:
    """One spot symbol as exchangeInfo describes it."""

    market_id: str
    base: str
    quote: str
    tick_size: str
    step_size: str
    min_qty: str
    min_notional: str


@dataclass
class LoopbackOrder:
    """An order resting in (or done with) the loopback's order table."""

    order_id: int
    client_id: str
    market_id: str
    side: str
    type: str
    price: float
    qty: float
    time_ms: int
    status: str = "NEW"
    executed_qty: float = 0.0
    quote_qty: float = 0.0
    update_ms: int = 0
    # What a resting buy still holds of the quote balance (a sell holds its remaining qty).
    locked_quote: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")

    @property
    def remaining(self) -> float:
        return max(self.qty - self.executed_qty, 0.0)

    def as_binance(self) -> dict[str, Any]:
        return {
            "symbol": self.market_id,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_id,
            "price": f"{self.price:.8f}",
            "origQty": f"{self.qty:.8f}",
            "executedQty": f"{self.executed_qty:.8f}",
            "cummulativeQuoteQty": f"{self.quote_qty:.8f}",
            "status": self.status,
            "timeInForce": "GTC" if self.type == "LIMIT" else "IOC",
            "type": self.type,
            "side": self.side,
            "stopPrice": "0.00000000",
            "icebergQty": "0.00000000",
            "time": self.time_ms,
            "updateTime": self.update_ms or self.time_ms,
            "workingTime": self.time_ms,
            "isWorking": True,
            "origQuoteOrderQty": "0.00000000",
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }


@dataclass
class LoopbackBook:
    """The server's authoritative book for one symbol and its last update id."""

    bids: dict[float, float] = field(default_factory=dict)
    asks: dict[float, float] = field(default_factory=dict)
    last_update_id: int = 1000

    def levels(self) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """Both sides best first, as ``(price, qty)`` pairs."""
        bids = sorted(self.bids.items(), key=lambda kv: -kv[0])
        asks = sorted(self.asks.items(), key=lambda kv: kv[0])
        return bids, asks

    def apply(self, side: dict[float, float], updates: Iterable[tuple[float, float]]) -> None:
        for price, qty in updates:
            if qty == 0:
                side.pop(price, None)
            else:
                side[price] = qty


DEFAULT_MARKETS = (
    LoopbackMarket("BTCUSDT", "BTC", "USDT", "0.01000000", "0.00001000", "0.00001000", "5.00000000"),
    LoopbackMarket("ETHUSDT", "ETH", "USDT", "0.01000000", "0.00010000", "0.00010000", "5.00000000"),
)


class LoopbackExchange:
    """The loopback server: state, scripted faults and the aiohttp app serving them."""

    def __init__(self, markets: Iterable[LoopbackMarket] = DEFAULT_MARKETS) -> None:
        self.markets = {m.market_id: m for m in markets}
        self.books = {market_id: LoopbackBook() for market_id in self.markets}
        self.trades: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.orders: dict[int, LoopbackOrder] = {}
        self.my_trades: list[dict[str, Any]] = []
        self.free: dict[str, float] = {"USDT": 10_000.0, "BTC": 1.0, "ETH": 10.0}
        self.locked: dict[str, float] = {}
        self.clock_skew_ms = 0
        self.refusals: dict[str, int] = defaultdict(int)
        self._storm: tuple[float, int] = (0.0, 1)
        self._storm_rng = random.Random(11)
        self._banned_until_ms = 0
        self.create_requests: list[dict[str, str]] = []
        self.request_log: list[tuple[str, str]] = []
        self.fail_next_create: list[str] = []
        self.response_delay_s = 0.0
        # "auth": signed endpoints answer 401; "echo500": they answer 500. Both echo the
        # request's X-MBX-APIKEY header in the body, as careless exchanges and proxies do.
        self.private_fault: str | None = None
        self.stalled = False
        # What the REST ticker says the price is, per market id; default: the book's own.
        self.ticker_prices: dict[str, float] = {}
        self._skip_ids = 0
        self._next_order_id = 1
        self._next_trade_id = 1
        self._sockets: list[tuple[web.WebSocketResponse, set[str]]] = []
        self._closing: set[asyncio.Task[None]] = set()
        # The user-data stream: subscribed websocket-API peers (socket -> subscription id),
        # events waiting to go out in order, and its faults.
        self._user_sockets: dict[web.WebSocketResponse, int] = {}
        self._user_ws: set[web.WebSocketResponse] = set()
        self._user_outbox: deque[dict[str, Any]] = deque()
        self._user_wake: asyncio.Event | None = None
        self._user_sender: asyncio.Task[None] | None = None
        self._next_subscription_id = 0
        self.user_stream_stalled = False
        # (asset, delta): transferred right after the next account read has taken the balances,
        # streamed to nobody (as before the exchange has taken a new subscription).
        self.unstreamed_transfer_after_account_read: tuple[str, float] | None = None
        self.user_ping_s = 20.0
        self.user_pongs = 0
        self.user_subscribe_requests = 0
        self.user_events_sent = 0
        self.subscribe_requests = 0
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.port = 0
        self.loop: asyncio.AbstractEventLoop | None = None  # the loop serving it, once started
        self.seed_books()

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ccxt_urls(self) -> dict[str, Any]:
        """The ``urls`` override that points ccxt's binance class at this server."""
        return ccxt_urls(self.port)

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_get("/api/v3/exchangeInfo", self._exchange_info)
        app.router.add_get("/api/v3/depth", self._depth)
        app.router.add_get("/api/v3/trades", self._trades)
        app.router.add_get("/api/v3/ticker/24hr", self._ticker)
        app.router.add_get("/api/v3/ping", self._ping)
        app.router.add_get("/api/v3/time", self._time)
        app.router.add_post("/api/v3/order", self._create_order)
        app.router.add_get("/api/v3/order", self._get_order)
        app.router.add_delete("/api/v3/order", self._cancel_order)
        app.router.add_get("/api/v3/openOrders", self._open_orders)
        app.router.add_delete("/api/v3/openOrders", self._cancel_open_orders)
        app.router.add_get("/api/v3/myTrades", self._my_trades_handler)
        app.router.add_get("/api/v3/account", self._account)
        app.router.add_get("/stream/ws/{stream}", self._websocket)
        app.router.add_get("/ws-api/v3", self._websocket_api)
        self.loop = asyncio.get_running_loop()
        self._user_wake = asyncio.Event()
        self._user_sender = asyncio.ensure_future(self._send_user_events())
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=STOP_GRACE_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._stopping.set()
        if self._user_sender is not None:
            self._user_sender.cancel()
            await asyncio.gather(self._user_sender, return_exceptions=True)
        await self.drop_user_streams()
        await self.drop_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- market state -------------------------------------------------------------------

    def seed_books(self) -> None:
        """Five levels a side around 50 000 (BTC) and 3 000 (ETH)."""
        for market_id, mid in (("BTCUSDT", 50_000.0), ("ETHUSDT", 3_000.0)):
            if market_id not in self.books:
                continue
            book = self.books[market_id]
            book.bids = {round(mid - 0.5 - i, 2): 1.0 + i for i in range(5)}
            book.asks = {round(mid + 0.5 + i, 2): 1.5 + i for i in range(5)}

    def book_levels(self, market_id: str) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        return self.books[market_id].levels()

    def skip_update_ids(self, n: int = 1) -> None:
        """Make the next depth diff start ``n`` update ids late: a sequence gap."""
        self._skip_ids = n

    async def push_depth(
        self,
        market_id: str,
        bids: Iterable[tuple[float, float]] = (),
        asks: Iterable[tuple[float, float]] = (),
        raw_levels: dict[str, Any] | None = None,
    ) -> None:
        """Apply a diff to the book and send it as a ``depthUpdate``.

        ``raw_levels`` replaces the wire ``b``/``a`` fields verbatim (for malformed input)
        without touching the server's book.
        """
        book = self.books[market_id]
        bids, asks = list(bids), list(asks)
        first_id = book.last_update_id + 1 + self._skip_ids
        self._skip_ids = 0
        last_id = first_id + max(len(bids) + len(asks), 1) - 1
        book.last_update_id = last_id
        if raw_levels is None:
            book.apply(book.bids, bids)
            book.apply(book.asks, asks)
            wire_b = [[f"{p:.8f}", f"{q:.8f}"] for p, q in bids]
            wire_a = [[f"{p:.8f}", f"{q:.8f}"] for p, q in asks]
        else:
            wire_b, wire_a = raw_levels.get("b", []), raw_levels.get("a", [])
        message = {
            "e": "depthUpdate",
            "E": _now_ms(),
            "s": market_id,
            "U": first_id,
            "u": last_id,
            "b": wire_b,
            "a": wire_a,
        }
        await self._broadcast(f"{market_id.lower()}@depth", message)

    async def push_trade(self, market_id: str, price: float, qty: float, buyer_is_maker: bool,
                         price_text: str | None = None) -> int:
        """Record a public trade and send it as a ``trade`` event; returns its id."""
        trade_id = self._next_trade_id
        self._next_trade_id += 1
        ts = _now_ms()
        self.trades[market_id].append({
            "id": trade_id,
            "price": f"{price:.8f}",
            "qty": f"{qty:.8f}",
            "quoteQty": f"{price * qty:.8f}",
            "time": ts,
            "isBuyerMaker": buyer_is_maker,
            "isBestMatch": True,
        })
        message = {
            "e": "trade",
            "E": ts,
            "s": market_id,
            "t": trade_id,
            "p": price_text if price_text is not None else f"{price:.8f}",
            "q": f"{qty:.8f}",
            "T": ts,
            "m": buyer_is_maker,
            "M": True,
        }
        await self._broadcast(f"{market_id.lower()}@trade", message)
        return trade_id

    async def send_raw(self, text: str) -> None:
        """Send a frame verbatim to every socket (malformed-input tests)."""
        await self._send_each([ws for ws, _ in self._sockets], lambda ws: ws.send_str(text))

    async def send_truncated(self, market_id: str, keep: float = 0.5) -> None:
        """Send the first ``keep`` of a real ``depthUpdate`` frame, as a proxy cutting a frame
        would; the update it carried is applied to the server's book (so it is lost to a client
        that cannot read it)."""
        book = self.books[market_id]
        bids, _ = book.levels()
        price, qty = bids[0]
        book.last_update_id += 1
        book.bids[price] = qty + 1.0
        text = json.dumps({"e": "depthUpdate", "E": _now_ms(), "s": market_id, "U": book.last_update_id,
                           "u": book.last_update_id, "b": [[f"{price:.8f}", f"{qty + 1.0:.8f}"]], "a": []})
        await self.send_raw(text[: max(1, int(len(text) * keep))])

    async def send_binary(self, data: bytes) -> None:
        """Send a binary frame verbatim to every socket (Binance spot never sends one)."""
        await self._send_each([ws for ws, _ in self._sockets], lambda ws: ws.send_bytes(data))

    async def drop_sockets(self) -> None:
        """Close every websocket from the server side, as a dropped connection would."""
        sockets, self._sockets = self._sockets, []
        for ws, _ in sockets:
            await ws.close(code=1006, message=b"loopback drop")
        await asyncio.gather(*self._closing, return_exceptions=True)

    def subscriber_count(self, stream_prefix: str) -> int:
        return sum(1 for _, subs in self._sockets if any(s.startswith(stream_prefix) for s in subs))

    async def run_ticker(self, interval_s: float, seed: int = 7) -> None:
        """Random-walk every book and print trades forever (standalone demo mode)."""
        rng = random.Random(seed)
        while True:
            await asyncio.sleep(interval_s)
            for market_id, book in self.books.items():
                bids, asks = book.levels()
                if not bids or not asks:
                    continue
                best_bid, best_ask = bids[0][0], asks[0][0]
                lot = float(self.markets[market_id].step_size)
                size = _on_lot(rng.uniform(0.1, 3.0), lot)
                if rng.random() < 0.5:
                    await self.push_depth(market_id, bids=[(best_bid, size)])
                else:
                    await self.push_depth(market_id, asks=[(best_ask, size)])
                buy = rng.random() < 0.5
                await self.push_trade(market_id, best_ask if buy else best_bid,
                                      _on_lot(rng.uniform(0.001, 0.5), lot), buyer_is_maker=not buy)

    # --- the account: matching, balances, commissions ---------------------------------------
    #
    # Like Binance spot: a buy pays its commission in the base asset it receives, a sell in
    # the quote asset; resting orders lock what they could spend; fills are reported only
    # in the create response's ``fills``, by ``myTrades`` and on the user-data stream
    # (``executionReport``). ``GET /order`` reports totals, never the trades.

    def total(self, asset: str) -> float:
        """Free plus locked."""
        return self.free.get(asset, 0.0) + self.locked.get(asset, 0.0)

    def fill_order(self, order_id: int, qty: float, price: float, maker: bool = True) -> dict[str, Any]:
        """Execute ``qty`` of an open order at ``price``: balances move, the account trade is
        recorded; returns the create-response ``fills`` entry for it."""
        order = self.orders[order_id]
        qty = min(qty, order.remaining)
        market = self.markets[order.market_id]
        base, quote = market.base, market.quote
        notional = qty * price
        if order.side == "BUY":
            commission, commission_asset = qty * COMMISSION_RATE, base
            if order.type == "LIMIT":
                release = min(order.locked_quote, qty * order.price)
                order.locked_quote -= release
                self.locked[quote] -= release
                self.free[quote] += release
            self.free[quote] -= notional
            self.free[base] = self.free.get(base, 0.0) + qty - commission
        else:
            commission, commission_asset = notional * COMMISSION_RATE, quote
            if order.type == "LIMIT":
                self.locked[base] -= qty
            else:
                self.free[base] -= qty
            self.free[quote] = self.free.get(quote, 0.0) + notional - commission
        order.executed_qty += qty
        order.quote_qty += notional
        order.update_ms = _now_ms()
        order.status = "FILLED" if order.executed_qty >= order.qty - 1e-12 else "PARTIALLY_FILLED"
        trade_id = self._next_trade_id
        self._next_trade_id += 1
        self.my_trades.append({
            "symbol": order.market_id,
            "id": trade_id,
            "orderId": order.order_id,
            "orderListId": -1,
            "price": f"{price:.8f}",
            "qty": f"{qty:.8f}",
            "quoteQty": f"{notional:.8f}",
            "commission": f"{commission:.8f}",
            "commissionAsset": commission_asset,
            "time": order.update_ms,
            "isBuyer": order.side == "BUY",
            "isMaker": maker,
            "isBestMatch": True,
        })
        self._emit(self._execution_report(order, "TRADE", trade_id=trade_id, last_qty=qty, last_price=price,
                                          commission=commission, commission_asset=commission_asset, maker=maker))
        self._emit_balances((base, quote))
        return {"price": f"{price:.8f}", "qty": f"{qty:.8f}", "commission": f"{commission:.8f}",
                "commissionAsset": commission_asset, "tradeId": trade_id}

    def step_resting(self, fraction: float = 0.5) -> int:
        """Fill every open order by ``fraction`` of what remains (at least one lot, on the
        lot grid) at its limit price, as a market trading through it would; returns how many
        orders traded. Called repeatedly, an order fills over several steps."""
        traded = 0
        for order in list(self.orders.values()):
            if not order.is_open or order.type != "LIMIT":
                continue
            step = float(self.markets[order.market_id].step_size)
            lots = max(int(order.remaining * fraction / step + 1e-9), 1)
            self.fill_order(order.order_id, min(lots * step, order.remaining), order.price, maker=True)
            traded += 1
        return traded

    def place_foreign_order(self, market_id: str, side: str, qty: float, price: float) -> LoopbackOrder:
        """A resting limit order placed on the account by someone else (the web UI, a bot)."""
        order = self._new_order(f"web_{self._next_order_id}", market_id, side, "LIMIT", price, qty)
        self._rest(order)
        return order

    def _new_order(self, client_id: str, market_id: str, side: str, order_type: str, price: float,
                   qty: float) -> LoopbackOrder:
        order = LoopbackOrder(self._next_order_id, client_id, market_id, side, order_type, price, qty, _now_ms())
        self._next_order_id += 1
        self.orders[order.order_id] = order
        self._emit(self._execution_report(order, "NEW"))
        return order

    def _rest(self, order: LoopbackOrder) -> None:
        """Lock what a resting order could spend."""
        market = self.markets[order.market_id]
        if order.side == "BUY":
            order.locked_quote = order.remaining * order.price
            self.free[market.quote] -= order.locked_quote
            self.locked[market.quote] = self.locked.get(market.quote, 0.0) + order.locked_quote
        else:
            self.free[market.base] -= order.remaining
            self.locked[market.base] = self.locked.get(market.base, 0.0) + order.remaining
        self._emit_balances((market.base, market.quote))

    def _release(self, order: LoopbackOrder) -> None:
        """Give back what a resting order locked (it was cancelled)."""
        market = self.markets[order.market_id]
        if order.side == "BUY":
            self.locked[market.quote] -= order.locked_quote
            self.free[market.quote] += order.locked_quote
            order.locked_quote = 0.0
        else:
            self.locked[market.base] -= order.remaining
            self.free[market.base] += order.remaining

    def _match(self, order: LoopbackOrder) -> list[dict[str, Any]]:
        """Take liquidity from the book for a new order (the book's levels replenish)."""
        bids, asks = self.books[order.market_id].levels()
        levels = asks if order.side == "BUY" else bids
        fills = []
        for price, size in levels:
            if order.remaining <= 1e-12:
                break
            if order.type == "LIMIT" and (price > order.price if order.side == "BUY" else price < order.price):
                break
            step = float(self.markets[order.market_id].step_size)
            qty = min(order.remaining, int(size / step + 1e-9) * step)
            if qty > 0:
                fills.append(self.fill_order(order.order_id, qty, price, maker=False))
        return fills

    def _filter_failure(self, market: LoopbackMarket, order_type: str, qty: float, price: float,
                        reference: float) -> str | None:
        """The exchange's filter a new order fails, if any."""
        if not _on_grid(qty, float(market.step_size)) or qty < float(market.min_qty):
            return "Filter failure: LOT_SIZE"
        if order_type == "LIMIT" and not _on_grid(price, float(market.tick_size)):
            return "Filter failure: PRICE_FILTER"
        if qty * reference < float(market.min_notional):
            return "Filter failure: NOTIONAL"
        return None

    # --- REST handlers --------------------------------------------------------------------

    async def _before(self, request: web.Request) -> None:
        self.request_log.append((request.method, request.path))
        if self.response_delay_s:
            await asyncio.sleep(self.response_delay_s)
        key = request.headers.get("X-MBX-APIKEY")
        if self.private_fault is not None and key is not None:
            if self.private_fault == "auth":
                raise web.HTTPUnauthorized(text=json.dumps({"code": -2015, "msg": f"Invalid API-key {key}."}),
                                           content_type="application/json")
            raise web.HTTPInternalServerError(
                text=f"upstream error; request headers: X-MBX-APIKEY={key} url={request.url}",
                content_type="text/plain")

    def server_ms(self) -> int:
        """The exchange's clock (``clock_skew_ms`` off ours)."""
        return _now_ms() + self.clock_skew_ms

    def rate_limit_storm(self, probability: float, retry_after_s: int = 1, seed: int = 11) -> None:
        """From now on a private request is refused with 429 (and ``Retry-After``) with
        ``probability``; 0 ends the storm."""
        self._storm = (probability, retry_after_s)
        self._storm_rng = random.Random(seed)

    def ban_ip(self, seconds: float) -> None:
        """Answer every private request with 418 for ``seconds`` (an IP ban)."""
        self._banned_until_ms = self.server_ms() + int(seconds * 1000)

    def _refuse(self, request: web.Request, params: dict[str, str]) -> web.Response | None:
        """What a private endpoint answers before it looks at the request, if it refuses."""
        if "X-MBX-APIKEY" not in request.headers:
            return _error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        now = self.server_ms()
        if now < self._banned_until_ms:
            self.refusals["418"] += 1
            return _error(418, -1003, f"Way too much request weight used; IP banned until {self._banned_until_ms}.",
                          {"Retry-After": str(max((self._banned_until_ms - now + 999) // 1000, 1))})
        probability, retry_after = self._storm
        if probability and self._storm_rng.random() < probability:
            self.refusals["429"] += 1
            return _error(429, -1003, "Too much request weight used; current limit is 6000 request weight "
                                      "per 1 MINUTE.", {"Retry-After": str(retry_after)})
        timestamp = int(params.get("timestamp", now))
        window = int(params.get("recvWindow", 5000))
        if timestamp > now + 1000 or now - timestamp > window:
            self.refusals["-1021"] += 1
            return _error(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."
                          if timestamp > now else "Timestamp for this request is outside of the recvWindow.")
        return None

    async def _ping(self, request: web.Request) -> web.Response:
        await self._before(request)
        return web.json_response({})

    async def _time(self, request: web.Request) -> web.Response:
        await self._before(request)
        return web.json_response({"serverTime": self.server_ms()})

    async def _exchange_info(self, request: web.Request) -> web.Response:
        await self._before(request)
        symbols = [
            {
                "symbol": m.market_id,
                "status": "TRADING",
                "baseAsset": m.base,
                "baseAssetPrecision": 8,
                "quoteAsset": m.quote,
                "quotePrecision": 8,
                "quoteAssetPrecision": 8,
                "baseCommissionPrecision": 8,
                "quoteCommissionPrecision": 8,
                "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
                "icebergAllowed": True,
                "ocoAllowed": True,
                "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": False,
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": m.tick_size,
                     "maxPrice": "1000000.00000000", "tickSize": m.tick_size},
                    {"filterType": "LOT_SIZE", "minQty": m.min_qty,
                     "maxQty": "9000.00000000", "stepSize": m.step_size},
                    {"filterType": "NOTIONAL", "minNotional": m.min_notional,
                     "applyMinToMarket": True, "maxNotional": "9000000.00000000",
                     "applyMaxToMarket": False, "avgPriceMins": 5},
                ],
                "permissions": [],
                "permissionSets": [["SPOT"]],
                "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
                "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
            }
            for m in self.markets.values()
        ]
        return web.json_response({
            "timezone": "UTC",
            "serverTime": _now_ms(),
            "rateLimits": [],
            "exchangeFilters": [],
            "symbols": symbols,
        })

    async def _depth(self, request: web.Request) -> web.Response:
        await self._before(request)
        market_id = request.query.get("symbol", "")
        if market_id not in self.books:
            return _error(400, -1121, "Invalid symbol.")
        limit = int(request.query.get("limit", "100"))
        book = self.books[market_id]
        bids, asks = book.levels()
        return web.json_response({
            "lastUpdateId": book.last_update_id,
            "bids": [[f"{p:.8f}", f"{q:.8f}"] for p, q in bids[:limit]],
            "asks": [[f"{p:.8f}", f"{q:.8f}"] for p, q in asks[:limit]],
        })

    async def _trades(self, request: web.Request) -> web.Response:
        await self._before(request)
        market_id = request.query.get("symbol", "")
        limit = int(request.query.get("limit", "500"))
        return web.json_response(self.trades[market_id][-limit:])

    async def _ticker(self, request: web.Request) -> web.Response:
        await self._before(request)
        market_id = request.query.get("symbol", "")
        if market_id not in self.books:
            return _error(400, -1121, "Invalid symbol.")
        bids, asks = self.books[market_id].levels()
        override = self.ticker_prices.get(market_id)
        bid = override if override is not None else bids[0][0]
        ask = override if override is not None else asks[0][0]
        return web.json_response({
            "symbol": market_id, "lastPrice": f"{(bid + ask) / 2:.8f}", "bidPrice": f"{bid:.8f}",
            "askPrice": f"{ask:.8f}", "bidQty": "1.0", "askQty": "1.0", "openTime": _now_ms() - 86_400_000,
            "closeTime": _now_ms(), "volume": "0", "quoteVolume": "0",
        })

    async def _params(self, request: web.Request) -> dict[str, str]:
        params = dict(request.query)
        if request.can_read_body:
            params.update({k: str(v) for k, v in (await request.post()).items()})
        return params

    async def _create_order(self, request: web.Request) -> web.Response:
        # Read the body first: a slow answer must still act on what arrived.
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        self.create_requests.append(params)
        fault = self.fail_next_create.pop(0) if self.fail_next_create else ""
        if fault == "unavailable":
            return web.Response(status=503, text="Service Unavailable")
        if fault == "rate_limit":
            return _error(429, -1003, "Too many requests; current limit is 6000 request weight per 1 MINUTE.",
                          {"Retry-After": "0"})
        client_id = params.get("newClientOrderId", "")
        if client_id and any(o.client_id == client_id for o in self.orders.values()):
            return _error(400, -2010, "Duplicate order sent.")
        market_id = params.get("symbol", "")
        if market_id not in self.markets:
            return _error(400, -1121, "Invalid symbol.")
        market = self.markets[market_id]
        side, order_type = params["side"], params["type"]
        qty = float(params["quantity"])
        price = float(params.get("price", "0") or 0)
        bids, asks = self.books[market_id].levels()
        best = asks[0][0] if side == "BUY" else bids[0][0]
        reference = price if order_type == "LIMIT" else best
        failure = self._filter_failure(market, order_type, qty, price, reference)
        if failure is not None:
            return _error(400, -1013, failure)
        # A market buy may walk the book: check the quote against the worst level it could take.
        worst = max(p for p, _ in asks) if side == "BUY" and order_type == "MARKET" else reference
        if side == "BUY" and qty * worst > self.free.get(market.quote, 0.0) + 1e-9:
            return _error(400, -2010, INSUFFICIENT_BALANCE_MSG)
        if side == "SELL" and qty > self.free.get(market.base, 0.0) + 1e-12:
            return _error(400, -2010, INSUFFICIENT_BALANCE_MSG)
        order = self._new_order(client_id or f"lb{self._next_order_id}", market_id, side, order_type, price, qty)
        if order_type == "LIMIT":
            self._rest(order)
        fills = self._match(order)
        if order_type == "MARKET" and order.is_open:
            order.status = "EXPIRED"  # the book ran out: the rest of a market order expires
            self._emit(self._execution_report(order, "EXPIRED"))
        if fault == "timeout":
            # The order is live on the exchange but the caller never hears back.
            await self._stopping.wait()
        return web.json_response({**order.as_binance(), "transactTime": order.update_ms or order.time_ms,
                                  "fills": fills})

    def _find_order(self, params: dict[str, str]) -> LoopbackOrder | None:
        if "orderId" in params:
            return self.orders.get(int(params["orderId"]))
        client_id = params.get("origClientOrderId", "")
        return next((o for o in self.orders.values() if o.client_id == client_id), None)

    async def _get_order(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        order = self._find_order(params)
        if order is None:
            return _error(400, -2013, "Order does not exist.")
        return web.json_response(order.as_binance())

    async def _cancel_order(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        order = self._find_order(params)
        if order is None or not order.is_open:
            return _error(400, -2011, "Unknown order sent.")
        self._cancel(order)
        return web.json_response(order.as_binance())

    def _cancel(self, order: LoopbackOrder) -> None:
        self._release(order)
        order.status = "CANCELED"
        order.update_ms = _now_ms()
        self._emit(self._execution_report(order, "CANCELED"))
        market = self.markets[order.market_id]
        self._emit_balances((market.base, market.quote))

    async def _open_orders(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        market_id = params.get("symbol")
        return web.json_response([
            o.as_binance() for o in self.orders.values()
            if o.is_open and (market_id is None or o.market_id == market_id)
        ])

    async def _cancel_open_orders(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        market_id = params.get("symbol")
        cancelled = []
        for order in self.orders.values():
            if order.is_open and order.market_id == market_id:
                self._cancel(order)
                cancelled.append(order.as_binance())
        if not cancelled:
            return _error(400, -2011, "Unknown order sent.")  # what Binance answers with nothing open
        return web.json_response(cancelled)

    async def _my_trades_handler(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        market_id = params.get("symbol")
        trades = [t for t in self.my_trades if t["symbol"] == market_id]
        if "orderId" in params:
            trades = [t for t in trades if t["orderId"] == int(params["orderId"])]
        if "fromId" in params:
            trades = [t for t in trades if t["id"] >= int(params["fromId"])]
        elif "startTime" in params:
            trades = [t for t in trades if t["time"] >= int(params["startTime"])]
        return web.json_response(trades[:int(params.get("limit", MY_TRADES_LIMIT))])

    async def _account(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        refused = self._refuse(request, params)
        if refused is not None:
            return refused
        response = web.json_response({
            "makerCommission": 10,
            "takerCommission": 10,
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "updateTime": _now_ms(),
            "accountType": "SPOT",
            "balances": [
                {"asset": asset, "free": f"{self.free.get(asset, 0.0):.8f}",
                 "locked": f"{self.locked.get(asset, 0.0):.8f}"}
                for asset in sorted(set(self.free) | set(self.locked))
            ],
            "permissions": ["SPOT"],
        })
        if self.unstreamed_transfer_after_account_read is not None:
            # Lands just after this read, while nobody is subscribed: only a later read tells.
            asset, delta = self.unstreamed_transfer_after_account_read
            self.unstreamed_transfer_after_account_read = None
            self.free[asset] = self.free.get(asset, 0.0) + delta
        return response

    # --- the user-data stream (websocket API) -------------------------------------------

    def transfer(self, asset: str, delta: float) -> None:
        """A deposit (``delta`` > 0) or withdrawal outside trading: ``balanceUpdate``, then the
        new balance."""
        self.free[asset] = self.free.get(asset, 0.0) + delta
        now = _now_ms()
        self._emit({"e": "balanceUpdate", "E": now, "a": asset, "d": f"{delta:.8f}", "T": now})
        self._emit_balances((asset,))

    async def drop_user_streams(self) -> None:
        """Close every websocket-API connection from the server side (events meanwhile are lost)."""
        sockets = list(self._user_ws)
        self._user_ws.clear()
        self._user_sockets.clear()
        for ws in sockets:
            await ws.close(code=1006, message=b"loopback drop")

    async def terminate_user_streams(self) -> None:
        """End every user-data subscription with ``eventStreamTerminated``; the sockets stay open."""
        for ws, subscription_id in list(self._user_sockets.items()):
            del self._user_sockets[ws]
            text = json.dumps({"subscriptionId": subscription_id,
                               "event": {"e": "eventStreamTerminated", "E": _now_ms()}})
            await self._send_one(ws, lambda ws, text=text: ws.send_str(text))

    async def send_user_raw(self, event: dict[str, Any]) -> None:
        """Send ``event`` verbatim on every user-data subscription (malformed-input tests)."""
        await asyncio.gather(*(
            self._send_one(ws, lambda ws, text=json.dumps({"subscriptionId": sid, "event": event}):
                           ws.send_str(text))
            for ws, sid in list(self._user_sockets.items())))

    def user_subscribers(self) -> int:
        return len(self._user_sockets)

    def _execution_report(self, order: LoopbackOrder, execution: str, *, trade_id: int = -1,
                          last_qty: float = 0.0, last_price: float = 0.0, commission: float = 0.0,
                          commission_asset: str | None = None, maker: bool = False) -> dict[str, Any]:
        """Binance's ``executionReport`` for one change of ``order``."""
        now = _now_ms()
        cancelled = execution == "CANCELED"
        return {
            "e": "executionReport", "E": now, "s": order.market_id,
            # A cancel carries the cancel request's own id in "c" and the order's in "C".
            "c": f"cancel{order.order_id}" if cancelled else order.client_id,
            "S": order.side, "o": order.type, "f": "GTC" if order.type == "LIMIT" else "IOC",
            "q": f"{order.qty:.8f}", "p": f"{order.price:.8f}", "P": "0.00000000", "F": "0.00000000",
            "g": -1, "C": order.client_id if cancelled else "", "x": execution, "X": order.status,
            "r": "NONE", "i": order.order_id, "l": f"{last_qty:.8f}", "z": f"{order.executed_qty:.8f}",
            "L": f"{last_price:.8f}", "n": f"{commission:.8f}", "N": commission_asset,
            "T": order.update_ms or now, "t": trade_id, "I": now, "w": order.is_open and order.type == "LIMIT",
            "m": maker, "M": False, "O": order.time_ms, "Z": f"{order.quote_qty:.8f}",
            "Y": f"{last_qty * last_price:.8f}", "Q": "0.00000000", "W": order.time_ms, "V": "EXPIRE_MAKER",
        }

    def _emit_balances(self, assets: Iterable[str]) -> None:
        now = _now_ms()
        self._emit({"e": "outboundAccountPosition", "E": now, "u": now, "B": [
            {"a": a, "f": f"{self.free.get(a, 0.0):.8f}", "l": f"{self.locked.get(a, 0.0):.8f}"}
            for a in sorted(set(assets))]})

    def _emit(self, event: dict[str, Any]) -> None:
        """Queue a user-data event; they go out in the order they happened."""
        if self.loop is None or self._user_wake is None:
            return
        self._user_outbox.append(event)
        self.loop.call_soon_threadsafe(self._user_wake.set)  # tests may move the account from their thread

    async def _send_user_events(self) -> None:
        assert self._user_wake is not None
        while True:
            await self._user_wake.wait()
            self._user_wake.clear()
            while self._user_outbox:
                event = self._user_outbox.popleft()
                if self.user_stream_stalled:
                    continue  # a stalled stream loses what happens meanwhile
                self.user_events_sent += 1
                await asyncio.gather(*(
                    self._send_one(ws, lambda ws, text=json.dumps({"subscriptionId": sid, "event": event}):
                                   ws.send_str(text))
                    for ws, sid in list(self._user_sockets.items()) if not ws.closed))

    async def _websocket_api(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        self._user_ws.add(ws)
        awaiting_pong = [False]
        pinger = asyncio.ensure_future(self._ping_user(ws, awaiting_pong))
        try:
            async for message in ws:
                if message.type == WSMsgType.PING:
                    await ws.pong(message.data)
                elif message.type == WSMsgType.PONG:
                    awaiting_pong[0] = False
                    self.user_pongs += 1
                elif message.type == WSMsgType.TEXT:
                    await ws.send_str(json.dumps(self._ws_api_request(ws, json.loads(message.data))))
        finally:
            pinger.cancel()
            self._user_ws.discard(ws)
            self._user_sockets.pop(ws, None)
        return ws

    async def _ping_user(self, ws: web.WebSocketResponse, awaiting_pong: list[bool]) -> None:
        """Ping every ``user_ping_s``; a peer that did not answer the last ping is dropped."""
        while not ws.closed:
            await asyncio.sleep(self.user_ping_s)
            if awaiting_pong[0]:
                self._user_sockets.pop(ws, None)
                await _close_quietly(ws)
                return
            awaiting_pong[0] = True
            try:
                await ws.ping()
            except ConnectionError:
                return

    def _ws_api_request(self, ws: web.WebSocketResponse, body: dict[str, Any]) -> dict[str, Any]:
        """The answer to one websocket-API request (only the user-data stream's are served)."""
        request_id, method = body.get("id"), body.get("method")
        params = body.get("params") or {}
        if method == "userDataStream.subscribe.signature":
            refusal = self._ws_refusal(params)
            if refusal is not None:
                status, code, msg = refusal
                return {"id": request_id, "status": status, "error": {"code": code, "msg": msg}}
            self.user_subscribe_requests += 1
            subscription_id = self._next_subscription_id
            self._next_subscription_id += 1
            self._user_sockets[ws] = subscription_id
            return {"id": request_id, "status": 200, "result": {"subscriptionId": subscription_id}}
        if method == "userDataStream.unsubscribe":
            self._user_sockets.pop(ws, None)
            return {"id": request_id, "status": 200, "result": {}}
        return {"id": request_id, "status": 400, "error": {"code": -1000, "msg": f"Unknown method {method}."}}

    def _ws_refusal(self, params: dict[str, Any]) -> tuple[int, int, str] | None:
        """What a signed websocket-API request is refused with, if anything."""
        if not params.get("apiKey") or not params.get("signature") or self.private_fault == "auth":
            return 401, -2015, "Invalid API-key, IP, or permissions for action."
        now = self.server_ms()
        if now < self._banned_until_ms:
            return 418, -1003, f"Way too much request weight used; IP banned until {self._banned_until_ms}."
        timestamp = int(params.get("timestamp", now))
        if timestamp > now + 1000 or now - timestamp > int(params.get("recvWindow", 5000)):
            return 400, -1021, "Timestamp for this request is outside of the recvWindow."
        return None

    # --- websocket ------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        subscriptions: set[str] = set()
        entry = (ws, subscriptions)
        self._sockets.append(entry)
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                request_body = json.loads(message.data)
                method = request_body.get("method")
                streams = request_body.get("params", [])
                if method == "SUBSCRIBE":
                    self.subscribe_requests += 1
                    subscriptions.update(streams)
                elif method == "UNSUBSCRIBE":
                    subscriptions.difference_update(streams)
                await ws.send_str(json.dumps({"result": None, "id": request_body.get("id")}))
        finally:
            if entry in self._sockets:
                self._sockets.remove(entry)
        return ws

    async def _broadcast(self, stream_prefix: str, message: dict[str, Any]) -> None:
        if self.stalled:
            return
        text = json.dumps(message)
        await self._send_each([ws for ws, subscriptions in self._sockets
                               if any(s.startswith(stream_prefix) for s in subscriptions)],
                              lambda ws: ws.send_str(text))

    async def _send_each(self, sockets: list[web.WebSocketResponse],
                         send: Callable[[web.WebSocketResponse], Awaitable[None]]) -> None:
        """Send to every socket at once, each with its own deadline."""
        await asyncio.gather(*(self._send_one(ws, send) for ws in sockets if not ws.closed))

    async def _send_one(self, ws: web.WebSocketResponse,
                        send: Callable[[web.WebSocketResponse], Awaitable[None]]) -> None:
        try:
            await asyncio.wait_for(send(ws), SEND_TIMEOUT_S)
        except TimeoutError:
            self._drop_slow(ws)
        except ConnectionError:
            pass  # the peer went away; its handler forgets the socket

    def _drop_slow(self, ws: web.WebSocketResponse) -> None:
        """Stop sending to ``ws`` and close it without waiting on it."""
        self._sockets = [entry for entry in self._sockets if entry[0] is not ws]
        task = asyncio.ensure_future(_close_quietly(ws))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


def ccxt_urls(port: int) -> dict[str, Any]:
    """The ``urls`` override that points ccxt's binance class at a loopback on ``port``."""
    base = f"http://127.0.0.1:{port}"
    return {
        "api": {
            "public": f"{base}/api/v3",
            "private": f"{base}/api/v3",
            "v1": f"{base}/api/v1",
            "sapi": f"{base}/sapi/v1",
            "ws": {"spot": f"ws://127.0.0.1:{port}/stream/ws",
                   "ws-api": {"spot": f"ws://127.0.0.1:{port}/ws-api/v3"}},
        }
    }


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _error(status: int, code: int, msg: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status, headers=headers)


async def _close_quietly(ws: web.WebSocketResponse) -> None:
    """Close ``ws`` with "too slow", giving up on a peer that does not even take that."""
    try:
        await asyncio.wait_for(ws.close(code=1008, message=b"too slow"), SEND_TIMEOUT_S)
    except (TimeoutError, ConnectionError):
        pass


def _on_lot(qty: float, lot: float) -> float:
    """``qty`` rounded to a whole number of lots (at least one)."""
    return round(max(round(qty / lot), 1) * lot, 12)


def _on_grid(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-6


async def _garble(exchange: LoopbackExchange, every_s: float) -> None:
    """A truncated depth frame every ``every_s`` seconds, to watch a client heal."""
    while True:
        await asyncio.sleep(every_s)
        await exchange.send_truncated("BTCUSDT")


async def _serve(port: int, tick_ms: int, garble_s: float) -> None:
    exchange = LoopbackExchange()
    await exchange.start(port)
    print(f"loopback exchange on {exchange.base_url} (websocket ws://127.0.0.1:{exchange.port}/stream/ws)")
    garbling = asyncio.create_task(_garble(exchange, garble_s)) if garble_s > 0 else None
    try:
        if tick_ms > 0:
            await exchange.run_ticker(tick_ms / 1000)
        else:
            await asyncio.Event().wait()
    finally:
        if garbling is not None:
            garbling.cancel()
        await exchange.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tick-ms", type=int, default=200, help="book/trade update period; 0 = idle")
    parser.add_argument("--garble-s", type=float, default=0.0,
                        help="send a truncated BTCUSDT depth frame every this many seconds; 0 = never")
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.tick_ms, args.garble_s))
