"""LIVE on the loopback: the account follows the exchange's balance stream between REST reads,
and a failed stream falls back to reading the account over REST."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_harness import live_engine, wait_until
from loopback_exchange import LoopbackExchange

from hft_tui.trading.commands import PlaceOrder
from hft_tui.config.settings import ExchangeSettings
from hft_tui.session.engine import Engine
from hft_tui.session.live_account import LiveAccount

ACCOUNT_READ = ("GET", "/api/v3/account")


def agrees(account: LiveAccount, loopback: LoopbackExchange, asset: str) -> bool:
    """The engine's account shows what the exchange holds of ``asset``, free and in total."""
    return (account.totals.get(asset) == pytest.approx(loopback.total(asset))
            and account.free.get(asset) == pytest.approx(loopback.free.get(asset, 0.0)))


def balance_watched(engine: Engine, loopback: LoopbackExchange) -> bool:
    """The engine waits on the balance stream and the exchange has its subscription, so a
    transfer from now on reaches it by the stream (the engine's wait alone comes before the
    exchange has read the subscription: a transfer in between is sent to nobody)."""
    clients = engine.core.broker.exchange.clients.values()
    return loopback.user_subscribers() > 0 and any(
        "ws-api" in client.url and "spot:balance" in client.futures for client in clients)


def account_of(engine: Engine) -> LiveAccount:
    assert engine.live is not None
    return engine.live.account


async def followed_engine(loopback: LoopbackExchange, settings: ExchangeSettings, tmp_path: Path) -> Engine:
    """A LIVE engine whose account was read after reconciliation and whose balance stream is
    followed; periodic reads an hour apart (none in a test)."""
    engine = await live_engine(settings, tmp_path, **{"exchange.account_sync_s": 3600.0})
    try:
        await wait_until(lambda: account_of(engine).external is not None and balance_watched(engine, loopback),
                         "the account was read after reconciliation and the balance stream is followed")
    except BaseException:
        await engine.stop("test over")
        raise
    return engine


async def test_deposits_and_locked_funds_reach_the_account_by_the_stream_between_rest_reads(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await followed_engine(loopback, loopback_settings, tmp_path)
    try:
        account = account_of(engine)
        reads = loopback.request_log.count(ACCOUNT_READ)
        loopback.transfer("USDT", 5_000.0)
        await wait_until(lambda: agrees(account, loopback, "USDT"), "the deposit reached the account")
        mid = engine.core.books["BTC/USDT"].mid
        assert account.equity == pytest.approx(loopback.total("USDT") + loopback.total("BTC") * mid)
        assert engine.core.portfolio.equity() == pytest.approx(account.equity)
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.01, price=49_000.0))  # rests: locks 490 USDT
        await wait_until(lambda: agrees(account, loopback, "USDT") and loopback.locked.get("USDT"),
                         "the locked quote reached the account")
        assert account.totals["USDT"] - account.free["USDT"] == pytest.approx(490.0)
        loopback.step_resting(1.0)
        await wait_until(lambda: agrees(account, loopback, "BTC") and agrees(account, loopback, "USDT"),
                         "the fill's balances reached the account")
    finally:
        await engine.stop("test over")

    assert loopback.request_log.count(ACCOUNT_READ) == reads, "no REST read was needed"


async def test_a_failed_balance_stream_falls_back_to_reading_the_account_over_rest(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await followed_engine(loopback, loopback_settings, tmp_path)
    try:
        account = account_of(engine)
        reads = loopback.request_log.count(ACCOUNT_READ)
        loopback.user_stream_stalled = True
        loopback.transfer("USDT", 2_500.0)  # lost with the stream
        loopback.user_stream_stalled = False
        await loopback.drop_user_streams()
        await wait_until(lambda: agrees(account, loopback, "USDT"), "a REST read found the deposit")
        assert loopback.request_log.count(ACCOUNT_READ) > reads
        await wait_until(lambda: balance_watched(engine, loopback), "the balance stream is followed again")
        await wait_until(lambda: loopback.request_log.count(ACCOUNT_READ) == reads + 2,
                         "read at once, and again once the exchange had the new subscription")
        reads = loopback.request_log.count(ACCOUNT_READ)
        loopback.transfer("USDT", -1_000.0)
        await wait_until(lambda: agrees(account, loopback, "USDT"), "the withdrawal streamed in")
    finally:
        await engine.stop("test over")

    assert loopback.request_log.count(ACCOUNT_READ) == reads


async def test_a_transfer_before_the_exchange_takes_the_new_subscription_reaches_the_account(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    """The stream fails; the REST read in its place is served, then a deposit lands before the
    exchange has the new subscription, so it streams it to nobody: the account has it from the
    read that follows the new subscription, not an ``account_sync_s`` (an hour here) later."""
    engine = await followed_engine(loopback, loopback_settings, tmp_path)
    try:
        account = account_of(engine)
        reads = loopback.request_log.count(ACCOUNT_READ)
        loopback.unstreamed_transfer_after_account_read = ("USDT", 1_234.0)
        await loopback.drop_user_streams()
        await wait_until(lambda: loopback.unstreamed_transfer_after_account_read is None, "the read in the stream's place")
        await wait_until(lambda: agrees(account, loopback, "USDT"), "the deposit reached the account")
        assert loopback.request_log.count(ACCOUNT_READ) == reads + 2
    finally:
        await engine.stop("test over")
