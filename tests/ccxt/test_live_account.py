"""LIVE sizes against the account, and a balance the engine cannot explain holds it REDUCING."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_harness import live_engine, settle
from loopback_exchange import LoopbackExchange

from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import ReasonCode
from hft_tui.risk.trading_state import TradingState
from hft_tui.trading.commands import PlaceOrder


async def test_equity_comes_from_the_account_not_from_the_settings(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    await engine.stop("test over")
    # 10 000 USDT and 1 BTC at a 50 000 mid (the ETH is not traded here).
    assert engine.core.settings.risk.initial_equity == pytest.approx(60_000.0)
    assert engine.core.portfolio.equity() == pytest.approx(60_000.0, rel=1e-4)
    assert engine.live is not None and engine.live.account.external == {"BTC": pytest.approx(1.0)}


async def test_a_balance_the_engine_cannot_explain_holds_it_reducing_until_it_agrees_again(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    engine = await live_engine(loopback_settings, tmp_path)
    assert engine.live is not None
    account, core, broker = engine.live.account, engine.core, engine.core.broker
    try:
        await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.01))
        await settle(engine)
        assert await account.sync(core, broker) == []
        bought = loopback.place_foreign_order("BTCUSDT", "BUY", 0.1, 49_000.0)  # someone on the web UI
        loopback.fill_order(bought.order_id, 0.1, 49_000.0)
        assert await account.sync(core, broker) == []  # once could be a fill in flight
        (mismatch,) = await account.sync(core, broker)
        held = (core.state.state, core.state.reason)
        refused = await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.002, price=49_990.0))
        sold = loopback.place_foreign_order("BTCUSDT", "SELL", 0.0999, 51_000.0)  # and undone (less its fee)
        loopback.fill_order(sold.order_id, 0.0999, 51_000.0)
        assert await account.sync(core, broker) == []
    finally:
        await engine.stop("test over")

    assert "BTC balance 1.10989" in mismatch
    assert held == (TradingState.REDUCING, ReasonCode.ACCOUNT_MISMATCH)
    assert not refused.ok and "RISK_REDUCE_ONLY" in refused.message
    assert core.state.state is TradingState.ACTIVE
