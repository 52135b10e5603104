"""``wal tail -f``: new records appear as they are committed, across segment rotation."""

from __future__ import annotations

from pathlib import Path

from hft_tui.clock import FrozenClock
from hft_tui.wal.record import encode_line
from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.follow import follow_records
from hft_tui.wal.reader import read_last_records
from hft_tui.wal.writer import WalWriter


def test_follow_yields_new_records_across_rotation(wal_dir: Path, clock: FrozenClock) -> None:
    wal = WalWriter(wal_dir, clock, rotate_bytes=600)
    for i in range(5):
        wal.append("fill", {"i": i})
    wal.sync()
    shown, position = read_last_records(wal_dir, 2)
    assert [r.seq for r in shown] == [4, 5]

    # Each time the follower would sleep, the "engine" commits a few more records.
    script = iter(range(3))

    def sleep(_: float) -> None:
        step = next(script, None)
        if step is None:
            raise KeyboardInterrupt
        for i in range(6):
            wal.append("fill", {"i": 100 + step * 10 + i})
        wal.sync()

    followed = []
    try:
        for record in follow_records(wal_dir, position, sleep=sleep):
            followed.append(record.seq)
    except KeyboardInterrupt:
        pass
    wal.close_sync()

    assert followed == list(range(6, 24))
    assert len(sorted(wal_dir.glob("wal-*.jsonl"))) > 2


def test_follow_starts_from_nothing_when_no_wal_exists_yet(wal_dir: Path, clock: FrozenClock) -> None:
    shown, position = read_last_records(wal_dir, 10)
    assert (shown, position) == ([], None)
    polls = 0
    wal = None

    def sleep(_: float) -> None:
        nonlocal polls, wal
        polls += 1
        if polls == 1:
            wal = WalWriter(wal_dir, clock)
            wal.append("session_start", {"mode": "SIM"})
            wal.close_sync()
        else:
            raise KeyboardInterrupt

    followed = []
    try:
        for record in follow_records(wal_dir, position, sleep=sleep):
            followed.append(record.type)
    except KeyboardInterrupt:
        pass
    assert followed == ["session_start"]


def test_follow_waits_for_the_rest_of_a_line_being_written(wal_dir: Path) -> None:
    ensure_private_dir(wal_dir)
    segment = wal_dir / "wal-000001.jsonl"
    lines = [encode_line(seq, "2026-01-01T00:00:00.000000Z", "fill", {"n": seq}) for seq in (1, 2)]
    segment.write_bytes(lines[0] + lines[1][:20])
    seen: list[int] = []

    def sleep(_: float) -> None:
        if segment.stat().st_size < len(lines[0] + lines[1]):
            assert seen == [1]  # the half-written second line was not yielded
            with open(segment, "ab") as handle:
                handle.write(lines[1][20:])
        else:
            raise KeyboardInterrupt

    try:
        for record in follow_records(wal_dir, None, sleep=sleep):
            seen.append(record.seq)
    except KeyboardInterrupt:
        pass
    assert seen == [1, 2]


def test_follow_drops_a_torn_line_that_recovery_cut_off(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock) as wal:
        for i in range(3):
            wal.append("fill", {"i": i})
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes() + b'{"seq":4,"ts":"1999-')  # the crash
    restarted = False

    def sleep(_: float) -> None:
        nonlocal restarted
        if restarted:
            raise KeyboardInterrupt
        restarted = True
        with WalWriter(wal_dir, clock) as wal:  # recovery cuts the torn line
            wal.append("session_start", {"mode": "SIM"})
            wal.append("kill", {"reason": "operator"})

    seen = []
    try:
        for record in follow_records(wal_dir, None, sleep=sleep):
            seen.append((record.seq, record.type))
    except KeyboardInterrupt:
        pass
    assert seen == [(1, "fill"), (2, "fill"), (3, "fill"), (4, "session_start"), (5, "kill")]
