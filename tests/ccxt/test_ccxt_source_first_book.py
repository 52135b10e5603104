"""The first book of a stream is checked against the exchange's REST ticker before it is
trusted: a book at 1% of the market never reaches the engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from event_tap import EventTap
from live_harness import live_engine
from loopback_exchange import LoopbackExchange

from hft_tui.clock import WallClock
from hft_tui.config.settings import ExchangeSettings
from hft_tui.market.sources.ccxt import CcxtSource, ticker_price
from hft_tui.model import FeedState, FeedStatus, MarketRejection, OrderBook, ReasonCode


def make_source(settings: ExchangeSettings) -> CcxtSource:
    return CcxtSource.from_settings(settings, ["BTC/USDT"], clock=WallClock(), seed=5)


def is_live(event: object) -> bool:
    return isinstance(event, FeedStatus) and event.state is FeedState.LIVE


async def test_a_first_book_at_one_percent_of_the_ticker_never_reaches_the_engine(
    loopback: LoopbackExchange, loopback_settings: ExchangeSettings
) -> None:
    loopback.ticker_prices["BTCUSDT"] = 5_000_000.0  # the book, around 50,000, is at 1% of it
    async with EventTap(make_source(loopback_settings)) as tap:
        rejection = await tap.wait_for(
            lambda e: isinstance(e, MarketRejection) and e.code is ReasonCode.PRICE_JUMP)
        assert "first book of the stream" in rejection.detail and "ticker 5e+06" in rejection.detail
        assert not any(isinstance(e, OrderBook) or is_live(e) for e in tap.events)

        loopback.ticker_prices.clear()  # the exchange's ticker and its book agree again
        mark = tap.mark()
        book = await tap.wait_for(lambda e: isinstance(e, OrderBook), after=mark)
        bids, asks = loopback.book_levels("BTCUSDT")
        assert np.array_equal(book.bids, np.array(bids)) and np.array_equal(book.asks, np.array(asks))
        await tap.wait_for(is_live, after=mark)
    assert ("GET", "/api/v3/ticker/24hr") in loopback.request_log


def test_the_ticker_price_is_the_mid_else_the_last_trade() -> None:
    assert ticker_price({"bid": 99.0, "ask": 101.0, "last": 50.0}) == 100.0
    assert ticker_price({"bid": None, "ask": 101.0, "last": 50.0}) == 50.0
    assert ticker_price({"bid": float("nan"), "ask": 101.0, "last": 0}) is None
    assert ticker_price({"last": "100"}) is None
    assert ticker_price(None) is None


async def test_a_quiet_market_goes_live_when_the_exchange_answers_slower_than_the_latency_limit(
    loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path
) -> None:
    # Every REST answer takes longer than the sanitizer's max_feed_latency_ms (100 ms), as on
    # a loaded box or a far VPS, and the market sends no update after the first book: a first
    # book held until the ticker came was rejected as late, and the feed never went LIVE.
    loopback.response_delay_s = 0.3
    engine = await live_engine(loopback_settings, tmp_path)  # fails "never happened: the BTC/USDT feed is live"
    await engine.stop("test over")
    assert not engine.core.sanitizer.counts.get(ReasonCode.FEED_LATENCY)
