"""SimSource: the simulated market as a MarketSource, paced or flat out."""

from __future__ import annotations

import asyncio
import time
from itertools import islice

from hft_tui.clock import FrozenClock, WallClock
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.market.sources.sim import SimSource, simulated_events
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import FeedState, FeedStatus, OrderBook, Trade

START_NS = 1_767_225_600_000_000_000


def _market(**kwargs: float) -> SimulatedMarket:
    return SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=START_NS, **kwargs)


async def test_the_stream_opens_with_one_live_status_per_symbol() -> None:
    source = SimSource(_market(), paced=False)
    assert source.name == "sim"
    stream = source.stream()
    first = [await anext(stream) for _ in range(2)]
    assert all(isinstance(e, FeedStatus) and e.state is FeedState.LIVE for e in first)
    assert [e.symbol for e in first] == ["BTC/USDT", "ETH/USDT"]
    assert all(e.ts_ns == START_NS for e in first)
    nxt = await anext(stream)
    assert isinstance(nxt, OrderBook) and nxt.ts_ns == START_NS
    await source.close()


def _key(event: object) -> tuple[object, ...]:
    book = (event.seq, event.bids.tobytes(), event.asks.tobytes()) if isinstance(event, OrderBook) else ()
    return (type(event).__name__, event.symbol, event.ts_ns, *book)  # type: ignore[attr-defined]


async def test_a_backtest_window_reads_the_stream_simsource_streams_from_where_the_window_begins() -> None:
    source = SimSource(_market(), paced=False)
    stream = source.stream()
    whole = [await anext(stream) for _ in range(3_000)]
    await source.close()
    begin_ns = whole[1_500].ts_ns
    expected = [event for event in whole[2:] if event.ts_ns >= begin_ns]
    windowed = list(islice(simulated_events(_market(), begin_ns), 2 + len(expected)))
    # LIVE from where the window begins, then the very events SimSource streams from there on.
    assert windowed[:2] == [FeedStatus(symbol, begin_ns, FeedState.LIVE, "simulated market")
                            for symbol in ("BTC/USDT", "ETH/USDT")]
    assert [_key(e) for e in windowed[2:]] == [_key(e) for e in expected]


async def test_unpaced_hands_the_loop_back_while_streaming_flat_out() -> None:
    source = SimSource(_market(), paced=False, yield_every=64)
    ticks = 0
    stop = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    beat = asyncio.create_task(heartbeat())
    count = 0
    async for _ in source.stream():
        count += 1
        if count >= 5_000:
            break
    stop.set()
    await beat
    assert ticks >= 5_000 // 64 - 1


async def test_unpaced_timestamps_are_the_simulated_ones() -> None:
    source = SimSource(_market(), paced=False, clock=FrozenClock(42))
    stamps = []
    async for event in source.stream():
        stamps.append(event.ts_ns)
        if len(stamps) >= 2_000:
            break
    assert stamps[0] == START_NS
    assert stamps[-1] > START_NS + 10**9  # ~40 s of market in 2,000 events


async def test_close_ends_the_stream() -> None:
    source = SimSource(_market(), paced=False)
    seen = 0
    async for _ in source.stream():
        seen += 1
        if seen == 10:
            await source.close()
    assert seen == 10
    await source.close()  # safe twice


async def test_paced_releases_events_at_their_times_on_the_wall_clock() -> None:
    market = _market(book_updates_per_s=20.0, trades_per_s=3.0)
    source = SimSource(market, paced=True, clock=WallClock())
    wall_start = time.time_ns()
    assert abs(market.start_ts_ns - wall_start) < 1_000_000_000, "rebased to now"
    books = trades = 0
    lag_ns: list[int] = []
    started = time.monotonic()

    async def consume() -> None:
        nonlocal books, trades
        async for event in source.stream():
            lag_ns.append(time.time_ns() - event.ts_ns)
            if isinstance(event, OrderBook):
                books += 1
            elif isinstance(event, Trade):
                trades += 1
            if time.monotonic() - started > 1.5:
                return

    await consume()
    elapsed = time.monotonic() - started
    # 2 symbols x 20 books/s over ~1.5 s: about 60. A loaded machine may release fewer (late),
    # never more: pacing holds events back until their time, it never runs flat out or early.
    assert 1 <= books <= 110
    assert books / elapsed < 80, "paced, not flat out"
    assert min(lag_ns) > -2_000_000, "an event was released before its time"
    await source.close()


async def test_a_paced_source_on_a_started_market_keeps_its_timestamps() -> None:
    market = _market()
    for _ in range(100):
        market.next_event()
    now_sim = market.now_ns()
    source = SimSource(market, paced=True, clock=WallClock())
    stream = source.stream()
    statuses = [await anext(stream) for _ in range(2)]
    assert all(isinstance(s, FeedStatus) for s in statuses)
    event = await asyncio.wait_for(anext(stream), timeout=2.0)
    assert event.ts_ns >= now_sim
    assert event.ts_ns < START_NS + 3_600 * 10**9
    await source.close()



async def _hand_over(stall_at: int, stall_ns: int, late_ns: int = 0) -> tuple[list[object], list[object]]:
    """200 events of a paced source whose clock the test moves: each pulled when it comes due
    (``late_ns`` after), and event ``stall_at`` ``stall_ns`` late (the process was busy: the
    market building its next window, a slow step). Returns them and the market's own events."""
    twin = _market()
    reference = [twin.next_event() for _ in range(200)]
    clock = FrozenClock(START_NS)
    source = SimSource(_market(), paced=True, clock=clock)
    stream = source.stream()
    assert [type(await anext(stream)) for _ in range(2)] == [FeedStatus, FeedStatus]
    handed = []
    for i, expected in enumerate(reference):
        # The event is due at its stamp, later by the stall once the market paused for it.
        clock.advance_to(expected.ts_ns + (stall_ns if i >= stall_at else 0) + late_ns)
        event = await anext(stream)
        # The sanitizer's verdict: not later than its max_feed_latency_ms.
        assert clock.now_ns() - event.ts_ns < SanitizerSettings().max_feed_latency_ms * 1e6, \
            f"event {i} handed over {(clock.now_ns() - event.ts_ns) / 1e6:.0f} ms after its stamp"
        handed.append(event)
    await source.close()
    return handed, reference


def _restamped(event: object, by_ns: int) -> tuple[object, ...]:
    kind, symbol, ts_ns, *book = _key(event)
    return (kind, symbol, ts_ns + by_ns, *book)


async def test_a_stall_of_the_process_pauses_the_paced_market_instead_of_handing_its_events_over_late() -> None:
    # On a loaded box one next_event (the market building its next window) took 232 ms, and
    # the engine judged its own simulator late (FEED_LATENCY).
    handed, reference = await _hand_over(stall_at=100, stall_ns=250_000_000)
    # Before the stall, the market's own stamps; from it on, each 250 ms later: the market
    # paused and carries on at its own pace, nothing dropped or bunched.
    assert [_key(e) for e in handed] == \
        [_restamped(r, 250_000_000 if i >= 100 else 0) for i, r in enumerate(reference)]


async def test_a_timers_jitter_does_not_move_the_paced_market() -> None:
    handed, reference = await _hand_over(stall_at=100, stall_ns=0, late_ns=2_000_000)
    assert [_key(e) for e in handed] == [_key(r) for r in reference]
