"""A loopback imitation of the parts of OKX (API v5) that hft-tui's ccxt code uses.

ccxt's ``okx`` class talks to it for real through ``ccxt_urls()`` (REST only: the engine
polls books and orders when ``has`` turns the websocket methods off). Served under
``/api/v5``: instruments (SPOT, and SWAP with ``ctVal``/``lotSz``/``tickSz``), server time,
books, tickers, trades, the trading account's balances, swap positions (one-way ``net``
mode), orders (``batch-orders``/``order``, ``cancel-order``, ``order``, ``orders-pending``),
fills (``fills-history``: newest first, at most 100 an answer whatever ``begin`` asks,
filtered by ``ordId``, paged by ``billId`` with ``after`` (older) and ``before`` (newer))
and the dead-man's switch (``cancel-all-after``).

Strict like the real one: every private request is signed (``OK-ACCESS-SIGN`` checked
against the secret, the passphrase checked, a timestamp more than 30 s off the server's
clock answers 50102); sizes on the lot grid (51121) and at least ``minSz`` (51020), prices on
the tick grid; a client order id is alphanumeric, at most 32 characters, and accepted once
(51016); a spot order needs the free balance (51008) and locks it while it rests (a buy's
fee is taken in the base asset it receives); a swap order is in contracts of ``ctVal`` base,
its fee and realised PnL move the USDT balance, and a reduce-only order must shrink the
position (51169); ``cancel-all-after`` takes ``timeOut`` 0 or 10..120 s.

Its clock is its own: it runs with the wall clock and ``advance(seconds)`` moves it on, so
a dead-man countdown can run out in a test without sleeping (the switch fires on the next
request or ``advance``). Faults: ``rate_limit_storm`` (HTTP 429, code 50011),
``clock_skew_ms``, ``dead_man_unavailable`` (cancel-all-after answers 50001),
``place_foreign_order``, ``step_resting`` (fills over several steps).
Run it standalone to point the app at it with ``config/examples/okx-loopback.toml``::

    python tests/ccxt/okx_loopback.py --port 8766
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web

from loopback_exchange import STOP_GRACE_S, LoopbackBook, _on_grid, _on_lot

API_KEY = "loopback-key"
SECRET = "loopback-secret"
PASSPHRASE = "loopback-pass"
TAKER_FEE = 0.001
MAKER_FEE = 0.0008
FILLS_LIMIT = 100
# Bill ids (the fills' paging cursor) count apart from trade ids, as on OKX: a pager that
# confuses the two asks for the wrong page.
FIRST_BILL_ID = 700_000_000
TIMESTAMP_WINDOW_MS = 30_000
DEAD_MAN_RANGE_S = (10, 120)
_CLIENT_ID = re.compile(r"[A-Za-z0-9]{1,32}")


@dataclass(frozen=True)
class OkxInstrument:
    """One instrument as ``public/instruments`` describes it; ``ct_val`` is empty on spot."""

    inst_id: str
    inst_type: str
    base: str
    quote: str
    tick_sz: str
    lot_sz: str
    min_sz: str
    ct_val: str = ""

    @property
    def swap(self) -> bool:
        return self.inst_type == "SWAP"

    @property
    def contract(self) -> float:
        """Base units per unit of ``sz`` (1 on spot)."""
        return float(self.ct_val) if self.ct_val else 1.0

    def as_okx(self) -> dict[str, Any]:
        return {
            "instType": self.inst_type, "instId": self.inst_id, "uly": f"{self.base}-{self.quote}" if self.swap else "",
            "instFamily": f"{self.base}-{self.quote}" if self.swap else "",
            "baseCcy": "" if self.swap else self.base, "quoteCcy": "" if self.swap else self.quote,
            "settleCcy": self.quote if self.swap else "", "ctVal": self.ct_val, "ctMult": "1" if self.swap else "",
            "ctValCcy": self.base if self.swap else "", "ctType": "linear" if self.swap else "",
            "tickSz": self.tick_sz, "lotSz": self.lot_sz, "minSz": self.min_sz, "lever": "50" if self.swap else "",
            "maxLmtSz": "10000000", "maxMktSz": "1000000", "state": "live", "listTime": "1606468572000",
            "expTime": "", "optType": "", "stk": "", "alias": "",
        }


@dataclass
class OkxOrder:
    """An order in the loopback's table; ``sz`` and fills in the instrument's units."""

    ord_id: str
    cl_ord_id: str
    inst: OkxInstrument
    side: str
    ord_type: str
    px: float
    sz: float
    c_time: int
    reduce_only: bool = False
    state: str = "live"
    acc_fill_sz: float = 0.0
    fill_notional: float = 0.0
    fee: float = 0.0
    u_time: int = 0
    locked: float = 0.0  # what a resting spot order holds (quote for a buy, base for a sell)

    @property
    def is_open(self) -> bool:
        return self.state in ("live", "partially_filled")

    @property
    def remaining(self) -> float:
        return max(self.sz - self.acc_fill_sz, 0.0)

    def as_okx(self) -> dict[str, Any]:
        avg = self.fill_notional / self.acc_fill_sz if self.acc_fill_sz else 0.0
        fee_ccy = self.inst.quote if self.inst.swap or self.side == "sell" else self.inst.base
        return {
            "instType": self.inst.inst_type, "instId": self.inst.inst_id, "ordId": self.ord_id,
            "clOrdId": self.cl_ord_id, "tag": "", "px": _num(self.px) if self.ord_type == "limit" else "",
            "sz": _num(self.sz), "ordType": self.ord_type, "side": self.side, "posSide": "net",
            "tdMode": "cross" if self.inst.swap else "cash", "accFillSz": _num(self.acc_fill_sz),
            "avgPx": _num(avg) if self.acc_fill_sz else "", "state": self.state, "lever": "",
            "fee": _num(-self.fee), "feeCcy": fee_ccy, "reduceOnly": "true" if self.reduce_only else "false",
            "tgtCcy": "" if self.inst.swap else "base_ccy", "cTime": str(self.c_time),
            "uTime": str(self.u_time or self.c_time), "fillTime": str(self.u_time) if self.acc_fill_sz else "",
        }


@dataclass
class OkxPosition:
    """A one-way (``net``) swap position: signed contracts and their average price."""

    contracts: float = 0.0
    avg_px: float = 0.0
    u_time: int = 0


DEFAULT_INSTRUMENTS = (
    OkxInstrument("BTC-USDT", "SPOT", "BTC", "USDT", "0.1", "0.00000001", "0.00001"),
    OkxInstrument("ETH-USDT", "SPOT", "ETH", "USDT", "0.01", "0.000001", "0.001"),
    OkxInstrument("BTC-USDT-SWAP", "SWAP", "BTC", "USDT", "0.1", "0.01", "0.01", "0.01"),
    OkxInstrument("ETH-USDT-SWAP", "SWAP", "ETH", "USDT", "0.01", "0.01", "0.01", "0.1"),
)
MIDS = {"BTC": 50_000.0, "ETH": 3_000.0}


class OkxLoopback:
    """The server: account, matching, its own clock, scripted faults (see the module docstring)."""

    def __init__(self, instruments: Iterable[OkxInstrument] = DEFAULT_INSTRUMENTS) -> None:
        self.instruments = {i.inst_id: i for i in instruments}
        self.books = {inst_id: LoopbackBook() for inst_id in self.instruments}
        self.orders: dict[str, OkxOrder] = {}
        self.fills: list[dict[str, Any]] = []
        self.free: dict[str, float] = {"USDT": 10_000.0, "BTC": 1.0, "ETH": 10.0}
        self.frozen: dict[str, float] = {}
        self.positions: dict[str, OkxPosition] = {}
        self.clock_skew_ms = 0
        self.refusals: dict[str, int] = {}
        self.request_log: list[tuple[str, str]] = []
        self.dead_man_requests: list[int] = []  # each timeOut asked for, in seconds
        self.dead_man_trigger_ms = 0  # 0: not armed
        self.dead_man_fired = 0
        self.dead_man_unavailable = False  # cancel-all-after answers 50001 (service unavailable)
        self.public_trades: dict[str, list[dict[str, Any]]] = {inst_id: [] for inst_id in self.instruments}
        self.position_sockets: set[web.WebSocketResponse] = set()  # subscribed to the positions channel
        self.position_pushes = 0
        self._pushes: asyncio.Queue[str] = asyncio.Queue()
        self._pusher: asyncio.Task[None] | None = None
        self._advanced_ms = 0
        self._storm = 0.0
        self._storm_rng = random.Random(11)
        self._next_id = 1
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.seed_books()

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ccxt_urls(self) -> dict[str, Any]:
        """The ``urls`` override that points ccxt's okx class at this server."""
        return {"api": {"rest": self.base_url, "ws": f"ws://127.0.0.1:{self.port}/ws/v5"}}

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        get, post = app.router.add_get, app.router.add_post
        get("/api/v5/public/time", self._time)
        get("/api/v5/public/instruments", self._instruments)
        get("/api/v5/market/books", self._books)
        get("/api/v5/market/ticker", self._ticker)
        get("/api/v5/market/trades", self._trades)
        get("/api/v5/account/balance", self._balance)
        get("/api/v5/account/positions", self._positions)
        post("/api/v5/trade/order", self._create_order)
        post("/api/v5/trade/batch-orders", self._create_order)
        post("/api/v5/trade/cancel-order", self._cancel_order)
        get("/api/v5/trade/order", self._get_order)
        get("/api/v5/trade/orders-pending", self._orders_pending)
        get("/api/v5/trade/fills-history", self._fills_history)
        post("/api/v5/trade/cancel-all-after", self._cancel_all_after)
        get("/ws/v5/private", self._private_ws)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=STOP_GRACE_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._pusher = asyncio.ensure_future(self._push_positions())

    async def stop(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None
        for ws in list(self.position_sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- the exchange's clock and its dead-man's switch -------------------------------------

    def now_ms(self) -> int:
        """The exchange's clock: the wall clock, moved on by ``advance``, off by ``clock_skew_ms``."""
        return time.time_ns() // 1_000_000 + self._advanced_ms + self.clock_skew_ms

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass on the exchange's clock at once; timers that run out fire."""
        self._advanced_ms += int(seconds * 1000)
        self.check_timers()

    def check_timers(self) -> None:
        """Fire the dead-man's switch if its countdown ran out: every pending order is cancelled."""
        if self.dead_man_trigger_ms and self.now_ms() >= self.dead_man_trigger_ms:
            self.dead_man_trigger_ms = 0
            self.dead_man_fired += 1
            for order in self.orders.values():
                if order.is_open:
                    self._cancel(order, "canceled")

    def rate_limit_storm(self, probability: float, seed: int = 11) -> None:
        """From now on a private request is refused with 429/50011 with ``probability``; 0 ends it."""
        self._storm = probability
        self._storm_rng = random.Random(seed)

    # --- market state -------------------------------------------------------------------

    def seed_books(self) -> None:
        """Five levels a side around each base's mid; swap sizes in contracts."""
        for inst_id, inst in self.instruments.items():
            mid, unit = MIDS.get(inst.base, 100.0), 1.0 / inst.contract
            book = self.books[inst_id]
            book.bids = {round(mid - 0.5 - i, 8): _on_lot((1.0 + i) * unit, float(inst.lot_sz)) for i in range(5)}
            book.asks = {round(mid + 0.5 + i, 8): _on_lot((1.5 + i) * unit, float(inst.lot_sz)) for i in range(5)}

    async def run_ticker(self, interval_s: float, seed: int = 7) -> None:
        """Random-walk every book's best sizes and fire timers forever (standalone demo mode)."""
        rng = random.Random(seed)
        while True:
            await asyncio.sleep(interval_s)
            self.check_timers()
            for inst_id, inst in self.instruments.items():
                bids, asks = self.books[inst_id].levels()
                side, levels = (self.books[inst_id].bids, bids) if rng.random() < 0.5 else (self.books[inst_id].asks, asks)
                side[levels[0][0]] = _on_lot(rng.uniform(0.1, 3.0) / inst.contract, float(inst.lot_sz))

    # --- the account: matching, balances, positions ------------------------------------------

    def total(self, ccy: str) -> float:
        return self.free.get(ccy, 0.0) + self.frozen.get(ccy, 0.0)

    def position(self, inst_id: str) -> float:
        """The signed swap position in contracts."""
        return self.positions.get(inst_id, OkxPosition()).contracts

    def place_foreign_order(self, inst_id: str, side: str, sz: float, px: float) -> OkxOrder:
        """A resting limit order placed on the account by someone else (the web UI, a bot)."""
        order = self._new_order(f"web{self._next_id}", self.instruments[inst_id], side, "limit", px, sz, False)
        self._rest(order)
        return order

    def fill_order(self, ord_id: str, sz: float, px: float, maker: bool = True) -> None:
        """Execute ``sz`` of an open order at ``px``: balances and positions move, a fill is recorded."""
        order = self.orders[ord_id]
        inst = order.inst
        sz = min(sz, order.remaining)
        base_qty = sz * inst.contract
        notional = base_qty * px
        rate = MAKER_FEE if maker else TAKER_FEE
        if inst.swap:
            fee, fee_ccy = notional * rate, inst.quote
            self.free[inst.quote] = self.free.get(inst.quote, 0.0) - fee + self._apply_position(inst, order.side, sz, px)
        elif order.side == "buy":
            fee, fee_ccy = base_qty * rate, inst.base
            release = min(order.locked, sz * order.px) if order.ord_type == "limit" else 0.0
            order.locked -= release
            self.frozen[inst.quote] = self.frozen.get(inst.quote, 0.0) - release
            self.free[inst.quote] += release - notional
            self.free[inst.base] = self.free.get(inst.base, 0.0) + base_qty - fee
        else:
            fee, fee_ccy = notional * rate, inst.quote
            if order.ord_type == "limit":
                order.locked -= sz
                self.frozen[inst.base] -= sz
            else:
                self.free[inst.base] -= sz
            self.free[inst.quote] = self.free.get(inst.quote, 0.0) + notional - fee
        order.acc_fill_sz += sz
        order.fill_notional += sz * px
        order.fee += fee
        order.u_time = self.now_ms()
        order.state = "filled" if order.acc_fill_sz >= order.sz - 1e-12 else "partially_filled"
        trade_id = str(self._next_id)
        self._next_id += 1
        self.fills.append({
            "instType": inst.inst_type, "instId": inst.inst_id, "tradeId": trade_id, "ordId": order.ord_id,
            "clOrdId": order.cl_ord_id, "billId": str(FIRST_BILL_ID + len(self.fills)), "tag": "",
            "fillPx": _num(px), "fillSz": _num(sz),
            "side": order.side, "posSide": "net", "execType": "M" if maker else "T", "feeCcy": fee_ccy,
            "fee": _num(-fee), "ts": str(order.u_time), "fillTime": str(order.u_time),
        })

    def _apply_position(self, inst: OkxInstrument, side: str, sz: float, px: float) -> float:
        """Move the net position by a fill; returns the realised PnL in the settle currency."""
        position = self.positions.setdefault(inst.inst_id, OkxPosition())
        signed = sz if side == "buy" else -sz
        realised = 0.0
        if position.contracts and (position.contracts > 0) != (signed > 0):
            closed = min(abs(signed), abs(position.contracts))
            direction = 1.0 if position.contracts > 0 else -1.0
            realised = closed * inst.contract * (px - position.avg_px) * direction
        new = position.contracts + signed
        if abs(new) < 1e-12:
            position.avg_px, new = 0.0, 0.0
        elif position.contracts == 0 or (position.contracts > 0) != (new > 0):
            position.avg_px = px  # opened, or flipped through zero
        elif (position.contracts > 0) == (signed > 0):
            position.avg_px = (position.avg_px * abs(position.contracts) + px * sz) / abs(new)
        position.contracts = round(new, 10)
        position.u_time = self.now_ms()
        self._pushes.put_nowait(json.dumps({"arg": {"channel": "positions", "instType": "ANY", "uid": "1"},
                                            "data": [self._position_data(inst.inst_id, position)]}))
        return realised

    def step_resting(self, fraction: float = 0.5) -> int:
        """Fill every open limit order by ``fraction`` of what remains (at least one lot) at its
        price; returns how many traded. Called repeatedly, an order fills over several steps."""
        traded = 0
        for order in list(self.orders.values()):
            if not order.is_open or order.ord_type != "limit":
                continue
            lot = float(order.inst.lot_sz)
            lots = max(int(order.remaining * fraction / lot + 1e-9), 1)
            self.fill_order(order.ord_id, min(lots * lot, order.remaining), order.px)
            traded += 1
        return traded

    def _new_order(self, cl_ord_id: str, inst: OkxInstrument, side: str, ord_type: str, px: float, sz: float,
                   reduce_only: bool) -> OkxOrder:
        order = OkxOrder(str(600_000_000_000_000_000 + self._next_id), cl_ord_id, inst, side, ord_type, px, sz,
                         self.now_ms(), reduce_only)
        self._next_id += 1
        self.orders[order.ord_id] = order
        return order

    def _rest(self, order: OkxOrder) -> None:
        if order.inst.swap:
            return  # margin is not modelled
        ccy, amount = (order.inst.quote, order.remaining * order.px) if order.side == "buy" \
            else (order.inst.base, order.remaining)
        order.locked = amount
        self.free[ccy] -= amount
        self.frozen[ccy] = self.frozen.get(ccy, 0.0) + amount

    def _cancel(self, order: OkxOrder, state: str) -> None:
        if order.locked:
            ccy = order.inst.quote if order.side == "buy" else order.inst.base
            self.frozen[ccy] -= order.locked
            self.free[ccy] += order.locked
            order.locked = 0.0
        order.state = state
        order.u_time = self.now_ms()

    def _match(self, order: OkxOrder) -> None:
        bids, asks = self.books[order.inst.inst_id].levels()
        for px, size in asks if order.side == "buy" else bids:
            if order.remaining <= 1e-12:
                break
            if order.ord_type == "limit" and (px > order.px if order.side == "buy" else px < order.px):
                break
            self.fill_order(order.ord_id, min(order.remaining, size), px, maker=False)

    def _order_failure(self, inst: OkxInstrument, side: str, ord_type: str, sz: float, px: float,
                       reduce_only: bool) -> tuple[str, str] | None:
        """The ``(sCode, sMsg)`` a new order fails with, if any."""
        if not _on_grid(sz, float(inst.lot_sz)):
            return "51121", f"Order quantity must be a multiple of the lot size ({inst.lot_sz})."
        if sz < float(inst.min_sz) - 1e-12:
            return "51020", "Your order should meet or exceed the minimum order amount."
        if ord_type == "limit" and not _on_grid(px, float(inst.tick_sz)):
            return "51000", "Parameter px error"
        bids, asks = self.books[inst.inst_id].levels()
        if inst.swap:
            position = self.position(inst.inst_id)
            closing = position < 0 if side == "buy" else position > 0
            if reduce_only and (not closing or sz > abs(position) + 1e-12):
                return "51169", "Order failed because you don't have any positions in this direction that can be closed."
            return None
        worst = max(p for p, _ in asks) if ord_type == "market" else px
        if side == "buy" and sz * worst > self.free.get(inst.quote, 0.0) + 1e-9:
            return "51008", f"Order failed. Insufficient {inst.quote} balance in account."
        if side == "sell" and sz > self.free.get(inst.base, 0.0) + 1e-12:
            return "51008", f"Order failed. Insufficient {inst.base} balance in account."
        return None

    # --- requests -----------------------------------------------------------------------

    async def _public(self, request: web.Request) -> None:
        self.request_log.append((request.method, request.path))
        self.check_timers()

    async def _private(self, request: web.Request) -> tuple[Any, web.Response | None]:
        """The request's parameters (query or JSON body), or the refusal a real OKX would send."""
        await self._public(request)
        body = await request.text()
        params: Any = json.loads(body) if body else dict(request.query)
        headers = request.headers
        if headers.get("OK-ACCESS-KEY") != API_KEY:
            return params, _failure(401, "50111", "Invalid OK-ACCESS-KEY.")
        if headers.get("OK-ACCESS-PASSPHRASE") != PASSPHRASE:
            return params, _failure(401, "50105", "Invalid OK-ACCESS-PASSPHRASE.")
        stamp = headers.get("OK-ACCESS-TIMESTAMP", "")
        path = request.raw_path
        expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}{request.method}{path}{body}".encode(),
                                             hashlib.sha256).digest()).decode()
        if headers.get("OK-ACCESS-SIGN") != expected:
            return params, _failure(401, "50113", "Invalid Sign.")
        if self._storm and self._storm_rng.random() < self._storm:
            self.refusals["429"] = self.refusals.get("429", 0) + 1
            return params, _failure(429, "50011", "Too Many Requests")
        sent_ms = int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)
        if abs(sent_ms - self.now_ms()) > TIMESTAMP_WINDOW_MS:
            self.refusals["50102"] = self.refusals.get("50102", 0) + 1
            return params, _failure(401, "50102", "Timestamp request expired.")
        return params, None

    async def _time(self, request: web.Request) -> web.Response:
        await self._public(request)
        return _ok([{"ts": str(self.now_ms())}])

    async def _instruments(self, request: web.Request) -> web.Response:
        await self._public(request)
        inst_type = request.query.get("instType", "")
        return _ok([i.as_okx() for i in self.instruments.values() if i.inst_type == inst_type])

    async def _books(self, request: web.Request) -> web.Response:
        await self._public(request)
        inst_id = request.query.get("instId", "")
        if inst_id not in self.books:
            return _failure(400, "51001", "Instrument ID does not exist.")
        depth = int(request.query.get("sz", "400"))
        bids, asks = self.books[inst_id].levels()
        return _ok([{"asks": [[_num(p), _num(q), "0", "1"] for p, q in asks[:depth]],
                     "bids": [[_num(p), _num(q), "0", "1"] for p, q in bids[:depth]],
                     "ts": str(time.time_ns() // 1_000_000)}])

    async def _ticker(self, request: web.Request) -> web.Response:
        await self._public(request)
        inst_id = request.query.get("instId", "")
        if inst_id not in self.books:
            return _failure(400, "51001", "Instrument ID does not exist.")
        bids, asks = self.books[inst_id].levels()
        bid, ask = bids[0][0], asks[0][0]
        return _ok([{"instType": self.instruments[inst_id].inst_type, "instId": inst_id,
                     "last": _num((bid + ask) / 2), "lastSz": "1", "askPx": _num(ask), "askSz": _num(asks[0][1]),
                     "bidPx": _num(bid), "bidSz": _num(bids[0][1]), "open24h": _num(bid), "high24h": _num(ask),
                     "low24h": _num(bid), "volCcy24h": "0", "vol24h": "0", "sodUtc0": _num(bid),
                     "sodUtc8": _num(bid), "ts": str(time.time_ns() // 1_000_000)}])

    async def _trades(self, request: web.Request) -> web.Response:
        await self._public(request)
        inst_id = request.query.get("instId", "")
        limit = int(request.query.get("limit", "100"))
        return _ok(self.public_trades.get(inst_id, [])[-limit:][::-1])

    async def _balance(self, request: web.Request) -> web.Response:
        _, refused = await self._private(request)
        if refused is not None:
            return refused
        details = [{"ccy": ccy, "eq": _num(self.total(ccy)), "cashBal": _num(self.total(ccy)),
                    "availBal": _num(self.free.get(ccy, 0.0)), "frozenBal": _num(self.frozen.get(ccy, 0.0)),
                    "uTime": str(self.now_ms())}
                   for ccy in sorted(set(self.free) | set(self.frozen))]
        return _ok([{"uTime": str(self.now_ms()), "totalEq": "", "details": details}])

    async def _positions(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        wanted = set(params["instId"].split(",")) if params.get("instId") else None
        return _ok([self._position_data(inst_id, position) for inst_id, position in self.positions.items()
                    if position.contracts and (wanted is None or inst_id in wanted)])

    def _position_data(self, inst_id: str, position: OkxPosition) -> dict[str, Any]:
        """One position as ``account/positions`` and the ``positions`` channel describe it."""
        inst = self.instruments[inst_id]
        bids, asks = self.books[inst_id].levels()
        mark = (bids[0][0] + asks[0][0]) / 2
        return {
            "instType": "SWAP", "instId": inst_id, "mgnMode": "cross", "posSide": "net",
            "pos": _num(position.contracts), "posCcy": "", "ccy": inst.quote, "avgPx": _num(position.avg_px),
            "markPx": _num(mark), "upl": _num(position.contracts * inst.contract * (mark - position.avg_px)),
            "lever": "10", "notionalUsd": _num(abs(position.contracts) * inst.contract * mark),
            "liqPx": "", "imr": "", "mmr": "", "margin": "", "cTime": str(position.u_time),
            "uTime": str(position.u_time), "posId": inst_id,
        }

    async def _create_order(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        results = [self._create_one(p) for p in (params if isinstance(params, list) else [params])]
        failed = [r for r in results if r["sCode"] != "0"]
        if not failed:
            return _ok(results)
        code = "1" if len(failed) == len(results) else "2"
        return web.json_response({"code": code, "msg": "All operations failed" if code == "1" else "",
                                  "data": results})

    def _create_one(self, params: dict[str, Any]) -> dict[str, Any]:
        cl_ord_id = str(params.get("clOrdId", ""))

        def failed(code: str, msg: str) -> dict[str, Any]:
            return {"ordId": "", "clOrdId": cl_ord_id, "tag": "", "sCode": code, "sMsg": msg,
                    "ts": str(self.now_ms())}

        inst = self.instruments.get(str(params.get("instId")))
        if inst is None:
            return failed("51001", "Instrument ID does not exist.")
        if cl_ord_id and not _CLIENT_ID.fullmatch(cl_ord_id):
            return failed("51000", "Parameter clOrdId error")
        if cl_ord_id and any(o.cl_ord_id == cl_ord_id for o in self.orders.values()):
            return failed("51016", "Duplicated client order ID")
        expected_mode = "cross" if inst.swap else "cash"
        if params.get("tdMode") != expected_mode:
            return failed("51000", "Parameter tdMode error")
        side, ord_type = params.get("side"), params.get("ordType")
        if side not in ("buy", "sell") or ord_type not in ("market", "limit"):
            return failed("51000", "Parameter ordType error")
        sz = float(params["sz"])
        px = float(params.get("px") or 0.0)
        reduce_only = params.get("reduceOnly") in (True, "true")
        if reduce_only and not inst.swap:
            return failed("51000", "Parameter reduceOnly error")
        failure = self._order_failure(inst, side, ord_type, sz, px, reduce_only)
        if failure is not None:
            return failed(*failure)
        order = self._new_order(cl_ord_id or f"lb{self._next_id}", inst, side, ord_type, px, sz, reduce_only)
        if ord_type == "limit":
            self._rest(order)
        self._match(order)
        if ord_type == "market" and order.is_open:
            self._cancel(order, "canceled")  # the book ran out: the rest of a market order is cancelled
        return {"ordId": order.ord_id, "clOrdId": order.cl_ord_id, "tag": "", "sCode": "0",
                "sMsg": "Order placed", "ts": str(self.now_ms())}

    def _find(self, params: dict[str, Any]) -> OkxOrder | None:
        if params.get("ordId"):
            order = self.orders.get(str(params["ordId"]))
        else:
            order = next((o for o in self.orders.values() if o.cl_ord_id == params.get("clOrdId")), None)
        return order if order is not None and order.inst.inst_id == params.get("instId") else None

    async def _cancel_order(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        order = self._find(params)
        if order is None or not order.is_open:
            code, msg = ("51400", "Order cancellation failed as the order has been filled, canceled or does "
                                  "not exist.")
            return web.json_response({"code": "1", "msg": "", "data": [
                {"ordId": str(params.get("ordId", "")), "clOrdId": str(params.get("clOrdId", "")),
                 "sCode": code, "sMsg": msg}]})
        self._cancel(order, "canceled")
        return _ok([{"ordId": order.ord_id, "clOrdId": order.cl_ord_id, "sCode": "0", "sMsg": "",
                     "ts": str(self.now_ms())}])

    async def _get_order(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        order = self._find(params)
        if order is None:
            return _failure(200, "51603", "Order does not exist")
        return _ok([order.as_okx()])

    async def _orders_pending(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        return _ok([o.as_okx() for o in reversed(self.orders.values())
                    if o.is_open and _matches(o.inst, params)][:FILLS_LIMIT])

    async def _fills_history(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        if "instType" not in params:
            return _failure(400, "50014", "Parameter instType can not be empty.")
        fills = [f for f in reversed(self.fills) if _matches(self.instruments[f["instId"]], params)]
        if params.get("ordId"):
            fills = [f for f in fills if f["ordId"] == params["ordId"]]
        if params.get("begin"):
            fills = [f for f in fills if int(f["ts"]) >= int(params["begin"])]
        if params.get("end"):
            fills = [f for f in fills if int(f["ts"]) <= int(params["end"])]
        if params.get("after"):
            fills = [f for f in fills if int(f["billId"]) < int(params["after"])]
        if params.get("before"):
            fills = [f for f in fills if int(f["billId"]) > int(params["before"])]
        limit = min(int(params.get("limit", FILLS_LIMIT)), FILLS_LIMIT)
        # Newest first: ``before`` (newer than a bill) keeps the ones just after it, as OKX does.
        return _ok(fills[-limit:] if params.get("before") else fills[:limit])

    async def _cancel_all_after(self, request: web.Request) -> web.Response:
        params, refused = await self._private(request)
        if refused is not None:
            return refused
        if self.dead_man_unavailable:
            return _failure(503, "50001", "Service temporarily unavailable. Try again later.")
        try:
            timeout_s = int(params.get("timeOut"))
        except (TypeError, ValueError):
            timeout_s = -1
        low, high = DEAD_MAN_RANGE_S
        if timeout_s != 0 and not low <= timeout_s <= high:
            return _failure(400, "51000", "Parameter timeOut error")
        self.dead_man_requests.append(timeout_s)
        now = self.now_ms()
        self.dead_man_trigger_ms = now + timeout_s * 1000 if timeout_s else 0
        return _ok([{"triggerTime": str(self.dead_man_trigger_ms), "tag": "", "ts": str(now)}])

    # --- the private websocket: login and the positions channel --------------------------------

    async def _private_ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        logged_in = False
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                if message.data == "ping":
                    await ws.send_str("pong")
                    continue
                body = json.loads(message.data)
                if body.get("op") == "login":
                    logged_in = self._login_ok((body.get("args") or [{}])[0])
                    await ws.send_json({"event": "login", "code": "0", "msg": "", "connId": "lb"} if logged_in
                                       else {"event": "error", "code": "60009", "msg": "Login failed.", "connId": "lb"})
                elif body.get("op") == "subscribe":
                    for arg in body.get("args") or []:
                        await self._subscribe(ws, arg, logged_in)
        finally:
            self.position_sockets.discard(ws)
        return ws

    def _login_ok(self, args: dict[str, Any]) -> bool:
        """A login signed as OKX signs it: timestamp (seconds) + GET + /users/self/verify."""
        stamp = str(args.get("timestamp", ""))
        expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}GET/users/self/verify".encode(),
                                             hashlib.sha256).digest()).decode()
        fresh = stamp.isdigit() and abs(int(stamp) * 1000 - self.now_ms()) <= TIMESTAMP_WINDOW_MS
        return (args.get("apiKey") == API_KEY and args.get("passphrase") == PASSPHRASE
                and args.get("sign") == expected and fresh)

    async def _subscribe(self, ws: web.WebSocketResponse, arg: dict[str, Any], logged_in: bool) -> None:
        """Only the positions channel: its snapshot at once, then every change (``_push_positions``)."""
        if not logged_in:
            await ws.send_json({"event": "error", "code": "60011", "msg": "Please log in", "connId": "lb"})
            return
        if arg.get("channel") != "positions":
            await ws.send_json({"event": "error", "code": "60018", "msg": f"Wrong URL or channel:{arg.get('channel')}",
                                "connId": "lb"})
            return
        await ws.send_json({"event": "subscribe", "arg": arg, "connId": "lb"})
        self.position_sockets.add(ws)
        await ws.send_json({"arg": {"channel": "positions", "instType": "ANY", "uid": "1"},
                            "data": [self._position_data(i, p) for i, p in self.positions.items() if p.contracts]})

    async def _push_positions(self) -> None:
        """Send each position change to every subscriber, in the order they happened."""
        while True:
            text = await self._pushes.get()
            for ws in list(self.position_sockets):
                if not ws.closed:
                    await ws.send_str(text)
                    self.position_pushes += 1

    async def drop_private_sockets(self) -> None:
        """Close every private websocket from the server side (changes meanwhile are not pushed)."""
        sockets = list(self.position_sockets)
        self.position_sockets.clear()
        for ws in sockets:
            await ws.close(code=1006, message=b"loopback drop")


def _matches(inst: OkxInstrument, params: dict[str, Any]) -> bool:
    return (not params.get("instType") or params["instType"] == inst.inst_type) \
        and (not params.get("instId") or params["instId"] == inst.inst_id)


def _num(value: float) -> str:
    return f"{value:.10f}".rstrip("0").rstrip(".") or "0"


def _ok(data: list[Any]) -> web.Response:
    return web.json_response({"code": "0", "msg": "", "data": data})


def _failure(status: int, code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg, "data": []}, status=status)


async def _serve(port: int, tick_ms: int) -> None:
    exchange = OkxLoopback()
    await exchange.start(port)
    print(f"okx loopback on {exchange.base_url} (key {API_KEY!r}, secret {SECRET!r}, passphrase {PASSPHRASE!r})")
    try:
        await exchange.run_ticker(tick_ms / 1000)
    finally:
        await exchange.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--tick-ms", type=int, default=200, help="book update and timer check period")
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.tick_ms))
