"""A disk that stops taking writes: nothing is acknowledged, nothing acknowledged is lost,
and what was held in memory is written, whole and in order, once the disk takes it again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from faulty_disk import FaultyDisk

from hft_tui.clock import FrozenClock
from hft_tui.wal import writer as writer_module
from hft_tui.wal.errors import WalWriteError
from hft_tui.wal.reader import iter_records
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter

SEGMENT = "wal-000001.jsonl"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "RETRY_INTERVAL_S", 0.01)


async def test_a_full_disk_leaves_the_durable_prefix_and_a_torn_line_at_most(
        wal_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FaultyDisk(monkeypatch)
    wal = WalWriter(wal_dir, clock)
    await wal.start()
    for i in range(3):
        await wal.append_durable("fill", {"n": i})
    disk.fill()
    with pytest.raises(WalWriteError, match="No space left on device"):
        await wal.append_durable("order", {"client_id": "c-4", "note": "x" * 200})
    with pytest.raises(WalWriteError):
        await wal.close()

    # What the disk holds: the three acknowledged records and part of the fourth's line.
    assert (wal_dir / SEGMENT).read_bytes().count(b"\n") == 3
    problem = verify(wal_dir).problem
    assert problem is not None and problem.recoverable, "half a line is a torn write"
    assert [r.payload["n"] for r in iter_records(wal_dir, tolerate_torn_tail=True)] == [0, 1, 2]


async def test_held_records_are_written_whole_once_the_disk_takes_them(
        wal_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FaultyDisk(monkeypatch)
    wal = WalWriter(wal_dir, clock, rotate_bytes=400)  # held records span segments too
    recovered = asyncio.Event()
    wal.on_recovered = lambda seq: recovered.set()
    await wal.start()
    await wal.append_durable("fill", {"n": 0})
    disk.fill()
    with pytest.raises(WalWriteError):
        await wal.append_durable("kill", {"n": 1})
    for n in range(2, 8):
        wal.append("fill", {"n": n, "note": "y" * 100})  # held: the kill path journals into memory
    assert disk.failed_writes >= 1 and wal.held_records == 7

    disk.heal()
    await recovered.wait()
    assert wal.durable_seq == 8 and not wal.failed
    await wal.append_durable("fill", {"n": 8})
    await wal.close()

    assert verify(wal_dir).ok, "the partial line was cut before the held records went out"
    assert [r.payload["n"] for r in iter_records(wal_dir)] == list(range(9))


async def test_a_device_error_on_fsync_is_a_failure_like_a_full_disk(
        wal_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FaultyDisk(monkeypatch)
    wal = WalWriter(wal_dir, clock)
    recovered = asyncio.Event()
    wal.on_recovered = lambda seq: recovered.set()
    await wal.start()
    disk.fail_syncs()
    with pytest.raises(WalWriteError, match="Input/output error"):
        await wal.append_durable("fill", {"n": 0})
    disk.heal()
    await recovered.wait()
    await wal.close()
    assert [r.payload["n"] for r in iter_records(wal_dir)] == [0]


def test_the_sync_path_retries_what_it_holds(wal_dir: Path, clock: FrozenClock,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FaultyDisk(monkeypatch)
    wal = WalWriter(wal_dir, clock)
    wal.append("fill", {"n": 0})
    disk.fill()
    with pytest.raises(WalWriteError):
        wal.sync()
    wal.append("fill", {"n": 1})
    disk.heal()
    wal.close_sync()
    assert [r.payload["n"] for r in iter_records(wal_dir)] == [0, 1]
