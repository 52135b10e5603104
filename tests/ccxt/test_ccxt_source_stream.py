"""The ccxt source against the loopback Binance: books, trades, rules, REST fallback."""

from __future__ import annotations

import numpy as np
from event_tap import EventTap
from loopback_exchange import LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.settings import ExchangeSettings
from hft_tui.market.sources.ccxt import CcxtSource
from hft_tui.model import FeedState, FeedStatus, OrderBook, Side, Trade, level_changes


def make_source(settings: ExchangeSettings, symbols: list[str] | None = None, **kwargs: object) -> CcxtSource:
    return CcxtSource.from_settings(settings, symbols or ["BTC/USDT"], clock=WallClock(), seed=1, **kwargs)


def book_matches(loopback: LoopbackExchange, market_id: str, book: OrderBook) -> bool:
    bids, asks = loopback.book_levels(market_id)
    return (np.array_equal(book.bids, np.array(bids, dtype=float))
            and np.array_equal(book.asks, np.array(asks, dtype=float)))


async def test_source_streams_the_servers_book_and_goes_live(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        first = await tap.wait_for(lambda e: isinstance(e, OrderBook))
        assert book_matches(loopback, "BTCUSDT", first)
        await tap.wait_for(lambda e: isinstance(e, FeedStatus) and e.state is FeedState.LIVE)

        mark = tap.mark()
        await loopback.push_depth("BTCUSDT", bids=[(49999.5, 7.0), (49997.0, 0.0)], asks=[(50000.0, 0.25)])
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0, after=mark)
        assert book_matches(loopback, "BTCUSDT", book)
        assert book.bids[0].tolist() == [49999.5, 7.0]
        assert 49997.0 not in book.bids[:, 0]


async def test_source_streams_each_trade_once_with_aggressor_side(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        await tap.wait_for(lambda e: isinstance(e, FeedStatus) and e.state is FeedState.LIVE)
        await _until_subscribed(loopback, "btcusdt@trade")
        buy_id = await loopback.push_trade("BTCUSDT", 50000.5, 0.25, buyer_is_maker=False)
        sell_id = await loopback.push_trade("BTCUSDT", 49999.5, 0.5, buyer_is_maker=True)
        await tap.wait_for(lambda e: isinstance(e, Trade) and e.trade_id == str(sell_id))
        trades = [e for e in tap.events if isinstance(e, Trade)]
        assert [(t.trade_id, t.side, t.price, t.qty) for t in trades] == [
            (str(buy_id), Side.BUY, 50000.5, 0.25),
            (str(sell_id), Side.SELL, 49999.5, 0.5),
        ]


async def test_load_rules_reads_tick_lot_and_minimums_from_exchange_info(loopback, loopback_settings) -> None:
    source = make_source(loopback_settings, ["BTC/USDT", "ETH/USDT"])
    try:
        rules = await source.load_rules()
        btc = rules["BTC/USDT"]
        assert (btc.tick_size, btc.lot_size, btc.min_qty, btc.min_notional) == (0.01, 1e-05, 1e-05, 5.0)
        assert btc.spot and btc.base == "BTC" and btc.quote == "USDT"
        assert rules["ETH/USDT"].lot_size == 0.0001
        assert source.price_to_precision("BTC/USDT", 50000.123456) == 50000.12
        assert source.amount_to_precision("BTC/USDT", 0.123456789) == 0.12345
    finally:
        await source.close()


async def test_without_websockets_the_source_polls_rest(loopback, loopback_settings) -> None:
    ccxt = {**loopback_settings.ccxt, "has": {"watchOrderBook": False, "watchTrades": False}}
    settings = loopback_settings.model_copy(update={"ccxt": ccxt})
    # Printed before the source started: history, not to be replayed as new.
    await loopback.push_trade("BTCUSDT", 50000.5, 0.1, buyer_is_maker=False)
    async with EventTap(make_source(settings)) as tap:
        first = await tap.wait_for(lambda e: isinstance(e, OrderBook))
        assert book_matches(loopback, "BTCUSDT", first)
        # Two more polls of each stream, so the trade poll has seen the history.
        await tap.wait_for(lambda e: isinstance(e, OrderBook), after=tap.mark())
        await tap.wait_for(lambda e: isinstance(e, OrderBook), after=tap.mark())
        new_id = await loopback.push_trade("BTCUSDT", 49999.5, 0.2, buyer_is_maker=True)
        await loopback.push_depth("BTCUSDT", asks=[(50000.0, 1.0)])
        await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0)
        trade = await tap.wait_for(lambda e: isinstance(e, Trade))
        assert (trade.trade_id, trade.side, trade.qty) == (str(new_id), Side.SELL, 0.2)
        await tap.wait_for(lambda e: isinstance(e, OrderBook), after=tap.mark())
        assert sum(isinstance(e, Trade) for e in tap.events) == 1
    assert ("GET", "/api/v3/depth") in loopback.request_log
    assert loopback.subscriber_count("btcusdt@") == 0


async def _until_subscribed(loopback: LoopbackExchange, stream: str) -> None:
    import asyncio

    for _ in range(200):
        if loopback.subscriber_count(stream):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"nobody subscribed to {stream}")


async def test_an_unreachable_exchange_at_start_is_retried_until_it_answers(loopback, loopback_settings) -> None:
    port = loopback.port
    await loopback.stop()
    async with EventTap(make_source(loopback_settings)) as tap:
        waiting = await tap.wait_for(lambda e: isinstance(e, FeedStatus) and "EXCHANGE_UNAVAILABLE" in e.detail)
        assert waiting.state is FeedState.CONNECTING
        await loopback.start(port)
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook))
        assert book_matches(loopback, "BTCUSDT", book)


async def test_a_streamed_book_carries_the_levels_it_changed_since_the_one_before(loopback, loopback_settings) -> None:
    async with EventTap(make_source(loopback_settings)) as tap:
        first = await tap.wait_for(lambda e: isinstance(e, OrderBook))
        await tap.wait_for(lambda e: isinstance(e, FeedStatus) and e.state is FeedState.LIVE)
        mark = tap.mark()
        await loopback.push_depth("BTCUSDT", bids=[(49999.5, 7.0)], asks=[(50000.0, 0.25)])
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook) and e.best_ask == 50000.0, after=mark)
        books = [e for e in tap.events if isinstance(e, OrderBook)]
        previous = books[books.index(book) - 1]
        assert first.changes is None
        assert book.changes is not None and book.changes.prev_seq == previous.seq
        assert (49999.5, 7.0) in [(c.price, c.new_qty) for c in book.changes.bids]
        assert (50000.0, 0.25) in [(c.price, c.new_qty) for c in book.changes.asks]


async def test_every_streamed_update_carries_exactly_what_it_changed_even_past_the_depth(
        loopback, loopback_settings) -> None:
    # Three levels a side of the server's five: new better levels push the third out.
    source = CcxtSource("binance", ["BTC/USDT"], clock=WallClock(), ccxt_config=dict(loopback_settings.ccxt),
                        book_depth=3, seed=1)
    async with EventTap(source) as tap:
        await tap.wait_for(lambda e: isinstance(e, FeedStatus) and e.state is FeedState.LIVE)
        await _until_subscribed(loopback, "btcusdt@depth")
        for bids, asks in (([(49999.5, 4.0)], []), ([(49999.6, 1.0)], [(50000.4, 2.0)]),
                           ([(49999.6, 0.0)], [(50000.5, 0.0), (50003.5, 1.0)]), ([(49990.0, 1.0)], []),
                           ([], [(50000.45, 0.5), (50000.44, 0.5)])):
            await loopback.push_depth("BTCUSDT", bids=bids, asks=asks)
        await tap.wait_for(lambda e: isinstance(e, OrderBook) and 50000.44 in e.asks[:, 0])
    books = [e for e in tap.events if isinstance(e, OrderBook)]
    assert books[0].changes is None and len(books) > 2
    for previous, book in zip(books, books[1:]):
        assert book.changes is not None and book.changes.prev_seq == previous.seq
        assert sorted(book.changes.bids) == sorted(level_changes(previous.bids.tolist(), book.bids.tolist()))
        assert sorted(book.changes.asks) == sorted(level_changes(previous.asks.tolist(), book.asks.tolist()))
    assert books[-1].asks[:, 0].tolist() == [50000.4, 50000.44, 50000.45]
    # Taken from the levels ccxt stored (the tap saw the last book), not by comparing books.
    assert source.exchange.orderbooks["BTC/USDT"].taken.seq == books[-1].seq
