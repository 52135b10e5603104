"""The loopback exchange (tests/ccxt/loopback_exchange.py) on its own thread and loop, so a
test can build and run the engine exactly as the CLI does (which owns its own loop)."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ccxt"))

from loopback_exchange import LoopbackExchange  # noqa: E402


@contextmanager
def loopback_exchange_thread() -> Iterator[LoopbackExchange]:
    loop = asyncio.new_event_loop()
    exchange = LoopbackExchange()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(exchange.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="loopback-exchange", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield exchange
    finally:
        asyncio.run_coroutine_threadsafe(exchange.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
