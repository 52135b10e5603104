"""Reading back: everything in order, or the newest few without scanning the whole WAL."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hft_tui.clock import FrozenClock
from hft_tui.model import Side
from hft_tui.wal.reader import iter_records, read_last_records
from hft_tui.wal.segments import list_segments
from hft_tui.wal.writer import WalWriter


def test_iter_records_returns_what_was_appended(wal_dir: Path, write_wal) -> None:
    written = write_wal(200, rotate_bytes=5_000)
    assert list(iter_records(wal_dir)) == written


def test_read_last_records_spans_segments(wal_dir: Path, write_wal) -> None:
    written = write_wal(200, rotate_bytes=2_000)
    assert len(list_segments(wal_dir)) > 10

    records, position = read_last_records(wal_dir, 37)

    assert records == written[-37:]
    assert position is not None
    assert position.segment_index == len(list_segments(wal_dir))
    assert position.offset == list_segments(wal_dir)[-1].stat().st_size


def test_read_last_records_skips_a_partial_final_line(wal_dir: Path, write_wal) -> None:
    written = write_wal(10)
    segment = wal_dir / "wal-000001.jsonl"
    complete = segment.stat().st_size
    segment.write_bytes(segment.read_bytes() + b'{"seq":11,"ts":"2026-')

    records, position = read_last_records(wal_dir, 3)

    assert records == written[-3:]
    assert position is not None and position.offset == complete


def test_read_last_records_with_many_more_wanted_than_exist(wal_dir: Path, write_wal) -> None:
    written = write_wal(5)
    assert read_last_records(wal_dir, 1_000)[0] == written
    assert read_last_records(wal_dir, 0)[0] == []


def test_engine_values_encode_as_plain_json(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock) as wal:
        wal.append("order", {"side": Side.BUY, "qty": np.float64(0.5), "levels": np.array([1.0, 2.0]), "by_level": {3: 1.5}})

    (record,) = iter_records(wal_dir)
    assert record.payload == {"side": "buy", "qty": 0.5, "levels": [1.0, 2.0], "by_level": {"3": 1.5}}
