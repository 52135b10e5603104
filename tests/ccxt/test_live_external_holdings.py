"""LIVE holdings outside the engine (the 1 BTC the loopback account holds before it starts):
they follow deposits and withdrawals instead of holding the engine REDUCING, and their price
moves are not drawdowns for the risk guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_harness import live_engine, wait_until, wal_records
from loopback_exchange import LoopbackExchange

from hft_tui.config.settings import ExchangeSettings
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.engine import Engine

# Budgets a 500 USDT move of the 60,000 account (0.8 %) would break.
TIGHT = {"risk.rapid_drawdown_fraction": 0.005, "risk.daily_loss_fraction": 0.005,
         "risk.max_drawdown_fraction": 0.005, "risk.volatility_sigma": 100.0}


async def test_a_deposit_and_a_withdrawal_move_what_is_held_outside_the_engine(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    assert engine.live is not None
    account, core, broker = engine.live.account, engine.core, engine.core.broker
    try:
        loopback.transfer("BTC", 0.5)
        deposit = [await account.sync(core, broker), await account.sync(core, broker)]
        after_deposit = dict(account.external or {})
        loopback.transfer("BTC", -0.3)
        withdrawal = [await account.sync(core, broker), await account.sync(core, broker)]
        await core.wal.flush()
    finally:
        await engine.stop("test over")

    assert deposit == [[], []] and withdrawal == [[], []], "a transfer is no mismatch"
    assert after_deposit == {"BTC": pytest.approx(1.5)}
    assert account.external == {"BTC": pytest.approx(1.2)}
    assert core.state.state is TradingState.ACTIVE and not core.risk.holds
    said = [n.text for n in core.notices.notices if n.source == "account"]
    assert any("BTC +0.5 moved with no trade on BTC/USDT" in text for text in said), said
    assert any("BTC -0.3 moved with no trade" in text for text in said), said
    assert [r["external"] for r in wal_records(tmp_path, "account") if "external" in r][-1] == \
        {"BTC": pytest.approx(1.2)}


async def move_mid(loopback: LoopbackExchange, engine: Engine, mid: float) -> None:
    """Walk the loopback's BTC/USDT book to ``mid`` in 10 USDT steps, each seen by the engine."""
    book = engine.core.books
    current = book["BTC/USDT"].mid
    assert current is not None
    step = 10.0 if mid > current else -10.0
    while abs(current - mid) > 1e-9:
        current = round(current + step, 2)
        old_bids, old_asks = loopback.book_levels("BTCUSDT")
        bids = {round(current - 0.5 - i, 2): 1.0 + i for i in range(5)}
        asks = {round(current + 0.5 + i, 2): 1.5 + i for i in range(5)}
        await loopback.push_depth("BTCUSDT", bids=[(p, 0.0) for p, _ in old_bids if p not in bids] + list(bids.items()),
                                  asks=[(p, 0.0) for p, _ in old_asks if p not in asks] + list(asks.items()))
        await wait_until(lambda c=current: book["BTC/USDT"].mid == c, f"the engine sees the mid at {current}")


async def test_a_price_move_of_the_btc_held_outside_the_engine_is_no_drawdown(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path, **TIGHT)
    assert engine.live is not None
    account, core, broker = engine.live.account, engine.core, engine.core.broker
    try:
        await account.sync(core, broker)  # the first read with the books live: the engine's base
        base = core.portfolio.trading_equity()
        await move_mid(loopback, engine, 49_500.0)
        assert await account.sync(core, broker) == []
        await move_mid(loopback, engine, 49_490.0)  # the risk guard judges on the next book
        judged = (core.state.state, core.drb.state.desired_state, core.drb.state.reason)
        equity, trading = core.portfolio.equity(), core.portfolio.trading_equity()
    finally:
        await engine.stop("test over")

    assert judged[:2] == (TradingState.ACTIVE, TradingState.ACTIVE), judged
    assert equity == pytest.approx(10_000.0 + 49_500.0, abs=15.0), "the account's equity, shown as it is"
    assert trading == pytest.approx(base), "what the risk guard judges: the engine made and lost nothing"
