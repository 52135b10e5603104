"""The loopback Binance with ``/api/v3/klines``: deterministic one-minute bars for any time,
with scriptable holes (ranges the "exchange" has no data for) and a request log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ccxt"))

from loopback_exchange import LoopbackExchange  # noqa: E402

MAX_KLINES = 1000


def bar_close(open_ms: int) -> float:
    """A deterministic close for the bar opening at ``open_ms`` (a slow saw around 100)."""
    return 100.0 + (open_ms // 60_000) % 97 * 0.25


class KlinesLoopback(LoopbackExchange):
    """Serves exchange info and klines; ``holes`` are ``(start_ms, end_ms)`` with no bars."""

    def __init__(self) -> None:
        super().__init__()
        self.holes: list[tuple[int, int]] = []
        self.kline_requests: list[dict[str, str]] = []

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_get("/api/v3/exchangeInfo", self._exchange_info)
        app.router.add_get("/api/v3/klines", self._klines)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _klines(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.kline_requests.append(query)
        step = {"1m": 60_000, "5m": 300_000, "1h": 3_600_000}[query["interval"]]
        limit = min(int(query.get("limit", "500")), MAX_KLINES)
        start = int(query.get("startTime", "0"))
        end = int(query.get("endTime", str(start + limit * step)))
        bars: list[list[Any]] = []
        t = -(-start // step) * step
        while t <= end and len(bars) < limit:
            if not any(lo <= t < hi for lo, hi in self.holes):
                close = bar_close(t)
                bars.append([t, f"{close - 0.1:.8f}", f"{close + 0.5:.8f}", f"{close - 0.5:.8f}",
                             f"{close:.8f}", "12.50000000", t + step - 1, "1250.0", 10, "6.0", "600.0", "0"])
            t += step
        return web.json_response(bars)
