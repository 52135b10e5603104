"""LIVE kill switch: from the operator's command to the exchange confirming flat.

Against the loopback Binance (tests/ccxt/loopback_exchange.py, in this process), through
ccxt, with the engine built as the CLI builds it. Each round opens a position with a market
buy, rests an entry and lets someone else rest an order on the account, then times
``execute(Kill())`` until ``FLAT confirmed``: every open order on the symbol cancelled,
fills booked, the position sold, and the exchange listing no open order and the balance back
to what the engine did not acquire. Quiet, then with every private request refused 429
(``Retry-After: 1``) at 50 % from just before the kill. Wall-clock milliseconds.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ccxt"))

from live_harness import live_engine, settle  # noqa: E402
from loopback_exchange import LoopbackExchange  # noqa: E402

from benchmarks.arguments import quick_option  # noqa: E402
from hft_tui.config.loader import load_settings  # noqa: E402
from hft_tui.session.engine import Engine  # noqa: E402
from hft_tui.trading.commands import Kill, PlaceOrder, ResetHalt, ResumeStrategy  # noqa: E402

STORM_PROBABILITY = 0.5


async def _round(engine: Engine, loopback: LoopbackExchange, storm: bool) -> float:
    await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.002))
    await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0))
    loopback.place_foreign_order("BTCUSDT", "BUY", 0.001, 45_000.0)
    await settle_open(engine)
    if storm:
        loopback.rate_limit_storm(STORM_PROBABILITY, retry_after_s=1)
    started = time.perf_counter()
    await engine.execute(Kill("bench"))
    assert engine.live is not None
    result = await engine.live.wait_flat()
    elapsed = (time.perf_counter() - started) * 1e3
    loopback.rate_limit_storm(0.0)
    if result is None or not result.flat:
        raise RuntimeError(f"kill did not end flat: {result}")
    await engine.execute(ResetHalt("RESET"))
    await engine.execute(ResumeStrategy(None))
    return elapsed


async def settle_open(engine: Engine) -> None:
    """Until the resting entry is acknowledged (it has an exchange id)."""
    for _ in range(500):
        if all(o.exchange_id for o in engine.core.orders.values()):
            return
        await asyncio.sleep(0.002)


async def _measure(rounds: int) -> dict[str, float]:
    loopback = LoopbackExchange()
    await loopback.start()
    loopback.free["USDT"] = 10_000_000.0
    base = load_settings(ROOT / "config" / "examples" / "loopback.toml").exchange
    exchange = base.model_copy(update={"ccxt": {**base.ccxt, "urls": loopback.ccxt_urls(), "timeout": 3000}})
    figures: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as state:
            engine = await live_engine(exchange, Path(state), **{"risk.max_position_notional": 1e9,
                                                                 "risk.max_gross_notional": 1e9,
                                                                 "risk.max_net_notional": 1e9})
            try:
                for label, storm in (("quiet", False), ("storm", True)):
                    latencies = [await _round(engine, loopback, storm) for _ in range(rounds)]
                    latencies.sort()
                    figures[f"kill_to_flat_{label}_p50_ms"] = statistics.median(latencies)
                    figures[f"kill_to_flat_{label}_p99_ms"] = latencies[min(len(latencies) - 1,
                                                                            int(len(latencies) * 0.99))]
                    figures[f"kill_to_flat_{label}_max_ms"] = latencies[-1]
                figures["rate_limited_requests"] = float(loopback.refusals["429"])
                await settle(engine, loopback)
            finally:
                await engine.stop("bench done")
    finally:
        await loopback.stop()
    return figures


def run(quick: bool = False) -> dict[str, float]:
    """p50/p99/max kill-to-flat-confirmed over 100 kills quiet and 100 in a 429 storm."""
    return asyncio.run(_measure(20 if quick else 100))


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:<36} {value:>10.1f}")
