"""The journal is the engine's heartbeat: the first record the disk will not take puts the
engine into FAILED. No new orders; kill and flatten still reach the broker; nothing that was
acknowledged is lost; a restart comes back HALTED."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from faulty_disk import FaultyDisk

from hft_tui.config.loader import load_settings
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.assembly import build_engine
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import Kill, PauseStrategy
from hft_tui.wal import writer as writer_module
from hft_tui.wal.reader import iter_records
from hft_tui.wal.verify import verify

# Only a guard against a hang: the journal's thread may wait long on a loaded disk, so the wait
# is for the condition, never a number of loop turns.
HANG_GUARD_S = 120.0


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "RETRY_INTERVAL_S", 0.01)


def _engine(state_dir: Path) -> Engine:
    return build_engine(load_settings(None, {"sim.paced": False, "paths.state_dir": str(state_dir)}))


async def _until(condition: object) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the engine never got there")
        await asyncio.sleep(0)


def _spy_on_failure(engine: Engine) -> dict[str, int]:
    """Where the journal stood when the writer reported the failure."""
    seen: dict[str, int] = {}
    report = engine.wal.on_failure
    assert report is not None

    def spy(error: object) -> None:
        seen["last_seq"], seen["durable_seq"] = engine.wal.last_seq, engine.wal.durable_seq
        report(error)  # type: ignore[arg-type]
    engine.wal.on_failure = spy
    return seen


def _is_flat(engine: Engine) -> bool:
    return all(p.is_flat for p in engine.core.portfolio.positions().values())


async def test_an_entry_waiting_for_a_full_disk_never_reaches_the_broker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FaultyDisk(monkeypatch)
    engine = _engine(tmp_path)
    seen = _spy_on_failure(engine)
    entries: list[str] = []
    append = engine.wal.append

    def disk_fills_with_the_first_entry(record_type: str, payload: dict[str, object]) -> object:
        if record_type == "order" and not payload["reduce_only"] and not entries:
            entries.append(str(payload["client_id"]))
            disk.fill()  # the intent's record is the first the disk will not take
        return append(record_type, payload)
    engine.wal.append = disk_fills_with_the_first_entry  # type: ignore[method-assign]
    await engine.start()
    core = engine.core
    await _until(lambda: engine.journal_failure)
    orders_at_failure = core.counters.orders
    await _until(lambda: not core.has_pending_orders)

    assert core.state.state is TradingState.FAILED
    assert "No space left on device" in engine.publish_snapshot().journal_failure
    (entry,) = entries
    updates = [r.payload for r in engine.wal.tail(500) if r.type == "order_update" and r.payload["client_id"] == entry]
    assert [(u["status"], u["reason"]) for u in updates] == [("rejected", "JOURNAL_FAILED")]
    assert not any(f.client_id == entry for f in core.fill_feed.latest()), "the entry never reached the broker"
    # FAILED within one record: the transition is the very next record after the failed batch.
    failed = [r for r in engine.wal.tail(50) if r.type == "state" and r.payload["to"] == "FAILED"]
    assert [r.seq for r in failed] == [seen["last_seq"] + 1]
    for _ in range(200):
        await asyncio.sleep(0)
    assert core.counters.orders == orders_at_failure, "no new orders once FAILED"

    await engine.stop("operator quit")
    assert engine.failure_line().startswith("hft-tui: stopped FAILED: journal write failed")
    disk.heal()
    durable = list(iter_records(tmp_path / "wal", tolerate_torn_tail=True))
    # The failed write may have left the first half of its batch on disk (records never
    # acknowledged, kept like any torn tail); what was acknowledged must all be there, in order.
    seqs = [r.seq for r in durable]
    assert seqs == list(range(1, len(seqs) + 1)), "the journal on disk has no hole"
    assert len(seqs) >= seen["durable_seq"], "nothing acknowledged lost"
    assert len(seqs) <= seen["last_seq"], "nothing written that was never appended"
    fills = core.fill_feed.latest()
    assert len(fills) == core.fill_feed.total, "the feed still holds every fill of this short run"
    sent = {f.client_id for f in fills}
    journaled = {r.payload["client_id"] for r in durable if r.type == "order"}
    assert sent <= journaled, "no order reached the broker without a durable record"


async def test_kill_on_a_failed_journal_still_flattens_and_its_records_land_when_the_disk_heals(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FaultyDisk(monkeypatch)
    engine = _engine(tmp_path)
    await engine.start()
    core = engine.core
    await _until(lambda: not _is_flat(engine) and not core.has_pending_orders)
    disk.fill()
    await _until(lambda: engine.journal_failure)
    events = core.counters.events
    await _until(lambda: core.counters.events > events or _is_flat(engine))  # stops and targets still watch

    refused = await engine.execute(PauseStrategy("cvd"))
    assert not refused.ok and "only kill and flatten" in refused.message
    result = await engine.execute(Kill("operator"))
    assert result.ok and "FAILED; NOT DURABLE" in result.message
    assert _is_flat(engine), "the kill's flatten reached the broker"
    assert engine.snapshot.trading_state == "FAILED" or engine.publish_snapshot().trading_state == "FAILED"

    recovered = asyncio.Event()
    engine.wal.on_recovered = lambda seq: recovered.set()
    disk.heal()
    await recovered.wait()
    await engine.stop("operator quit")
    assert "every held record was written later" in engine.failure_line()
    assert verify(tmp_path / "wal").ok
    types = [r.type for r in iter_records(tmp_path / "wal")]
    assert "kill" in types and types[-1] == "session_stop"

    again = _engine(tmp_path)
    again.begin_session()
    assert again.core.state.state is TradingState.HALTED, "a FAILED session comes back HALTED"
    again.wal.close_sync()
