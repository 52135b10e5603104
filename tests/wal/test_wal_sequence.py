"""Seq starts at 1, grows by one per record, and continues across rotation and restarts."""

from __future__ import annotations

import os
from pathlib import Path

from hft_tui.clock import FrozenClock, iso_utc
from hft_tui.wal.reader import iter_records
from hft_tui.wal.segments import list_segments
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter


def test_seq_continues_across_rotation_and_restarts(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(40, rotate_bytes=2_000)
    write_wal(35, rotate_bytes=2_000)
    with WalWriter(wal_dir, clock, rotate_bytes=2_000) as wal:
        assert wal.last_seq == wal.durable_seq == 75
        assert wal.append("kill", {"reason": "operator"}).seq == 76

    seqs = [record.seq for record in iter_records(wal_dir)]
    assert seqs == list(range(1, 77))
    assert len(list_segments(wal_dir)) > 3


def test_segments_rotate_before_exceeding_the_size_limit(wal_dir: Path, write_wal) -> None:
    write_wal(100, rotate_bytes=3_000)

    segments = list_segments(wal_dir)
    names = [path.name for path in segments]
    assert names == [f"wal-{i:06d}.jsonl" for i in range(1, len(segments) + 1)]
    assert all(0 < os.path.getsize(path) <= 3_000 for path in segments)
    # Every segment but the last was filled as far as the next record allowed.
    line_bytes = max(len(line) + 1 for line in segments[0].read_bytes().splitlines())
    assert all(os.path.getsize(path) > 3_000 - line_bytes for path in segments[:-1])


def test_a_record_larger_than_the_limit_gets_a_segment_of_its_own(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock, rotate_bytes=100) as wal:
        for i in range(3):
            wal.append("snapshot", {"blob": "x" * 200, "i": i})

    assert [len(path.read_bytes().splitlines()) for path in list_segments(wal_dir)] == [1, 1, 1]
    assert verify(wal_dir).ok


def test_rotation_inside_one_group_commit_keeps_order(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock, rotate_bytes=1_500) as wal:
        for i in range(60):
            wal.append("signal", {"strategy": "cvd", "confidence": i / 60})
        wal.sync()  # one commit spanning several segments

    assert [record.seq for record in iter_records(wal_dir)] == list(range(1, 61))
    assert len(list_segments(wal_dir)) > 2


def test_ts_comes_from_the_injected_clock(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock) as wal:
        first = wal.append("session_start", {"mode": "SIM"})
        clock.advance(1.5)
        second = wal.append("session_stop", {"reason": "operator"})

    assert first.ts == iso_utc(clock.now_ns() - 1_500_000_000)
    assert second.ts == iso_utc(clock.now_ns())
    assert [r.ts for r in iter_records(wal_dir)] == [first.ts, second.ts]


def test_tail_returns_newest_records_and_survives_restart(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    written = write_wal(30)
    with WalWriter(wal_dir, clock, tail_size=10) as wal:
        assert wal.tail(3) == written[-3:]
        added = wal.append("pause", {"strategy": "cvd"})
        assert wal.tail(2) == [written[-1], added]
        assert len(wal.tail(100)) == 10
        assert wal.tail(0) == []
