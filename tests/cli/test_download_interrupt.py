"""Ctrl+C in ``hft-tui download`` (against a loopback server, no network): the command stops
although the exchange never answers the request in flight, keeps every complete page and
says so."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from aiohttp import web
from cli_process import GUARD_S, loopback_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ccxt"))
from loopback_exchange import STOP_GRACE_S, LoopbackExchange  # noqa: E402

from hft_tui import exit_codes  # noqa: E402
from hft_tui.data.candle_store import CandleStore  # noqa: E402

PAGE_BARS = 10
PAGES_ANSWERED = 7
MINUTE_MS = 60_000
START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


class SlowKlines:
    """Binance's market list, and klines that answer ``PAGES_ANSWERED`` pages and then hold
    every further request forever (an exchange that stopped answering mid-download)."""

    def __init__(self) -> None:
        self.markets = LoopbackExchange()
        self.pages = 0
        self.held = threading.Event()
        self._never: asyncio.Event | None = None

    async def klines(self, request: web.Request) -> web.Response:
        if self.pages >= PAGES_ANSWERED:
            self.held.set()
            assert self._never is not None
            await self._never.wait()
        self.pages += 1
        since = int(request.query["startTime"])
        limit = int(request.query.get("limit", PAGE_BARS))
        rows = [[since + i * MINUTE_MS, "100.0", "101.0", "99.0", "100.5", "2.0", since + (i + 1) * MINUTE_MS - 1,
                 "201.0", 10, "1.0", "100.5", "0"] for i in range(limit)]
        return web.json_response(rows)

    async def serve(self) -> tuple[web.AppRunner, int]:
        self._never = asyncio.Event()
        app = web.Application()
        app.router.add_get("/api/v3/exchangeInfo", self.markets._exchange_info)  # noqa: SLF001
        app.router.add_get("/api/v3/klines", self.klines)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=STOP_GRACE_S)  # the held request
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001


@contextmanager
def slow_klines_server() -> Iterator[tuple[SlowKlines, int]]:
    loop = asyncio.new_event_loop()
    server = SlowKlines()
    runner, port = loop.run_until_complete(server.serve())
    thread = threading.Thread(target=loop.run_forever, name="slow-klines", daemon=True)
    thread.start()
    try:
        yield server, port
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(GUARD_S)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def test_ctrl_c_stops_a_download_the_exchange_stopped_answering_and_keeps_every_complete_page(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with slow_klines_server() as (server, port):
        config = loopback_config(tmp_path, port)
        child = subprocess.Popen(
            [sys.executable, "-m", "hft_tui", "--config", str(config), "download", "--symbols", "BTC/USDT",
             "--from", "2026-01-01", "--to", "2026-01-02", "--page-limit", str(PAGE_BARS),
             "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        assert server.held.wait(GUARD_S), "the download never got past the pages the server answers"
        pressed = time.monotonic()
        child.send_signal(signal.SIGINT)
        assert child.stderr is not None
        said = []
        for line in child.stderr:  # until it says so (the figure for the report, not a limit)
            said.append(line)
            if "interrupted" in line:
                break
        said_s = time.monotonic() - pressed
        _, rest = child.communicate(timeout=GUARD_S)
        stderr = "".join(said) + rest
        gone_s = time.monotonic() - pressed
        assert server.pages == PAGES_ANSWERED  # the request in flight was never answered

    assert child.returncode == exit_codes.INTERRUPTED
    assert "interrupted; every complete page is stored, and the same command resumes from there" in stderr
    assert "Traceback" not in stderr
    candles = CandleStore(data_dir).read("binance", "BTC/USDT", "1m")
    expected = START_MS + MINUTE_MS * np.arange(PAGES_ANSWERED * PAGE_BARS)
    assert np.array_equal(candles.open_ts_ms, expected)
    print(f"download: said so {said_s:.2f} s after SIGINT, process gone after {gone_s:.2f} s")
