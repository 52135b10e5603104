"""LIVE on OKX, whose fill history holds at most 100 fills an answer, newest first: one order
filled in more fills than a page still has every fill booked once when the kill sweeps them."""

from __future__ import annotations

from pathlib import Path

from live_harness import answered, live_engine, wal_records
from okx_loopback import FILLS_LIMIT, OkxLoopback

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.trading.commands import Kill, PlaceOrder

SWAP = "BTC/USDT:USDT"
INST = "BTC-USDT-SWAP"
PIECES = FILLS_LIMIT + 50  # one contract lot (0.01) each


async def test_a_kill_books_every_fill_of_an_order_filled_in_more_fills_than_a_page(
        okx_loopback: OkxLoopback, okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials,
        tmp_path: Path) -> None:
    engine = await live_engine(okx_settings, tmp_path, credentials=okx_credentials, **{"engine.symbols": [SWAP]})
    try:
        assert engine.live is not None
        result = await engine.execute(PlaceOrder(SWAP, "buy", PIECES * 0.0001, price=49_990.0))
        assert result.ok, result.message
        await answered(engine)
        (ours,) = [o for o in okx_loopback.orders.values() if o.is_open]
        for _ in range(PIECES):  # no await in between: the engine sees them all at once
            okx_loopback.fill_order(ours.ord_id, 0.01, 49_990.0)
        assert ours.state == "filled" and okx_loopback.position(INST) == PIECES * 0.01

        await engine.execute(Kill("test"))
        flat = await engine.live.wait_flat()
        await engine.core.wal.flush()
    finally:
        await engine.stop("test over")

    fill_ids = [r["trade_id"] for r in wal_records(tmp_path, "fill")]
    order_fills = [f["tradeId"] for f in okx_loopback.fills if f["ordId"] == ours.ord_id]
    assert len(order_fills) == PIECES
    assert set(order_fills) <= set(fill_ids), f"{len(set(order_fills) - set(fill_ids))} fills never booked"
    assert sorted(fill_ids) == sorted(f["tradeId"] for f in okx_loopback.fills), "a fill lost or doubled"
    assert flat is not None and flat.flat, flat
    assert okx_loopback.position(INST) == 0
