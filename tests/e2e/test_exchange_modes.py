"""Paper and live mode end to end against the loopback exchange, built as the CLI builds them."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from loopback_thread import loopback_exchange_thread

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import Settings
from hft_tui.model import FeedState
from hft_tui.session.assembly import build_engine
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import PlaceOrder

LOOPBACK_EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "loopback.toml"


def loopback_settings(urls: dict[str, Any], mode: str, state_dir: Path) -> Settings:
    base = load_settings(LOOPBACK_EXAMPLE)
    exchange = base.exchange.model_copy(update={"ccxt": {**base.exchange.ccxt, "urls": urls}})
    return load_settings(None, {
        "engine.mode": mode,
        "engine.symbols": ["BTC/USDT"],
        "paths.state_dir": str(state_dir),
        "exchange.id": exchange.id,
        "exchange.ccxt": exchange.ccxt,
        "exchange.rest_poll_interval_ms": 200.0,
    })


async def run_until_live_then(engine: Engine, command: PlaceOrder) -> tuple[Any, Any]:
    await engine.start()
    try:
        for _ in range(200):
            if engine.core.feed_health.state("BTC/USDT") is FeedState.LIVE and engine.core.books["BTC/USDT"]:
                break
            await asyncio.sleep(0.05)
        book = engine.core.books["BTC/USDT"]
        result = await engine.execute(command)
        await asyncio.sleep(0.5)
        return book, result
    finally:
        await engine.stop("test over")


def test_paper_mode_streams_the_exchange_book_and_fills_a_paper_order_against_it(tmp_path: Path) -> None:
    with loopback_exchange_thread() as exchange:
        settings = loopback_settings(exchange.ccxt_urls(), "paper", tmp_path)
        engine = build_engine(settings)
        book, result = asyncio.run(run_until_live_then(engine, PlaceOrder("BTC/USDT", "buy", 0.01)))
        bids, asks = exchange.book_levels("BTCUSDT")
    assert result.ok, result.message
    assert book is not None and book.best_ask == asks[0][0] and book.best_bid == bids[0][0]
    fills = engine.core.fill_feed.latest()
    assert fills and fills[0].price == asks[0][0]
    assert engine.core.portfolio.position("BTC/USDT").qty == 0.01
    assert not exchange.orders, "paper mode must never send an order to the exchange"


def test_live_mode_sends_the_order_to_the_exchange_under_our_client_id(tmp_path: Path) -> None:
    credentials = ExchangeCredentials(exchange_id="binance", api_key="loopback-key", secret="loopback-secret")
    with loopback_exchange_thread() as exchange:
        settings = loopback_settings(exchange.ccxt_urls(), "live", tmp_path)
        engine = build_engine(settings, credentials=credentials)
        _, result = asyncio.run(run_until_live_then(engine, PlaceOrder("BTC/USDT", "buy", 0.01, price=49_500.0)))
        sent = list(exchange.orders.values())
    assert result.ok, result.message
    assert len(sent) == 1
    client_id = sent[0].client_id
    nonce = (tmp_path / "client-id-nonce").read_text().strip()
    assert re.fullmatch(r"[a-z][a-z0-9]{7}", nonce) and client_id == f"{nonce}s1o1"
    assert (tmp_path / "client-id-nonce").stat().st_mode & 0o777 == 0o600
    wal_text = "".join(p.read_text() for p in sorted((tmp_path / "wal").glob("wal-*.jsonl")))
    assert client_id in wal_text
    assert "loopback-secret" not in wal_text and "loopback-key" not in wal_text


async def stop_after_live(engine: Engine) -> None:
    await engine.start()
    assert engine.live is not None
    await asyncio.wait_for(engine.live.reconciled(), 10)
    await engine.stop("test over")


def test_a_live_restart_adopts_orders_still_open_and_reports_those_that_are_gone(tmp_path: Path) -> None:
    credentials = ExchangeCredentials(exchange_id="binance", api_key="loopback-key", secret="loopback-secret")
    with loopback_exchange_thread() as exchange:
        settings = loopback_settings(exchange.ccxt_urls(), "live", tmp_path)
        first = build_engine(settings, credentials=credentials)
        asyncio.run(run_until_live_then(first, PlaceOrder("BTC/USDT", "buy", 0.01, price=49_500.0)))
        resting = next(iter(exchange.orders.values()))

        client_id = resting.client_id
        second = build_engine(settings, credentials=credentials)
        asyncio.run(stop_after_live(second))
        assert client_id in second.core.orders, "the resting order is followed again after the restart"

        resting.status = "CANCELED"  # cancelled on the exchange while we were down
        third = build_engine(settings, credentials=credentials)
        asyncio.run(stop_after_live(third))
    assert client_id not in third.core.orders
    assert "was cancelled on the exchange while we were away" in third.snapshot.notice
