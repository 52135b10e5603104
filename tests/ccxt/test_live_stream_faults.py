"""LIVE end to end on the loopback's user-data stream: the engine trades while the stream
drops, stalls and is ended by the exchange, and still books every fill exactly once."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from live_harness import answered, live_engine, settle, wait_until
from loopback_exchange import LoopbackExchange
from test_live_engine import assert_books_agree, trade_randomly

from hft_tui.config.settings import ExchangeSettings
from hft_tui.risk.trading_state import TradingState


async def upset_the_stream(loopback: LoopbackExchange, seed: int, faults: list[str]) -> None:
    """Forever: a drop, a silent stall or an ended subscription (listed in ``faults``), then a
    calm spell."""
    rng = random.Random(seed)
    while True:
        await asyncio.sleep(rng.uniform(0.02, 0.15))
        fault = rng.choice(("drop", "stall", "terminate"))
        faults.append(fault)
        if fault == "drop":
            await loopback.drop_user_streams()
        elif fault == "terminate":
            await loopback.terminate_user_streams()
        else:
            loopback.user_stream_stalled = True
            await asyncio.sleep(rng.uniform(0.02, 0.2))
            loopback.user_stream_stalled = False


async def test_no_fill_is_lost_or_doubled_while_the_user_data_stream_keeps_failing(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    loopback.free["USDT"] = 100_000.0
    engine = await live_engine(loopback_settings, tmp_path, **{"exchange.user_stream_check_s": 0.5})
    events_before = loopback.user_events_sent
    faults: list[str] = []
    chaos = asyncio.ensure_future(upset_the_stream(loopback, seed=12, faults=faults))
    try:
        await trade_randomly(engine, loopback, orders=120, seed=12)
        # However fast the trading went, the stream failed in every way, several times.
        await wait_until(lambda: all(faults.count(f) >= 3 for f in ("drop", "stall", "terminate")),
                         "three faults of each kind")
        chaos.cancel()
        await asyncio.gather(chaos, return_exceptions=True)
        loopback.user_stream_stalled = False
        await answered(engine)
        while loopback.step_resting(1.0):
            pass
        await settle(engine)
        await wait_until(lambda: loopback.user_subscribers() == 1, "the stream is subscribed again")
    finally:
        chaos.cancel()
        await engine.stop("test over")

    assert loopback.user_subscribe_requests >= 2, "the stream failed and was renewed"
    assert loopback.user_events_sent > events_before
    assert engine.core.state.state is TradingState.ACTIVE, "stream faults are not trading errors"
    assert_books_agree(engine, loopback, tmp_path)
