"""LIVE on a swap after a restart: a position on the exchange the journal does not explain is
not taken for the operator's own holdings. It is said, journaled and held REDUCING until the
exchange shows the engine's position again."""

from __future__ import annotations

from pathlib import Path

from live_harness import live_engine, settle, wal_records
from okx_loopback import OkxLoopback

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import ReasonCode
from hft_tui.risk.trading_state import TradingState
from hft_tui.trading.commands import PlaceOrder

SWAP = "BTC/USDT:USDT"
INST = "BTC-USDT-SWAP"


async def test_a_swap_position_unexplained_after_a_restart_holds_the_engine_until_it_is_gone(
        okx_loopback: OkxLoopback, okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials,
        tmp_path: Path) -> None:
    first = await live_engine(okx_settings, tmp_path, credentials=okx_credentials, **{"engine.symbols": [SWAP]})
    try:
        assert (await first.execute(PlaceOrder(SWAP, "buy", 0.05))).ok
        await settle(first)
    finally:
        await first.stop("restart")
    lost = okx_loopback.place_foreign_order(INST, "buy", 4, 49_000.0)  # a fill the journal never saw
    okx_loopback.fill_order(lost.ord_id, 4, 49_000.0)

    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials, **{"engine.symbols": [SWAP]})
    try:
        assert engine.live is not None
        core = engine.core
        held = (core.state.state, core.state.reason, set(core.risk.holds))
        notices = [n.text for n in core.notices.notices if not n.acknowledged]
        entry = await engine.execute(PlaceOrder(SWAP, "buy", 0.01))
        await engine.core.wal.flush()
        journaled = [d for r in wal_records(tmp_path, "reconcile") for d in r["differences"]]

        closer = okx_loopback.place_foreign_order(INST, "sell", 4, 51_000.0)  # the operator closes it by hand
        okx_loopback.fill_order(closer.ord_id, 4, 51_000.0)
        assert await engine.live.account.sync(core, core.broker) == []
        after = (core.state.state, set(core.risk.holds))
    finally:
        await engine.stop("test over")

    assert held == (TradingState.REDUCING, ReasonCode.ACCOUNT_MISMATCH, {"unexplained_swap"})
    unexplained = f"{SWAP}: the exchange shows a position of 0.09, the engine's journal 0.05; 0.04 unexplained"
    assert any(text.startswith(f"REDUCING: {unexplained}: never traded by the engine; close it on the exchange")
               for text in notices), notices
    assert unexplained in journaled
    assert not entry.ok, "no entry while the position is unexplained"
    assert after == (TradingState.ACTIVE, set())
