"""Headless runs stop gracefully on every stop signal and leave a WAL that verifies."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from headless_process import hft_tui, start_headless

from hft_tui.wal.reader import iter_records


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_leaves_a_complete_verified_wal_ending_in_session_stop(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    process = start_headless(tmp_path)
    process.send_signal(stop_signal)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"stopped ({stop_signal.name})" in output
    verify = hft_tui("--state-dir", str(tmp_path), "wal", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    records = list(iter_records(tmp_path / "wal"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert records[0].type == "session_start"
    assert records[-1].type == "session_stop"
    assert records[-1].payload["reason"] == stop_signal.name


def test_a_torn_last_line_is_cut_kept_aside_and_the_sequence_continues(tmp_path: Path) -> None:
    process = start_headless(tmp_path)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    segment = sorted((tmp_path / "wal").glob("wal-*.jsonl"))[-1]
    data = segment.read_bytes()
    last_line_start = data.rstrip(b"\n").rfind(b"\n") + 1
    torn_at = last_line_start + (len(data) - last_line_start) // 2
    segment.write_bytes(data[:torn_at])
    good = list(iter_records(tmp_path / "wal", tolerate_torn_tail=True))

    restarted = start_headless(tmp_path)
    restarted.send_signal(signal.SIGTERM)
    restarted.communicate(timeout=30)

    assert list((tmp_path / "wal").glob("*.torn-*")), "the cut bytes are kept next to the segment"
    records = list(iter_records(tmp_path / "wal"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert records[len(good)].type == "session_start"
    assert hft_tui("--state-dir", str(tmp_path), "wal", "verify").returncode == 0


def test_wal_tail_prints_the_newest_records(tmp_path: Path) -> None:
    process = start_headless(tmp_path)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    tail = hft_tui("--state-dir", str(tmp_path), "wal", "tail", "-n", "2")
    assert tail.returncode == 0
    lines = [line for line in tail.stdout.splitlines() if line.strip()]
    assert len(lines) == 2 and "session_stop" in lines[-1]
