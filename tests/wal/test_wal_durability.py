"""WAL before effect: append_durable and flush return only once the bytes are fsync'd."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from faulty_disk import FaultyDisk

from hft_tui.bus import Metrics
from hft_tui.clock import FrozenClock
from hft_tui.wal import appender
from hft_tui.wal.errors import WalClosedError, WalLockedError, WalWriteError
from hft_tui.wal.reader import iter_records
from hft_tui.wal.writer import WalWriter

SEGMENT = "wal-000001.jsonl"


def _on_disk(wal_dir: Path) -> bytes:
    path = wal_dir / SEGMENT
    return path.read_bytes() if path.exists() else b""


async def test_append_alone_is_buffered_not_written(wal_dir: Path, clock: FrozenClock) -> None:
    wal = WalWriter(wal_dir, clock, fsync_interval_ms=60_000)  # the ticker will not fire
    await wal.start()
    record = wal.append("order", {"client_id": "c-1"})

    assert (wal.last_seq, wal.durable_seq) == (1, 0)
    assert _on_disk(wal_dir) == b""

    await wal.flush()
    assert wal.durable_seq == record.seq
    assert b'"client_id":"c-1"' in _on_disk(wal_dir)
    await wal.close()


async def test_append_durable_resolves_only_after_fsync(
    wal_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real_sync = appender.sync_file

    def gated_sync(fd: int) -> None:
        entered.set()
        assert release.wait(5)
        real_sync(fd)

    monkeypatch.setattr(appender, "sync_file", gated_sync)
    async with WalWriter(wal_dir, clock, fsync_interval_ms=60_000) as wal:
        pending = asyncio.create_task(wal.append_durable("kill", {"reason": "operator"}))
        assert await asyncio.to_thread(entered.wait, 5)  # written, now inside fsync
        await asyncio.sleep(0.05)
        assert not pending.done()
        assert wal.durable_seq == 0

        release.set()
        record = await asyncio.wait_for(pending, 5)
        assert wal.durable_seq == record.seq == 1
        assert b'"type":"kill","reason":"operator"' in _on_disk(wal_dir)


async def test_appends_during_an_fsync_share_the_next_one(
    wal_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    entered, release = threading.Event(), threading.Event()
    real_sync = appender.sync_file

    def counting_sync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            entered.set()
            assert release.wait(5)
        real_sync(fd)

    monkeypatch.setattr(appender, "sync_file", counting_sync)
    async with WalWriter(wal_dir, clock, fsync_interval_ms=60_000) as wal:
        first = asyncio.create_task(wal.append_durable("order", {"client_id": "c-1"}))
        assert await asyncio.to_thread(entered.wait, 5)
        rest = [asyncio.create_task(wal.append_durable("order", {"client_id": f"c-{i}"})) for i in range(2, 12)]
        await asyncio.sleep(0)
        release.set()
        await asyncio.wait_for(asyncio.gather(first, *rest), 5)
        assert len(calls) == 2  # one group commit for the ten that queued behind the first

    assert [r.seq for r in iter_records(wal_dir)] == list(range(1, 12))


async def test_the_ticker_commits_without_anyone_waiting(wal_dir: Path, clock: FrozenClock) -> None:
    metrics = Metrics()
    metrics.snapshot(now=0.0)
    async with WalWriter(wal_dir, clock, fsync_interval_ms=1.0, metrics=metrics) as wal:
        for i in range(5):
            wal.append("signal", {"i": i})
        for _ in range(500):
            if wal.durable_seq == 5:
                break
            await asyncio.sleep(0.002)
        assert wal.durable_seq == 5
    assert metrics.wal_fsync_ms > 0
    assert metrics.snapshot(now=1.0).wal_records_per_s == 5


async def test_close_makes_everything_durable_and_refuses_more(wal_dir: Path, clock: FrozenClock) -> None:
    wal = WalWriter(wal_dir, clock, fsync_interval_ms=60_000)
    await wal.start()
    for i in range(100):
        wal.append("fill", {"i": i})
    await wal.close()

    assert wal.durable_seq == 100
    assert len(_on_disk(wal_dir).splitlines()) == 100
    with pytest.raises(WalClosedError):
        wal.append("fill", {"i": 100})


async def test_close_commits_what_an_externally_cancelled_task_left(wal_dir: Path, clock: FrozenClock) -> None:
    wal = WalWriter(wal_dir, clock, fsync_interval_ms=60_000)
    await wal.start()
    wal.append("order", {"client_id": "c-1"})
    # As a loop shutting down would: cancel every task, the commit task among them.
    (commit_task,) = [t for t in asyncio.all_tasks() if t.get_name() == "wal-group-commit"]
    commit_task.cancel()
    await asyncio.sleep(0)
    assert commit_task.cancelled()
    await wal.close()

    assert wal.durable_seq == 1
    assert len(_on_disk(wal_dir).splitlines()) == 1


async def test_a_failed_fsync_fails_the_waiter_and_acknowledges_nothing_after_it(
    wal_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FaultyDisk(monkeypatch)
    disk.fail_syncs()
    wal = WalWriter(wal_dir, clock)
    failures: list[WalWriteError] = []
    wal.on_failure = failures.append
    await wal.start()

    with pytest.raises(WalWriteError, match="Input/output error"):
        await wal.append_durable("kill", {"reason": "operator"})
    assert wal.durable_seq == 0 and wal.failed
    assert len(failures) == 1, "the owner is told once, at the first failure"
    wal.append("order", {"client_id": "c-2"})  # held in memory, never acknowledged
    assert wal.held_records == 2
    with pytest.raises(WalWriteError):
        await wal.flush()
    with pytest.raises(WalWriteError):
        await wal.close()


async def test_waiting_without_start_is_an_error_not_a_hang(wal_dir: Path, clock: FrozenClock) -> None:
    wal = WalWriter(wal_dir, clock)
    with pytest.raises(RuntimeError, match="start"):
        await wal.append_durable("kill", {"reason": "operator"})
    wal.close_sync()  # the record was appended; the sync path still makes it durable
    assert wal.durable_seq == 1


def test_sync_path_writes_and_fsyncs_without_a_loop(wal_dir: Path, clock: FrozenClock) -> None:
    metrics = Metrics()
    metrics.snapshot(now=0.0)
    wal = WalWriter(wal_dir, clock, metrics=metrics)
    wal.append("decision", {"action": "buy"})
    wal.append("decision", {"action": "hold"})
    assert _on_disk(wal_dir) == b""

    wal.sync()
    assert wal.durable_seq == 2
    assert len(_on_disk(wal_dir).splitlines()) == 2
    assert metrics.snapshot(now=1.0).wal_records_per_s == 2
    wal.close_sync()


async def test_sync_is_refused_while_the_commit_task_owns_the_file(wal_dir: Path, clock: FrozenClock) -> None:
    async with WalWriter(wal_dir, clock) as wal:
        wal.append("param", {"name": "x", "value": 1})
        with pytest.raises(RuntimeError, match="flush"):
            wal.sync()


def test_a_second_writer_on_the_same_directory_is_refused(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock):
        with pytest.raises(WalLockedError):
            WalWriter(wal_dir, clock)
    WalWriter(wal_dir, clock).close_sync()  # released on close
