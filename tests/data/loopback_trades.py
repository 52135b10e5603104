"""The loopback Binance with ``/api/v3/aggTrades``: a deterministic tape of aggregate trades
(three per timestamp, one timestamp every seven seconds from ``TAPE_START_MS``) up to a
movable ``tape_end_ms``, scriptable bad trades, and a request log."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from loopback_klines import KlinesLoopback

TAPE_START_MS = 1_709_251_200_000  # 2024-03-01T00:00:00Z
STEP_MS = 7_000
PER_STEP = 3
MAX_AGG_TRADES = 1000


def trade_ts(trade_id: int) -> int:
    """When aggregate trade ``trade_id`` happened."""
    return TAPE_START_MS + trade_id // PER_STEP * STEP_MS


def trade_price(trade_id: int) -> float:
    """A deterministic price for trade ``trade_id`` (a saw around 100)."""
    return 100.0 + trade_id % 50 * 0.1


class TradesLoopback(KlinesLoopback):
    """Serves exchange info, klines and aggTrades; ``bad_ids`` are served with price 0."""

    def __init__(self) -> None:
        super().__init__()
        self.tape_end_ms = TAPE_START_MS + 3_600_000
        self.bad_ids: set[int] = set()
        self.agg_trade_requests: list[dict[str, str]] = []

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_get("/api/v3/exchangeInfo", self._exchange_info)
        app.router.add_get("/api/v3/klines", self._klines)
        app.router.add_get("/api/v3/aggTrades", self._agg_trades)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _agg_trades(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.agg_trade_requests.append(query)
        limit = min(int(query.get("limit", "500")), MAX_AGG_TRADES)
        start = max(int(query["startTime"]), TAPE_START_MS)
        end = min(int(query["endTime"]), self.tape_end_ms - 1)
        if end - int(query["startTime"]) > 3_600_000:
            return web.json_response({"code": -1127, "msg": "More than 1 hours between startTime and endTime."},
                                     status=400)
        trade_id = -(-(start - TAPE_START_MS) // STEP_MS) * PER_STEP
        rows: list[dict[str, Any]] = []
        while trade_ts(trade_id) <= end and len(rows) < limit:
            price = 0.0 if trade_id in self.bad_ids else trade_price(trade_id)
            rows.append({"a": trade_id, "p": f"{price:.8f}", "q": f"{0.01 * (1 + trade_id % 5):.8f}",
                         "f": trade_id, "l": trade_id, "T": trade_ts(trade_id),
                         "m": trade_id % 2 == 0, "M": True})
            trade_id += 1
        return web.json_response(rows)
