"""LIVE on a journal that stops taking writes: FAILED at once, no new order reaches the
exchange, and the kill still does - its records held in memory and written once the disk
takes them again."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wal"))

from faulty_disk import FaultyDisk  # noqa: E402
from live_harness import live_engine, settle, wal_records  # noqa: E402
from loopback_exchange import LoopbackExchange  # noqa: E402

from hft_tui.config.settings import ExchangeSettings  # noqa: E402
from hft_tui.risk.trading_state import TradingState  # noqa: E402
from hft_tui.trading.commands import Kill, PlaceOrder  # noqa: E402
from hft_tui.wal import writer as writer_module  # noqa: E402
from hft_tui.wal.verify import verify  # noqa: E402


async def test_a_kill_on_a_failed_journal_reaches_the_exchange_and_its_records_land_later(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "RETRY_INTERVAL_S", 0.01)
    loopback.free["USDT"] = 100_000.0
    engine = await live_engine(loopback_settings, tmp_path)
    disk = FaultyDisk(monkeypatch)
    recovered = asyncio.Event()
    try:
        assert (await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.003))).ok
        await settle(engine)
        held_before = loopback.total("BTC")
        sent_before = len(loopback.create_requests)

        disk.fill()
        refused = await engine.execute(PlaceOrder("BTC/USDT", "buy", 0.001))
        assert not refused.ok, "the order whose record could not be made durable is not sent"
        assert engine.core.state.state is TradingState.FAILED
        assert len(loopback.create_requests) == sent_before

        killed = await engine.execute(Kill("operator"))
        assert killed.ok and "NOT DURABLE" in killed.message
        assert engine.live is not None
        flat = await engine.live.wait_flat()
        assert flat is not None and flat.flat, flat
        assert loopback.total("BTC") == pytest.approx(held_before - 0.003, abs=1e-5)

        engine.wal.on_recovered = lambda seq: recovered.set()
        disk.heal()
        await recovered.wait()
    finally:
        await engine.stop("test over")

    assert "every held record was written later" in engine.failure_line()
    assert verify(tmp_path / "wal").ok
    assert wal_records(tmp_path, "kill") and [s["to"] for s in wal_records(tmp_path, "state")][-1] == "FAILED"
