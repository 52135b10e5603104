"""How fast the built-in market generates events when nothing paces it.

``sim_events_per_s`` is the headline: events out of ``SimulatedMarket.next_event`` per
wall-clock second with the default two symbols and rates. The other figures split it by
what the time goes to and show how it holds up with a deeper book.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.arguments import quick_option
from hft_tui.market.sim_regimes import SimRegime
from hft_tui.market.sources.sim import SimSource
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket

_START_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


def _events_per_s(market: SimulatedMarket, n: int) -> float:
    next_event = market.next_event
    for _ in range(2_000):  # first window and imports out of the measurement
        next_event()
    started = time.perf_counter()
    for _ in range(n):
        next_event()
    return n / (time.perf_counter() - started)


async def _source_events_per_s(n: int) -> float:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=_START_NS)
    source = SimSource(market, paced=False)
    count = 0
    started = time.perf_counter()
    async for _ in source.stream():
        count += 1
        if count >= n:
            break
    elapsed = time.perf_counter() - started
    await source.close()
    return count / elapsed


def run(quick: bool = False) -> dict[str, float]:
    """Events per second: default market, deep book, mid-cascade, and through SimSource."""
    n = 100_000 if quick else 600_000
    default = _events_per_s(SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=_START_NS), n)
    deep = _events_per_s(
        SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=_START_NS, depth=50), n // 2
    )
    cascading = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=_START_NS)
    for spec in DEFAULT_SIM_SYMBOLS:
        cascading.force_regime(spec.symbol, SimRegime.CASCADE_DOWN, duration_s=3_600.0)
    cascade = _events_per_s(cascading, n // 2)
    through_source = asyncio.run(_source_events_per_s(n // 2))
    return {
        "sim_events_per_s": default,
        "sim_events_per_s_depth50": deep,
        "sim_events_per_s_in_cascade": cascade,
        "sim_source_unpaced_events_per_s": through_source,
        "sim_us_per_event": 1e6 / default,
    }


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:<36} {value:>14,.1f}")
