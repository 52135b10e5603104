"""The ccxt source recovers from gaps, drops, stalls and garbage without crashing."""

from __future__ import annotations

import asyncio

import numpy as np
from event_tap import EventTap
from loopback_exchange import LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.settings import ExchangeSettings
from hft_tui.market.sources.ccxt import CcxtSource
from hft_tui.model import FeedState, FeedStatus, MarketRejection, OrderBook, ReasonCode, Trade


def make_source(settings: ExchangeSettings) -> CcxtSource:
    return CcxtSource.from_settings(settings, ["BTC/USDT"], clock=WallClock(), seed=3)


def is_state(state: FeedState):
    return lambda e: isinstance(e, FeedStatus) and e.state is state


async def live_source(tap: EventTap, loopback: LoopbackExchange) -> None:
    await tap.wait_for(is_state(FeedState.LIVE))
    for _ in range(200):
        if loopback.subscriber_count("btcusdt@depth") and loopback.subscriber_count("btcusdt@trade"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("source never subscribed")


def book_matches(loopback: LoopbackExchange, book: OrderBook) -> bool:
    bids, asks = loopback.book_levels("BTCUSDT")
    return np.array_equal(book.bids, np.array(bids)) and np.array_equal(book.asks, np.array(asks))


async def test_sequence_gap_resyncs_then_goes_live_on_a_fresh_snapshot(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        snapshots_before = loopback.request_log.count(("GET", "/api/v3/depth"))
        mark = tap.mark()
        loopback.skip_update_ids(3)
        await loopback.push_depth("BTCUSDT", bids=[(49999.5, 9.0)])

        resync = await tap.wait_for(is_state(FeedState.RESYNCING), after=mark)
        assert "sequence gap" in resync.detail and ReasonCode.FEED_GAP in resync.detail
        await tap.wait_for(is_state(FeedState.LIVE), after=mark)
        assert loopback.request_log.count(("GET", "/api/v3/depth")) == snapshots_before + 1
        # The resnapshotted book includes the update the gap made us miss.
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.bids[0, 1] == 9.0, after=mark)
        assert book_matches(loopback, book)


async def test_dropped_socket_resyncs_with_backoff_then_goes_live(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        mark = tap.mark()
        await loopback.drop_sockets()

        resync = await tap.wait_for(is_state(FeedState.RESYNCING), after=mark)
        assert "connection lost" in resync.detail
        await tap.wait_for(is_state(FeedState.LIVE), after=mark)
        await live_source(tap, loopback)
        after_reconnect = tap.mark()
        await loopback.push_depth("BTCUSDT", asks=[(50000.0, 0.5)])
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0,
                                  after=after_reconnect)
        assert book_matches(loopback, book)


async def test_silent_stall_is_torn_down_and_resubscribed_then_books_flow(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        subscribes, snapshots = loopback.subscribe_requests, loopback.request_log.count(("GET", "/api/v3/depth"))
        mark = tap.mark()
        loop = asyncio.get_running_loop()
        started = loop.time()
        healing = await tap.wait_for(is_state(FeedState.RESYNCING), after=mark)
        waited_ms = (loop.time() - started) * 1000
        # stale_after_ms is 400 in the loopback settings (the watchdog ticks every 80 ms): never
        # declared stale before that; how late on a loaded machine is not this test's business.
        assert waited_ms >= 300
        assert healing.detail.startswith(f"{ReasonCode.FEED_STALE}: no book update for ")
        assert healing.detail.endswith("; resubscribing")

        await tap.wait_for(is_state(FeedState.LIVE), after=mark)
        assert loopback.subscribe_requests > subscribes
        assert loopback.request_log.count(("GET", "/api/v3/depth")) > snapshots
        await live_source(tap, loopback)
        later = tap.mark()
        await loopback.push_depth("BTCUSDT", bids=[(49999.5, 4.0)])
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.bids[0, 1] == 4.0, after=later)
        assert book_matches(loopback, book)


async def test_heals_back_off_while_they_do_not_hold_and_start_over_once_one_does(loopback,
                                                                                  loopback_settings) -> None:
    source = make_source(loopback_settings)
    heal_backoff = source._feeds["BTC/USDT"].heal_backoff
    async with EventTap(source) as tap:
        await live_source(tap, loopback)
        loopback.stalled = True  # every resubscribe gets its snapshot, then silence again
        mark = tap.mark()
        for _ in range(3):
            healing = await tap.wait_for(lambda e: is_state(FeedState.RESYNCING)(e)
                                         and ReasonCode.FEED_STALE in e.detail, after=mark)
            mark = tap.events.index(healing) + 1
        assert heal_backoff.attempt >= 3

        loopback.stalled = False
        for _ in range(400):
            if heal_backoff.attempt == 0:
                break
            await loopback.push_depth("BTCUSDT", bids=[(49999.5, 5.0)])
            await asyncio.sleep(0.025)
        assert heal_backoff.attempt == 0


async def resubscribes_and_flows_again(tap: EventTap, loopback: LoopbackExchange, mark: int) -> None:
    """After a bad frame at ``mark``: rejected, RESYNCING, a new subscription, then books and trades."""
    rejection = await tap.wait_for(lambda e: isinstance(e, MarketRejection), after=mark)
    assert rejection.code is ReasonCode.MALFORMED and "unparseable" in rejection.detail
    resync = await tap.wait_for(is_state(FeedState.RESYNCING), after=mark)
    assert "unparseable frame" in resync.detail
    live = await tap.wait_for(is_state(FeedState.LIVE), after=tap.events.index(resync))
    # The book and trade streams lost the same connection: one resync, not one per stream.
    between = tap.events[mark:tap.events.index(live)]
    assert sum(is_state(FeedState.RESYNCING)(e) for e in between) == 1
    await live_source(tap, loopback)
    later = tap.mark()
    await loopback.push_depth("BTCUSDT", asks=[(50000.0, 0.5)])
    book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0, after=later)
    assert book_matches(loopback, book)
    good_id = await loopback.push_trade("BTCUSDT", 50000.0, 0.2, buyer_is_maker=False)
    trade = await tap.wait_for(lambda e: isinstance(e, Trade), after=later)
    assert trade.trade_id == str(good_id)


async def test_a_truncated_trade_frame_makes_the_feed_resubscribe(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        subscribes = loopback.subscribe_requests
        mark = tap.mark()
        # ccxt's own JSON parse fails on this before any handler of ours runs.
        await loopback.send_raw('{"e": "trade", ')
        await resubscribes_and_flows_again(tap, loopback, mark)
        assert loopback.subscribe_requests > subscribes


async def test_a_truncated_depth_frame_resubscribes_and_the_lost_update_is_in_the_new_book(
        loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        mark = tap.mark()
        await loopback.send_truncated("BTCUSDT")
        await resubscribes_and_flows_again(tap, loopback, mark)
        # book_matches above compared with the server's book, which holds the update we could not read.
        assert loopback.book_levels("BTCUSDT")[0][0][1] == 2.0


async def test_a_binary_garbage_frame_makes_the_feed_resubscribe(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        mark = tap.mark()
        await loopback.send_binary(b"\xff\xfe\x00\x9c garbage")
        await resubscribes_and_flows_again(tap, loopback, mark)


async def test_unparseable_depth_levels_are_rejected_and_the_book_recovers(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        mark = tap.mark()
        await loopback.push_depth("BTCUSDT", raw_levels={"b": [["not-a-price", "1.0"]], "a": []})

        rejection = await tap.wait_for(lambda e: isinstance(e, MarketRejection), after=mark)
        assert (rejection.symbol, rejection.code, rejection.source) == ("BTC/USDT", ReasonCode.MALFORMED,
                                                                        "ccxt:binance")
        await tap.wait_for(is_state(FeedState.LIVE), after=mark)
        later = tap.mark()
        await live_source(tap, loopback)
        await loopback.push_depth("BTCUSDT", asks=[(50000.0, 0.5)])
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0, after=later)
        assert book_matches(loopback, book)


async def test_a_trade_without_a_usable_price_is_rejected_and_later_trades_flow(loopback,
                                                                                 loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        mark = tap.mark()
        await loopback.push_trade("BTCUSDT", 0.0, 0.1, buyer_is_maker=False, price_text="garbage")
        rejection = await tap.wait_for(lambda e: isinstance(e, MarketRejection), after=mark)
        assert rejection.code is ReasonCode.MALFORMED
        await live_source(tap, loopback)
        good_id = await loopback.push_trade("BTCUSDT", 50000.5, 0.3, buyer_is_maker=False)
        trade = await tap.wait_for(lambda e: isinstance(e, Trade), after=mark)
        assert trade.trade_id == str(good_id)


async def test_non_json_frames_do_not_crash_the_source(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await live_source(tap, loopback)
        mark = tap.mark()
        await loopback.send_raw("}{ definitely not json")
        await loopback.send_raw('{"e": "depthUpdate", "s": "BTCUSDT"}')
        await loopback.send_raw('{"e": "trade", "s": "BTCUSDT", "p": "1"}')
        await loopback.push_depth("BTCUSDT", asks=[(50000.0, 0.5)])
        # ccxt ignores the first two; the half trade reaches us and is rejected.
        rejection = await tap.wait_for(lambda e: isinstance(e, MarketRejection), after=mark)
        assert (rejection.symbol, rejection.code) == ("BTC/USDT", ReasonCode.MALFORMED)
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0, after=mark)
        assert book_matches(loopback, book)
        assert not any(is_state(FeedState.RESYNCING)(e) for e in tap.events[mark:])
