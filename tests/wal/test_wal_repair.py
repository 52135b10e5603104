"""Corruption is not a torn write: the engine refuses to start and names the record;
``hft-tui wal repair`` is the explicit, journaled way forward."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hft_tui.cli.main import main
from hft_tui.clock import FrozenClock
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record import encode_line, parse_line
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter


def _flip_a_bit(segment: Path, line_no: int) -> bytes:
    """Damage line ``line_no`` (1-based) in place, as a bad sector would; returns the damaged line."""
    lines = segment.read_bytes().splitlines(keepends=True)
    lines[line_no - 1] = lines[line_no - 1].replace(b'"symbol":"BTC/USDT"', b'"symbol":"BTC/USDU"')
    segment.write_bytes(b"".join(lines))
    return lines[line_no - 1]


def test_the_engine_refuses_a_bit_flip_in_the_last_record_in_one_line_naming_it(
        wal_dir: Path, write_wal) -> None:
    write_wal(5)
    _flip_a_bit(wal_dir / "wal-000001.jsonl", 5)
    run = subprocess.run([sys.executable, "-m", "hft_tui", "--headless", "--state-dir", str(wal_dir.parent)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 3
    (line,) = run.stderr.strip().splitlines()
    assert "wal-000001.jsonl:5 (byte " in line and "record seq 5): bad checksum" in line
    assert "hft-tui wal repair" in line


def test_repair_replaces_a_damaged_record_keeps_the_rest_and_journals_it(
        wal_dir: Path, write_wal, clock: FrozenClock, capsys: pytest.CaptureFixture[str]) -> None:
    written = write_wal(8)
    damaged = _flip_a_bit(wal_dir / "wal-000001.jsonl", 3)
    state = ["--state-dir", str(wal_dir.parent)]

    assert main([*state, "wal", "repair"]) == 1, "not at a terminal: needs --yes"
    assert not verify(wal_dir).ok
    assert main([*state, "wal", "repair", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "replace the damaged record at wal-000001.jsonl line 3" in out

    assert verify(wal_dir).ok
    records = list(iter_records(wal_dir))
    assert [r.seq for r in records] == list(range(1, 10))
    assert [r.payload for r in records[3:8]] == [r.payload for r in written[3:8]], "every later record kept"
    placeholder, repair = records[2], records[-1]
    assert placeholder.type == "corrupt_record" and placeholder.payload["reason"] == "bad checksum"
    assert placeholder.payload["original"] == damaged.rstrip(b"\n").decode()
    assert repair.type == "wal_repair"
    assert {k: repair.payload[k] for k in ("action", "line", "record_seq", "records_lost")} == {
        "action": "replace", "line": 3, "record_seq": 3, "records_lost": 1}
    copy = wal_dir / repair.payload["copy"]
    assert copy.read_bytes() == damaged and stat.S_IMODE(os.stat(copy).st_mode) == 0o600

    with WalWriter(wal_dir, clock) as wal:  # the engine's writer opens it again
        assert wal.append("kill", {"reason": "after repair"}).seq == 10


def test_repair_cuts_at_a_seq_gap_and_sets_the_rest_aside(
        wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]) -> None:
    write_wal(6)
    segment = wal_dir / "wal-000001.jsonl"
    lines = segment.read_bytes().splitlines(keepends=True)
    doc = parse_line(lines[3].rstrip(b"\n"))
    seq, ts, kind = doc.pop("seq"), doc.pop("ts"), doc.pop("type")
    del doc["crc"]
    lines[3] = encode_line(seq + 10, ts, kind, doc)  # well formed, but seq 14 after 3
    segment.write_bytes(b"".join(lines))

    assert main(["--state-dir", str(wal_dir.parent), "wal", "repair", "--yes"]) == 0
    assert "cut the WAL at wal-000001.jsonl line 4" in capsys.readouterr().out
    records = list(iter_records(wal_dir))
    assert [r.seq for r in records] == [1, 2, 3, 4]
    assert records[-1].type == "wal_repair" and records[-1].payload["records_lost"] == 3
    assert (wal_dir / records[-1].payload["copy"]).read_bytes() == b"".join(lines[3:])


def test_a_torn_tail_needs_no_repair(wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]) -> None:
    write_wal(3)
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes() + b'{"seq":4,"ts":')
    assert main(["--state-dir", str(wal_dir.parent), "wal", "repair", "--yes"]) == 0
    assert "nothing to repair" in capsys.readouterr().out
    assert segment.read_bytes().endswith(b'{"seq":4,"ts":'), "the engine cuts a torn tail itself"
