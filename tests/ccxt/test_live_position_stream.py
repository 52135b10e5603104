"""LIVE on OKX, swap positions come on the private websocket's positions channel between
account reads (watch_positions); when the stream drops, a REST read covers what it missed."""

from __future__ import annotations

from pathlib import Path

from live_harness import live_engine, wait_until
from okx_loopback import OkxLoopback

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.execution.broker import ExchangePosition

SWAP = "BTC/USDT:USDT"
INST = "BTC-USDT-SWAP"
POSITIONS_READ = ("GET", "/api/v5/account/positions")


async def test_swap_positions_follow_the_positions_channel_and_a_drop_is_covered_by_rest(
        okx_loopback: OkxLoopback, okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials,
        tmp_path: Path) -> None:
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials,
                               **{"engine.symbols": [SWAP], "exchange.account_sync_s": 3600})
    assert engine.live is not None
    account = engine.live.account

    def held() -> float:
        return account.positions.get(SWAP, ExchangePosition(0.0)).qty

    try:
        await wait_until(lambda: okx_loopback.position_sockets, "the engine subscribes to the positions channel")
        reads_before = okx_loopback.request_log.count(POSITIONS_READ)
        bought = okx_loopback.place_foreign_order(INST, "buy", 3, 49_000.0)  # someone on the web UI
        okx_loopback.fill_order(bought.ord_id, 3, 49_000.0)
        await wait_until(lambda: abs(held() - 0.03) < 1e-9, "the account follows the position up")
        sold = okx_loopback.place_foreign_order(INST, "sell", 3, 51_000.0)
        okx_loopback.fill_order(sold.ord_id, 3, 51_000.0)
        await wait_until(lambda: abs(held()) < 1e-9, "the account follows the position back to flat")
        reads_streamed = okx_loopback.request_log.count(POSITIONS_READ)

        await okx_loopback.drop_private_sockets()
        again = okx_loopback.place_foreign_order(INST, "buy", 2, 49_000.0)
        okx_loopback.fill_order(again.ord_id, 2, 49_000.0)  # pushed to nobody
        await wait_until(lambda: abs(held() - 0.02) < 1e-9, "a REST read finds what the dropped stream missed")
        await wait_until(lambda: okx_loopback.position_sockets, "the engine subscribes again")
    finally:
        await engine.stop("test over")

    assert reads_streamed == reads_before, "no REST read was needed while the stream ran"
    assert okx_loopback.position_pushes >= 2
    assert okx_loopback.request_log.count(POSITIONS_READ) > reads_streamed
