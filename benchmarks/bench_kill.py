"""Kill switch latency: from the operator's command to flat and HALTED, on paper, while the
sim streams as fast as the engine consumes it.

The running engine (``Engine.start``: consume task, snapshot publisher, WAL group commit
on its fsync thread) over the unpaced default sim. Each round: open a position with an
operator market order, let the stream run, then time ``execute(Kill())`` until every
position is flat and the trading state is HALTED; reset the halt and resume for the next
round. Wall-clock milliseconds; the kill record is made durable (fsync) before it acts, so
the figure includes one group commit.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.arguments import quick_option
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import Kill, PlaceOrder, ResetHalt, ResumeStrategy

STREAM_BETWEEN_ROUNDS_S = 0.05


def _flat_and_halted(engine: Engine) -> bool:
    core = engine.core
    return core.state.state is TradingState.HALTED and not core.portfolio.positions()


async def _rounds(engine: Engine, rounds: int) -> tuple[list[float], int]:
    symbol = engine.symbols[0]
    latencies: list[float] = []
    events_before = engine.core.counters.events
    await engine.start()
    try:
        for _ in range(rounds):
            await engine.execute(PlaceOrder(symbol, "buy", 0.01))
            await asyncio.sleep(STREAM_BETWEEN_ROUNDS_S)
            started = time.perf_counter()
            await engine.execute(Kill("bench"))
            while not _flat_and_halted(engine):
                await asyncio.sleep(0)
            latencies.append((time.perf_counter() - started) * 1e3)
            await engine.execute(ResetHalt("RESET"))
            await engine.execute(ResumeStrategy(None))
        return latencies, engine.core.counters.events - events_before
    finally:
        await engine.stop("bench done")


def run(quick: bool = False) -> dict[str, float]:
    """p50/p99/max kill latency over ``rounds`` kills."""
    rounds = 20 if quick else 100
    settings = load_settings(None, {})
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as tmp:
        engine = build_sim_engine(settings, clock=SimulatedClock(DEFAULT_SIM_START_NS),
                                  wal_dir=Path(tmp) / "wal", paced=False)
        started = time.perf_counter()
        latencies, events = asyncio.run(_rounds(engine, rounds))
        wall_s = time.perf_counter() - started
    latencies.sort()
    return {
        "kill_rounds": float(len(latencies)),
        "kill_p50_ms": statistics.median(latencies),
        "kill_p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)],
        "kill_max_ms": latencies[-1],
        "kill_stream_events_per_s": events / wall_s,
    }


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:32s} {value:14,.3f}")
