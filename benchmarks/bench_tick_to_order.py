"""LIVE tick-to-order latency: from the feed message a strategy acts on to the order request.

A LIVE engine built as the CLI builds it (``tests/ccxt/live_harness.py``) trades BTC/USDT
through ccxt against the loopback Binance (``tests/ccxt/loopback_exchange.py``, in this
process: its random walk sends a depth diff and a trade per symbol every 20 ms), with the
benchmark's minimal strategy alone (``benchmarks/peers/ema_probe.py``: a signal every
``EVERY`` events, buy and sell in turn; the default strategies do not trade on this feed).
For every order, from the event that decided it, two latencies to the moment the broker
calls ccxt's ``create_order`` (which signs the request and sends it):

- **tick to order**: from the moment the engine took the event (``Engine.feed``: ccxt had
  read the frame and our source had turned it into a book or trade);
- **exchange to order**: from the exchange's stamp of the message (``E``/``T``, whole ms),
  which adds the loopback's send, ccxt's parsing and our source's queue.

Between the two ends: the signal manager, the risk gate, sizing, the intent made durable
in the WAL (a group commit: WAL before effect) and the live session's order task.

``python -m benchmarks.bench_tick_to_order [--quick]``: about 15 s; it prints the build
(compiled or pure Python), the load and how long it took.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.arguments import quick_option
from benchmarks.peers.ema_probe import EmaProbe, EmaProbeParams
from hft_tui.compiled_build import build_line
from hft_tui.config.loader import load_settings
from hft_tui.execution.ccxt_broker import exchange_client_id
from hft_tui.session.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ccxt"))

from live_harness import live_engine, wait_until  # noqa: E402
from loopback_exchange import LoopbackExchange  # noqa: E402

EVERY = 10
TICK_S = 0.02


class OrderClock:
    """When each order's deciding event was taken and when its request went to ccxt."""

    def __init__(self, engine: Engine) -> None:
        self.decided: dict[str, tuple[int, int]] = {}  # exchange client id -> (taken ns, exchange ns)
        self.sent: dict[str, int] = {}
        core, exchange = engine.core, engine.core.broker.exchange
        # A compiled core takes no patch: the clock sits on the engine's entry point for each event.
        self._core, self._feed, self._create = core, engine.feed, exchange.create_order
        engine.feed = self._take  # type: ignore[method-assign]
        exchange.create_order = self._send

    async def _take(self, event: Any) -> None:
        taken = time.time_ns()
        before = len(self._core.orders)
        await self._feed(event)
        if len(self._core.orders) != before:
            for client_id in list(self._core.orders)[before:]:
                self.decided[exchange_client_id(client_id)] = (taken, event.ts_ns)

    async def _send(self, *args: Any, **kwargs: Any) -> Any:
        params = args[5] if len(args) > 5 else kwargs.get("params", {})
        for value in params.values():
            if isinstance(value, str) and value not in self.sent:
                self.sent[value] = time.time_ns()
        return await self._create(*args, **kwargs)

    def latencies_ms(self) -> tuple[list[float], list[float]]:
        """(tick to order, exchange to order) of every order sent, in ms."""
        tick, exchange = [], []
        for xid, sent in self.sent.items():
            if xid in self.decided:
                taken, stamped = self.decided[xid]
                tick.append((sent - taken) / 1e6)
                exchange.append((sent - stamped) / 1e6)
        return tick, exchange


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def _measure(orders: int) -> dict[str, float]:
    loopback = LoopbackExchange()
    await loopback.start()
    loopback.free["USDT"] = 100_000.0
    ticker = asyncio.ensure_future(loopback.run_ticker(TICK_S))
    base = load_settings(ROOT / "config" / "examples" / "loopback.toml").exchange
    exchange = base.model_copy(update={"ccxt": {**base.ccxt, "urls": loopback.ccxt_urls(), "timeout": 3000}})
    try:
        with tempfile.TemporaryDirectory() as state:
            engine = await live_engine(exchange, Path(state), **{
                "strategies.enabled": [], "signals.auto_disable.enabled": False})
            try:
                clock = OrderClock(engine)
                engine.core.strategies.add(EmaProbe(EmaProbeParams(every=EVERY)))
                await wait_until(lambda: len(clock.latencies_ms()[0]) >= orders, f"{orders} orders sent")
                tick, stamped = clock.latencies_ms()
            finally:
                await engine.stop("benchmark over")
    finally:
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
        await loopback.stop()
    figures = {"orders": float(len(tick))}
    for name, values in (("tick_to_order", tick), ("exchange_to_order", stamped)):
        figures[f"{name}_p50_ms"] = statistics.median(values)
        figures[f"{name}_p99_ms"] = _pct(values, 0.99)
        figures[f"{name}_max_ms"] = max(values)
    return figures


def run(quick: bool = False) -> dict[str, float]:
    """Tick-to-order latencies of 100 orders (20 with ``--quick``): about 15 s (7 s quick)."""
    print(build_line(), file=sys.stderr)
    started = time.monotonic()
    figures = asyncio.run(_measure(20 if quick else 100))
    figures["load_avg_1m"] = os.getloadavg()[0]
    figures["took_s"] = time.monotonic() - started
    print(f"tick to order p50 {figures['tick_to_order_p50_ms']:.2f} ms, p99 {figures['tick_to_order_p99_ms']:.2f} ms; "
          f"exchange to order p50 {figures['exchange_to_order_p50_ms']:.2f} ms, "
          f"p99 {figures['exchange_to_order_p99_ms']:.2f} ms ({figures['orders']:.0f} orders; "
          f"load {figures['load_avg_1m']:.1f}; took {figures['took_s']:.0f} s)", file=sys.stderr)
    return figures


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:32s} {value:12,.3f}")
