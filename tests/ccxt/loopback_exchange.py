"""A loopback imitation of the parts of Binance spot that hft-tui's ccxt code uses.

Serves, on 127.0.0.1, the REST endpoints ccxt's ``binance`` class calls (exchange info,
depth, trades, orders, open orders, my trades, account) and a websocket under ``/stream``
(ccxt tells spot from futures by that path) that answers ``SUBSCRIBE`` requests and
pushes ``depthUpdate`` diffs whose ``U``/``u`` update ids follow the REST snapshot's
``lastUpdateId``, and ``trade`` events.

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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

INSUFFICIENT_BALANCE_MSG = "Account has insufficient balance for requested action."


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
            "updateTime": self.time_ms,
            "transactTime": self.time_ms,
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
        self.balances: dict[str, float] = {"USDT": 10_000.0, "BTC": 1.0, "ETH": 10.0}
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
        return {
            "api": {
                "public": f"{self.base_url}/api/v3",
                "private": f"{self.base_url}/api/v3",
                "v1": f"{self.base_url}/api/v1",
                "sapi": f"{self.base_url}/sapi/v1",
                "ws": {"spot": f"ws://127.0.0.1:{self.port}/stream/ws"},
            }
        }

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
        self.loop = asyncio.get_running_loop()
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._stopping.set()
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
        for ws, _ in list(self._sockets):
            if not ws.closed:
                await ws.send_str(text)

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
        for ws, _ in list(self._sockets):
            if not ws.closed:
                await ws.send_bytes(data)

    async def drop_sockets(self) -> None:
        """Close every websocket from the server side, as a dropped connection would."""
        sockets, self._sockets = self._sockets, []
        for ws, _ in sockets:
            await ws.close(code=1006, message=b"loopback drop")

    def subscriber_count(self, stream_prefix: str) -> int:
        return sum(1 for _, subs in self._sockets if any(s.startswith(stream_prefix) for s in subs))

    def fill_order(self, order_id: int, qty: float, price: float, maker: bool = True) -> None:
        """Execute ``qty`` of a resting order at ``price`` and record the account trade."""
        order = self.orders[order_id]
        order.executed_qty += qty
        order.quote_qty += qty * price
        order.status = "FILLED" if order.executed_qty >= order.qty - 1e-12 else "PARTIALLY_FILLED"
        market = self.markets[order.market_id]
        self.my_trades.append({
            "symbol": order.market_id,
            "id": self._next_trade_id,
            "orderId": order.order_id,
            "orderListId": -1,
            "price": f"{price:.8f}",
            "qty": f"{qty:.8f}",
            "quoteQty": f"{qty * price:.8f}",
            "commission": f"{qty * price * 0.001:.8f}",
            "commissionAsset": market.quote,
            "time": _now_ms(),
            "isBuyer": order.side == "BUY",
            "isMaker": maker,
            "isBestMatch": True,
        })
        self._next_trade_id += 1

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
                size = round(rng.uniform(0.1, 3.0), 4)
                if rng.random() < 0.5:
                    await self.push_depth(market_id, bids=[(best_bid, size)])
                else:
                    await self.push_depth(market_id, asks=[(best_ask, size)])
                buy = rng.random() < 0.5
                await self.push_trade(market_id, best_ask if buy else best_bid,
                                      round(rng.uniform(0.001, 0.5), 5), buyer_is_maker=not buy)

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

    async def _ping(self, request: web.Request) -> web.Response:
        await self._before(request)
        return web.json_response({})

    async def _time(self, request: web.Request) -> web.Response:
        await self._before(request)
        return web.json_response({"serverTime": _now_ms()})

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
        if "X-MBX-APIKEY" not in request.headers:
            return _error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        self.create_requests.append(params)
        fault = self.fail_next_create.pop(0) if self.fail_next_create else ""
        if fault == "unavailable":
            return web.Response(status=503, text="Service Unavailable")
        if fault == "rate_limit":
            return _error(429, -1003, "Too many requests; current limit is 6000 request weight per 1 MINUTE.")
        client_id = params.get("newClientOrderId", "")
        if client_id and any(o.client_id == client_id for o in self.orders.values()):
            return _error(400, -2010, "Duplicate order sent.")
        market_id = params["symbol"]
        side, order_type = params["side"], params["type"]
        qty = float(params["quantity"])
        price = float(params.get("price", "0") or 0)
        bids, asks = self.books[market_id].levels()
        reference = price if order_type == "LIMIT" else (asks[0][0] if side == "BUY" else bids[0][0])
        market = self.markets[market_id]
        if side == "BUY" and qty * reference > self.balances.get(market.quote, 0.0):
            return _error(400, -2010, INSUFFICIENT_BALANCE_MSG)
        if side == "SELL" and qty > self.balances.get(market.base, 0.0):
            return _error(400, -2010, INSUFFICIENT_BALANCE_MSG)
        order = LoopbackOrder(self._next_order_id, client_id or f"lb-{self._next_order_id}",
                              market_id, side, order_type, price, qty, _now_ms())
        self._next_order_id += 1
        self.orders[order.order_id] = order
        crosses = (order_type == "MARKET"
                   or (side == "BUY" and asks and price >= asks[0][0])
                   or (side == "SELL" and bids and price <= bids[0][0]))
        if crosses:
            self.fill_order(order.order_id, qty, asks[0][0] if side == "BUY" else bids[0][0], maker=False)
        if fault == "timeout":
            # The order is live on the exchange but the caller never hears back.
            await self._stopping.wait()
        return web.json_response({**order.as_binance(), "fills": []})

    def _find_order(self, params: dict[str, str]) -> LoopbackOrder | None:
        if "orderId" in params:
            return self.orders.get(int(params["orderId"]))
        client_id = params.get("origClientOrderId", "")
        return next((o for o in self.orders.values() if o.client_id == client_id), None)

    async def _get_order(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        order = self._find_order(params)
        if order is None:
            return _error(400, -2013, "Order does not exist.")
        return web.json_response(order.as_binance())

    async def _cancel_order(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._before(request)
        order = self._find_order(params)
        if order is None or order.status not in ("NEW", "PARTIALLY_FILLED"):
            return _error(400, -2011, "Unknown order sent.")
        order.status = "CANCELED"
        return web.json_response(order.as_binance())

    async def _open_orders(self, request: web.Request) -> web.Response:
        await self._before(request)
        market_id = request.query.get("symbol")
        return web.json_response([
            o.as_binance() for o in self.orders.values()
            if o.status in ("NEW", "PARTIALLY_FILLED") and (market_id is None or o.market_id == market_id)
        ])

    async def _cancel_open_orders(self, request: web.Request) -> web.Response:
        await self._before(request)
        market_id = request.query.get("symbol")
        cancelled = []
        for order in self.orders.values():
            if order.status in ("NEW", "PARTIALLY_FILLED") and order.market_id == market_id:
                order.status = "CANCELED"
                cancelled.append(order.as_binance())
        return web.json_response(cancelled)

    async def _my_trades_handler(self, request: web.Request) -> web.Response:
        await self._before(request)
        market_id = request.query.get("symbol")
        return web.json_response([t for t in self.my_trades if t["symbol"] == market_id])

    async def _account(self, request: web.Request) -> web.Response:
        await self._before(request)
        return web.json_response({
            "makerCommission": 10,
            "takerCommission": 10,
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "updateTime": _now_ms(),
            "accountType": "SPOT",
            "balances": [
                {"asset": asset, "free": f"{free:.8f}", "locked": "0.00000000"}
                for asset, free in self.balances.items()
            ],
            "permissions": ["SPOT"],
        })

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
        for ws, subscriptions in list(self._sockets):
            if ws.closed:
                continue
            if any(s.startswith(stream_prefix) for s in subscriptions):
                await ws.send_str(text)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _error(status: int, code: int, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


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
