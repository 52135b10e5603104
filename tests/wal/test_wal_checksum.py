"""Every line carries a crc over its own bytes; any edit is caught with its line number."""

from __future__ import annotations

import zlib
from pathlib import Path

import orjson
import pytest

from hft_tui.clock import FrozenClock, iso_utc
from hft_tui.wal.errors import WalCorruptError
from hft_tui.wal.record import CorruptionReason, encode_line, parse_line
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter


def test_line_has_envelope_first_payload_next_and_crc_last(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock) as wal:
        wal.append("fill", {"order_id": "o-1", "price": 64000.5, "qty": 0.01})
    line = (wal_dir / "wal-000001.jsonl").read_bytes()

    assert line.endswith(b"\n") and line.count(b"\n") == 1
    doc = orjson.loads(line)
    assert list(doc) == ["seq", "ts", "type", "order_id", "price", "qty", "crc"]
    assert doc["seq"] == 1
    assert doc["ts"] == iso_utc(clock.now_ns())
    assert doc["type"] == "fill"


def test_crc_is_crc32_of_the_record_serialised_without_it() -> None:
    line = encode_line(7, "2026-01-01T00:00:00.000001Z", "order", {"client_id": "c-7", "qty": 1.5})
    doc = orjson.loads(line)
    crc = doc.pop("crc")

    assert crc == f"{zlib.crc32(orjson.dumps(doc)):08x}"
    # ...which a reader can check on the raw bytes: drop the 18-byte crc suffix, close the brace.
    assert line.rstrip(b"\n")[-18:] == b',"crc":"' + crc.encode() + b'"}'
    assert zlib.crc32(line.rstrip(b"\n")[:-18] + b"}") == int(crc, 16)


def test_edited_value_is_a_bad_checksum_at_its_line(wal_dir: Path, write_wal) -> None:
    write_wal(10)
    segment = wal_dir / "wal-000001.jsonl"
    lines = segment.read_bytes().splitlines(keepends=True)
    edited = lines[3].replace(b'"liquidity":"maker"', b'"liquidity":"taker"')  # still valid JSON
    assert edited != lines[3]
    lines[3] = edited
    segment.write_bytes(b"".join(lines))

    result = verify(wal_dir)

    assert not result.ok
    assert result.problem is not None
    assert result.problem.reason is CorruptionReason.BAD_CHECKSUM
    assert (result.problem.path, result.problem.line_no) == (segment, 4)
    assert result.records == 3  # the good prefix


def test_garbled_line_is_bad_json(wal_dir: Path, write_wal) -> None:
    write_wal(5)
    segment = wal_dir / "wal-000001.jsonl"
    lines = segment.read_bytes().splitlines(keepends=True)
    lines[1] = b'{"seq":2,"ts":\n'
    segment.write_bytes(b"".join(lines))

    problem = verify(wal_dir).problem

    assert problem is not None
    assert (problem.reason, problem.line_no) == (CorruptionReason.BAD_JSON, 2)


def test_writer_refuses_to_open_an_edited_wal(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(10)
    segment = wal_dir / "wal-000001.jsonl"
    data = segment.read_bytes()
    segment.write_bytes(data.replace(b'"order_id":"sim-000005"', b'"order_id":"sim-000009"'))

    with pytest.raises(WalCorruptError) as caught:
        WalWriter(wal_dir, clock)

    assert caught.value.path == segment
    assert caught.value.line_no == 5
    assert caught.value.reason == "bad checksum"


def test_parse_line_rejects_uppercase_crc_digits() -> None:
    line = encode_line(1, "2026-01-01T00:00:00.000000Z", "kill", {"reason": "operator"}).rstrip(b"\n")
    shouted = line[:-10] + line[-10:-2].upper() + line[-2:]
    if shouted == line:  # a crc with no hex letters cannot be shouted; pick another record
        line = encode_line(2, "2026-01-01T00:00:00.000000Z", "kill", {"reason": "operator!"}).rstrip(b"\n")
        shouted = line[:-10] + line[-10:-2].upper() + line[-2:]
    assert shouted != line
    assert parse_line(line)["seq"] in (1, 2)
    with pytest.raises(ValueError, match="bad checksum"):
        parse_line(shouted)


def test_reserved_keys_are_refused_and_do_not_burn_a_seq(wal_dir: Path, clock: FrozenClock) -> None:
    with WalWriter(wal_dir, clock) as wal:
        for key in ("seq", "ts", "type", "crc"):
            with pytest.raises(ValueError, match="reserved"):
                wal.append("param", {key: 1})
        with pytest.raises(TypeError):
            wal.append("param", {"value": object()})
        record = wal.append("param", {"name": "threshold", "value": 2.5})

    assert record.seq == 1
    assert verify(wal_dir).ok
