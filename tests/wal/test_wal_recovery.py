"""Opening the WAL after a crash: a torn final line is cut (copy kept); anything else refuses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.wal.errors import WalCorruptError
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record import CorruptionReason
from hft_tui.wal.segments import list_segments
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter


def _tear_last_line(segment: Path, keep_bytes: int) -> bytes:
    """Cut the final line to ``keep_bytes`` as a crash mid-write would; returns the torn bytes."""
    data = segment.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    torn = data[start : start + keep_bytes]
    segment.write_bytes(data[:start] + torn)
    return torn


def test_torn_final_line_is_cut_kept_aside_and_seq_continues(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(20)
    segment = wal_dir / "wal-000001.jsonl"
    torn = _tear_last_line(segment, keep_bytes=37)
    assert not verify(wal_dir).ok

    with WalWriter(wal_dir, clock) as wal:
        report = wal.recovery.torn_tail
        assert report is not None
        assert report.reason is CorruptionReason.TORN_TAIL
        assert (report.path, report.line_no, report.cut_bytes) == (segment, 20, 37)
        assert report.copy_path == wal_dir / "wal-000001.jsonl.torn-20"
        assert report.copy_path.read_bytes() == torn
        assert wal.last_seq == 19
        assert wal.append("kill", {"reason": "after crash"}).seq == 20

    assert verify(wal_dir).ok
    records = list(iter_records(wal_dir))
    assert [r.seq for r in records] == list(range(1, 21))
    assert records[-1].type == "kill"


def test_a_complete_final_line_with_a_bad_checksum_is_corruption_not_a_torn_write(
        wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(5)
    segment = wal_dir / "wal-000001.jsonl"
    lines = segment.read_bytes().splitlines(keepends=True)
    offset = sum(len(line) for line in lines[:-1])
    lines[-1] = lines[-1].replace(b"sim-000005", b"sim-000000")  # a bit flip in a durable record
    before = b"".join(lines)
    segment.write_bytes(before)

    assert not verify(wal_dir).problem.recoverable  # type: ignore[union-attr]
    with pytest.raises(WalCorruptError) as caught:
        WalWriter(wal_dir, clock)
    error = caught.value
    assert (error.path, error.line_no, error.offset, error.seq, error.reason) == (segment, 5, offset, 5, "bad checksum")
    assert f"wal-000001.jsonl:5 (byte {offset}, record seq 5): bad checksum" in str(error)
    assert segment.read_bytes() == before, "refused, nothing cut"
    assert not any(".torn-" in p.name for p in wal_dir.iterdir())


def test_a_second_crash_at_the_same_seq_keeps_both_torn_copies(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(3)
    segment = wal_dir / "wal-000001.jsonl"
    for garbage in (b'{"seq":4,"ts":"20', b'{"seq":4'):
        segment.write_bytes(segment.read_bytes() + garbage)
        WalWriter(wal_dir, clock).close_sync()

    copies = sorted(p.name for p in wal_dir.iterdir() if ".torn-" in p.name)
    assert copies == ["wal-000001.jsonl.torn-4", "wal-000001.jsonl.torn-4.1"]
    assert verify(wal_dir).ok


def test_torn_tail_in_the_newest_segment_after_rotation(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(50, rotate_bytes=2_000)
    newest = list_segments(wal_dir)[-1]
    _tear_last_line(newest, keep_bytes=10)

    with WalWriter(wal_dir, clock, rotate_bytes=2_000) as wal:
        assert wal.recovery.torn_tail is not None
        assert wal.recovery.torn_tail.path == newest
        assert wal.append("fill", {"order_id": "after"}).seq == 50

    assert [r.seq for r in iter_records(wal_dir)] == list(range(1, 51))


def test_corruption_in_the_middle_is_refused_with_its_line_number(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(30)
    segment = wal_dir / "wal-000001.jsonl"
    lines = segment.read_bytes().splitlines(keepends=True)
    lines[11] = lines[11][:25] + b"\n"  # a torn write that is *not* at the end
    before = b"".join(lines)
    segment.write_bytes(before)

    with pytest.raises(WalCorruptError) as caught:
        WalWriter(wal_dir, clock)

    assert (caught.value.path, caught.value.line_no, caught.value.reason) == (segment, 12, "bad JSON")
    assert "wal-000001.jsonl:12" in str(caught.value)
    assert segment.read_bytes() == before  # refused, not "repaired"
    assert not any(".torn-" in p.name for p in wal_dir.iterdir())
    # Refusing released the lock: after repair by hand, a writer can open it again.
    segment.write_bytes(b"".join(lines[:11]))
    WalWriter(wal_dir, clock).close_sync()


def test_seq_gap_is_refused_even_on_the_last_line(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock) as wal:
        for _ in range(4):
            wal.append("decision", {"action": "hold"})
    other = wal_dir.parent / "other"
    with WalWriter(other, clock) as wal:
        for _ in range(6):
            wal.append("decision", {"action": "hold"})
    # Append a well-formed record whose seq skips ahead (6 after 4).
    sixth = (other / "wal-000001.jsonl").read_bytes().splitlines(keepends=True)[5]
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes() + sixth)

    problem = verify(wal_dir).problem
    assert problem is not None
    assert (problem.reason, problem.line_no, problem.recoverable) == (CorruptionReason.SEQ_GAP, 5, False)
    with pytest.raises(WalCorruptError, match="seq gap"):
        WalWriter(wal_dir, clock)


def test_missing_middle_segment_is_a_seq_gap(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(60, rotate_bytes=2_000)
    segments = list_segments(wal_dir)
    os.remove(segments[1])

    with pytest.raises(WalCorruptError) as caught:
        WalWriter(wal_dir, clock, rotate_bytes=2_000)

    assert caught.value.path == segments[2]
    assert caught.value.line_no == 1
    assert caught.value.reason == "seq gap"


def test_torn_end_of_an_older_segment_is_not_a_tail(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(60, rotate_bytes=2_000)
    older = list_segments(wal_dir)[0]
    _tear_last_line(older, keep_bytes=20)

    problem = verify(wal_dir).problem
    assert problem is not None and problem.path == older
    assert not problem.recoverable
    with pytest.raises(WalCorruptError, match="torn tail"):
        WalWriter(wal_dir, clock, rotate_bytes=2_000)


def test_iter_records_can_tolerate_a_live_writers_partial_line(wal_dir: Path, write_wal) -> None:
    write_wal(8)
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes() + b'{"seq":9,"ts":"2026')

    assert [r.seq for r in iter_records(wal_dir, tolerate_torn_tail=True)] == list(range(1, 9))
    with pytest.raises(WalCorruptError, match="torn tail"):
        list(iter_records(wal_dir))
