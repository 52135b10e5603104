"""A paper engine on the loopback exchange: garbled frames make the feed resubscribe, and books
flow into the engine again (the CLI's own assembly, the CLI's own loop)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import orjson
import pytest
from loopback_exchange import LoopbackExchange
from loopback_thread import loopback_exchange_thread
from test_exchange_modes import loopback_settings

from hft_tui.market.feed_health import LIVE_AFTER_BOOKS
from hft_tui.model import FeedState
from hft_tui.session.assembly import build_engine
from hft_tui.session.engine import Engine


async def on_loopback(exchange: LoopbackExchange, coro: Coroutine[Any, Any, Any]) -> Any:
    assert exchange.loop is not None
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, exchange.loop))


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.025)
    raise AssertionError("condition never held")


async def garble_then_trade_on(engine: Engine, exchange: LoopbackExchange) -> None:
    await engine.start()
    try:
        for frame, ask in (('{"e": "trade", ', 50_000.25), (None, 50_000.2)):
            await until(lambda: engine.core.books["BTC/USDT"] is not None
                        and exchange.subscriber_count("btcusdt@depth") > 0)
            subscribes = exchange.subscribe_requests
            if frame is None:
                await on_loopback(exchange, exchange.send_truncated("BTCUSDT"))
            else:
                await on_loopback(exchange, exchange.send_raw(frame))
            await until(lambda: exchange.subscribe_requests > subscribes
                        and exchange.subscriber_count("btcusdt@depth") > 0)
            # A feed at fault is LIVE again after a few good books in a row, not after one: each
            # is waited for (the source conflates books the engine has not taken yet).
            for qty in (0.77, 0.78, 0.79)[:LIVE_AFTER_BOOKS]:
                await on_loopback(exchange, exchange.push_depth("BTCUSDT", asks=[(ask, qty)]))
                await until(lambda q=qty: (book := engine.core.books["BTC/USDT"]) is not None
                            and book.best_ask == ask and float(book.asks[0][1]) == q)
            await until(lambda: engine.core.feed_health.state("BTC/USDT") is FeedState.LIVE)
    finally:
        await engine.stop("test over")


@pytest.mark.slow
def test_garbled_frames_resubscribe_the_paper_feed_and_books_reach_the_engine_again(tmp_path: Path) -> None:
    with loopback_exchange_thread() as exchange:
        settings = loopback_settings(exchange.ccxt_urls(), "paper", tmp_path)
        engine = build_engine(settings)
        asyncio.run(garble_then_trade_on(engine, exchange))
    records = [orjson.loads(line) for path in sorted((tmp_path / "wal").glob("wal-*.jsonl"))
               for line in path.read_bytes().splitlines()]
    feed = [(r["state"], r["detail"]) for r in records if r["type"] == "feed"]
    resyncs = [i for i, (state, detail) in enumerate(feed) if state == "resyncing" and "unparseable frame" in detail]
    assert len(resyncs) == 2, feed
    assert all(any(state == "live" for state, _ in feed[i:]) for i in resyncs)
    assert engine.core.books["BTC/USDT"].best_ask == 50_000.2
