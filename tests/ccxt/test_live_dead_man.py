"""LIVE on the OKX loopback: the dead-man's switch cancels resting orders when the engine dies,
never while it lives, and a clean stop disarms it.

The switches here count the loopback exchange's seconds (the wall clock moved on by the test's
``advance``), so a refresh period passes when the test lets the exchange's time pass, not after
2.5 seconds of waiting: the same clock the exchange's countdown runs on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from live_harness import live_engine, wait_until
from okx_loopback import OkxLoopback, OkxOrder

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import ReasonCode
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.engine import Engine
from hft_tui.session.engine_snapshot import DeadManView
from hft_tui.session.live_dead_man import RETRY_S, DeadManSwitch
from hft_tui.trading.commands import Kill, PlaceOrder

SWAP = "BTC/USDT:USDT"
TIMEOUT_S = 10
TICK_S = 0.02  # how often a switch's sleep looks at the exchange's clock


@pytest.fixture(autouse=True)
def exchange_seconds(okx_loopback: OkxLoopback, monkeypatch: pytest.MonkeyPatch) -> None:
    def monotonic() -> float:
        return okx_loopback.now_ms() / 1000

    async def sleep(seconds: float) -> None:
        until = monotonic() + seconds
        while (left := until - monotonic()) > 0:
            await asyncio.sleep(min(left, TICK_S))

    monkeypatch.setattr(DeadManSwitch, "monotonic", staticmethod(monotonic))
    monkeypatch.setattr(DeadManSwitch, "sleep", staticmethod(sleep))


@pytest.fixture
async def engine(okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials,
                 tmp_path: Path) -> AsyncIterator[Engine]:
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials,
                               **{"engine.symbols": [SWAP], "exchange.dead_man_s": TIMEOUT_S})
    yield engine
    await engine.stop()


async def rest_a_buy(engine: Engine, loopback: OkxLoopback) -> OkxOrder:
    """A 0.01 BTC (one contract) buy resting below the market."""
    result = await engine.execute(PlaceOrder(SWAP, "buy", 0.01, price=49_900.0))
    assert result.ok, result.message
    await wait_until(lambda: any(o.is_open for o in loopback.orders.values()), "the buy rests on the exchange")
    return next(o for o in loopback.orders.values() if o.is_open)


async def refreshed(loopback: OkxLoopback) -> None:
    """Until the engine refreshes the switch once more."""
    count = len(loopback.dead_man_requests)
    await wait_until(lambda: len(loopback.dead_man_requests) > count, "the engine refreshes the dead-man's switch")


def crash(engine: Engine) -> None:
    """What a dead engine does from now on: nothing (every task of it cancelled at once)."""
    assert engine.live is not None
    for task in [*engine._tasks, *engine.live._tasks, *engine.core.broker._tasks]:
        task.cancel()


async def test_resting_orders_outlive_the_timeout_while_the_engine_refreshes_and_die_with_it(
        engine: Engine, okx_loopback: OkxLoopback) -> None:
    await wait_until(lambda: okx_loopback.dead_man_requests, "the engine arms the dead-man's switch")
    assert okx_loopback.dead_man_requests[0] == TIMEOUT_S
    order = await rest_a_buy(engine, okx_loopback)
    for _ in range(2):  # 12 s pass on the exchange's clock, more than the timeout, in two halves
        okx_loopback.advance(TIMEOUT_S * 0.6)
        await refreshed(okx_loopback)
    assert order.is_open and okx_loopback.dead_man_fired == 0
    assert engine.publish_snapshot().dead_man == DeadManView(TIMEOUT_S, armed=True)
    crash(engine)
    okx_loopback.advance(TIMEOUT_S + 1)
    assert okx_loopback.dead_man_fired == 1 and order.state == "canceled"
    await engine.stop("crashed")
    assert 0 not in okx_loopback.dead_man_requests, "a crashed engine disarmed the switch"


async def test_a_clean_stop_disarms_the_switch(engine: Engine, okx_loopback: OkxLoopback) -> None:
    await wait_until(lambda: okx_loopback.dead_man_requests, "the engine arms the dead-man's switch")
    order = await rest_a_buy(engine, okx_loopback)
    await engine.stop()
    assert okx_loopback.dead_man_requests[-1] == 0
    okx_loopback.advance(TIMEOUT_S * 3)
    okx_loopback.check_timers()
    assert order.is_open and okx_loopback.dead_man_fired == 0


async def test_a_switch_that_cannot_be_armed_holds_reducing_until_it_is(
        okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials, okx_loopback: OkxLoopback,
        tmp_path: Path) -> None:
    okx_loopback.dead_man_unavailable = True
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials,
                               **{"engine.symbols": [SWAP], "exchange.dead_man_s": TIMEOUT_S})
    try:
        core = engine.core
        await wait_until(lambda: core.state.reason is ReasonCode.DEAD_MAN_AT_RISK, "held for the dead-man's switch")
        assert core.state.state is TradingState.REDUCING
        assert any("dead-man's switch refresh failed" in n.text for n in core.notices.notices)
        view = engine.publish_snapshot().dead_man
        assert view is not None and not view.armed and "50001" in view.failure
        okx_loopback.dead_man_unavailable = False
        okx_loopback.advance(RETRY_S)  # the retry is due
        await wait_until(lambda: core.state.state is TradingState.ACTIVE, "trading resumes once the switch is armed")
        assert okx_loopback.dead_man_requests == [TIMEOUT_S]
    finally:
        await engine.stop()


async def test_orphans_are_cancelled_at_start_on_okx(okx_settings: ExchangeSettings,
                                                     okx_credentials: ExchangeCredentials,
                                                     okx_loopback: OkxLoopback, tmp_path: Path) -> None:
    foreign = okx_loopback.place_foreign_order("BTC-USDT-SWAP", "sell", 2, 60_000.0)
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials,
                               **{"engine.symbols": [SWAP], "exchange.cancel_orphans_on_start": True})
    try:
        assert foreign.state == "canceled"
    finally:
        await engine.stop()


async def test_a_switch_not_refreshed_for_half_its_timeout_holds_the_engine_reducing_until_refreshed(
        engine: Engine, okx_loopback: OkxLoopback) -> None:
    assert engine.live is not None and engine.live.dead_man is not None
    switch, core = engine.live.dead_man, engine.core
    now = [1_000.0]
    switch.monotonic = lambda: now[0]  # the seconds the exchange counts, told by the test
    assert await switch.refresh()
    okx_loopback.dead_man_unavailable = True
    now[0] += TIMEOUT_S / 2 - 1
    assert not await switch.refresh()
    early = (core.state.state, switch.view().failure != "")
    now[0] += 1
    assert not await switch.refresh()
    at_risk = (core.state.state, core.state.reason, core.risk.holds.get("dead_man", (None, ""))[1])
    okx_loopback.dead_man_unavailable = False
    assert await switch.refresh()

    assert early == (TradingState.ACTIVE, True), "a failure with time to spare is said, not held"
    assert at_risk[:2] == (TradingState.REDUCING, ReasonCode.DEAD_MAN_AT_RISK)
    assert "not refreshed for 5 s: the exchange may cancel resting orders within 5 s" in at_risk[2]
    assert core.state.state is TradingState.ACTIVE and switch.view() == DeadManView(TIMEOUT_S, armed=True)


async def test_the_switch_is_refreshed_while_a_kill_is_under_way(
        okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials, okx_loopback: OkxLoopback,
        tmp_path: Path) -> None:
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials,
                               **{"engine.symbols": [SWAP], "exchange.dead_man_s": TIMEOUT_S,
                                  "exchange.kill_deadline_s": 1.0})
    try:
        assert engine.live is not None and engine.live.dead_man is not None
        await wait_until(lambda: okx_loopback.dead_man_requests, "the engine arms the dead-man's switch")
        # A position the engine never had keeps the kill running to its deadline, NOT FLAT.
        foreign = okx_loopback.place_foreign_order("BTC-USDT-SWAP", "buy", 1, 49_000.0)
        okx_loopback.fill_order(foreign.ord_id, 1, 49_000.0)
        await engine.execute(Kill("test"))
        killing = engine.live.last_flatten is None
        sent = len(okx_loopback.dead_man_requests)
        refreshed_during_kill = await engine.live.dead_man.refresh()
        still_killing = engine.live.last_flatten is None
        result = await engine.live.wait_flat()
        view = engine.live.dead_man_view()
        armed_on_exchange = okx_loopback.dead_man_trigger_ms > 0
    finally:
        await engine.stop()

    assert killing and refreshed_during_kill and still_killing
    assert len(okx_loopback.dead_man_requests) > sent and armed_on_exchange
    assert result is not None and not result.flat
    assert any(f"shows a {SWAP} position of 0.01" in left for left in result.left), result.left
    assert view == DeadManView(TIMEOUT_S, armed=True)
