"""LIVE on a swap venue (the OKX loopback): positions are what the exchange's fetch_positions
says, a position the engine cannot explain holds it REDUCING, and the kill ends flat by them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from live_harness import live_engine, settle, wal_records
from okx_loopback import OkxLoopback

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import ReasonCode
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import Kill, PlaceOrder

SWAP = "BTC/USDT:USDT"
INST = "BTC-USDT-SWAP"
CONTRACT = 0.01  # BTC per contract


@pytest.fixture
async def engine(okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials,
                 tmp_path: Path) -> AsyncIterator[Engine]:
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials, **{"engine.symbols": [SWAP]})
    yield engine
    await engine.stop("test over")


def exchange_position(loopback: OkxLoopback) -> float:
    return loopback.position(INST) * CONTRACT


async def trade(engine: Engine, loopback: OkxLoopback) -> None:
    """Market buys, a limit buy filled in steps, a market sell: a long the exchange settles."""
    for command in (PlaceOrder(SWAP, "buy", 0.05), PlaceOrder(SWAP, "buy", 0.03, price=49_990.0),
                    PlaceOrder(SWAP, "buy", 0.02), PlaceOrder(SWAP, "sell", 0.01)):
        result = await engine.execute(command)
        assert result.ok, result.message
    await settle_resting(engine, loopback)


async def settle_resting(engine: Engine, loopback: OkxLoopback) -> None:
    while loopback.step_resting(0.5):
        pass
    await settle(engine)


async def test_swap_fills_leave_the_engine_holding_the_exchanges_position(
        engine: Engine, okx_loopback: OkxLoopback, tmp_path: Path) -> None:
    assert engine.live is not None
    await trade(engine, okx_loopback)
    assert exchange_position(okx_loopback) == pytest.approx(0.09)
    assert engine.core.portfolio.position(SWAP).qty == pytest.approx(exchange_position(okx_loopback), abs=1e-9)
    assert await engine.live.account.sync(engine.core, engine.core.broker) == []
    await engine.core.wal.flush()
    last = wal_records(tmp_path, "account")[-1]
    assert last["positions"][SWAP]["qty"] == pytest.approx(0.09)
    fill_ids = [r["trade_id"] for r in wal_records(tmp_path, "fill")]
    assert sorted(fill_ids) == sorted(f["tradeId"] for f in okx_loopback.fills), "a fill lost or doubled"


async def test_a_swap_position_the_engine_cannot_explain_holds_it_reducing(
        engine: Engine, okx_loopback: OkxLoopback) -> None:
    assert engine.live is not None
    account, core, broker = engine.live.account, engine.core, engine.core.broker
    await trade(engine, okx_loopback)
    foreign = okx_loopback.place_foreign_order(INST, "buy", 4, 49_000.0)  # someone on the web UI
    okx_loopback.fill_order(foreign.ord_id, 4, 49_000.0)
    assert await account.sync(core, broker) == []  # once could be a fill in flight
    (mismatch,) = await account.sync(core, broker)
    held = (core.state.state, core.state.reason)
    okx_loopback.place_foreign_order(INST, "sell", 4, 51_000.0)
    okx_loopback.step_resting(1.0)
    assert await account.sync(core, broker) == []

    assert f"{SWAP} position on the exchange 0.13" in mismatch
    assert held == (TradingState.REDUCING, ReasonCode.ACCOUNT_MISMATCH)
    assert core.state.state is TradingState.ACTIVE


async def test_a_kill_in_an_okx_429_storm_ends_flat_by_the_exchanges_positions(
        engine: Engine, okx_loopback: OkxLoopback, tmp_path: Path) -> None:
    assert engine.live is not None
    await trade(engine, okx_loopback)
    foreign = okx_loopback.place_foreign_order(INST, "sell", 3, 55_000.0)
    await engine.execute(PlaceOrder(SWAP, "buy", 0.02, price=49_990.0))
    okx_loopback.rate_limit_storm(0.5)
    try:
        await engine.execute(Kill("test"))
        result = await engine.live.wait_flat()
    finally:
        okx_loopback.rate_limit_storm(0.0)

    assert result is not None and result.flat, result
    assert okx_loopback.refusals.get("429", 0) > 0
    assert okx_loopback.position(INST) == 0 and not [o for o in okx_loopback.orders.values() if o.is_open]
    assert foreign.state == "canceled", "the kill cancels orders the engine did not place"
    closing = [o for o in okx_loopback.orders.values() if o.reduce_only]
    assert closing and all(o.state == "filled" for o in closing), "the kill closes reduce-only"
    assert engine.core.state.state is TradingState.HALTED
    await engine.core.wal.flush()
    assert wal_records(tmp_path, "flat_confirmed")
