"""The append fast path (cached stamps, the built-in record tuple, zlib-ng's crc) writes what it always wrote."""

from __future__ import annotations

import zlib
from pathlib import Path

import orjson
from hypothesis import given
from hypothesis import strategies as st

from hft_tui.clock import FrozenClock, iso_utc
from hft_tui.wal.record import WalRecord, check_line
from hft_tui.wal.timestamps import iso_utc_formatter
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter

_BASE_NS = 1_767_225_599_999_998_000  # two microseconds before a new second, minute, day and year


@given(st.lists(st.integers(min_value=0, max_value=5_000), min_size=1, max_size=40))
def test_stamps_within_and_across_microseconds_match_iso_utc(offsets_ns: list[int]) -> None:
    format_ts = iso_utc_formatter()
    times = [_BASE_NS + offset for offset in offsets_ns]
    assert [format_ts(t) for t in times] == [iso_utc(t) for t in times]


def test_appended_record_is_a_wal_record_with_the_fields_written(tmp_path: Path) -> None:
    clock = FrozenClock(_BASE_NS)
    with WalWriter(tmp_path / "wal", clock) as wal:
        record = wal.append("fill", {"order_id": "o-1", "qty": 0.5})
        assert type(record) is WalRecord
        assert record == WalRecord(1, iso_utc(_BASE_NS), "fill", {"order_id": "o-1", "qty": 0.5})
        assert (record.seq, record.type) == (1, "fill")
        assert wal.tail(1) == [record]


def test_a_wal_checksummed_with_plain_zlib_still_verifies(tmp_path: Path) -> None:
    wal_dir = tmp_path / "wal"
    wal_dir.mkdir(mode=0o700)
    lines = []
    for seq in range(1, 4):
        doc = orjson.dumps({"seq": seq, "ts": iso_utc(_BASE_NS + seq), "type": "fill", "n": seq})
        lines.append(doc[:-1] + b',"crc":"%08x"}\n' % zlib.crc32(doc))
    (wal_dir / "wal-000001.jsonl").write_bytes(b"".join(lines))

    assert [check_line(line.rstrip(b"\n")) for line in lines] == [1, 2, 3]
    result = verify(wal_dir)
    assert result.ok and result.records == 3 and result.last_seq == 3
    with WalWriter(wal_dir, FrozenClock(_BASE_NS + 10)) as wal:
        assert wal.append("fill", {"n": 4}).seq == 4
    assert verify(wal_dir).records == 4
