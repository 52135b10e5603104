"""A recording is born private: every file 0600 from the moment it exists (the part still
being written included), directories 0700, whatever the umask; nothing is tightened later,
so a kill at any instant leaves nothing more open."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hft_tui.data.recording import RecordingMeta, SessionRecorder
from hft_tui.model import MarketRules, Side, Trade

RULES = MarketRules(symbol="BTC/USDT", tick_size=0.1, lot_size=0.001, min_qty=0.001, min_notional=5.0)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_part_being_written_and_the_meta_are_owner_only_before_close(tmp_path: Path, loose_umask: None) -> None:
    directory = tmp_path / "recordings" / "session-1"
    recorder = SessionRecorder(directory, RecordingMeta("sim", ("BTC/USDT",), {"BTC/USDT": RULES}),
                               part_events=1_000, row_group_events=2)
    for i in range(3):
        recorder.write(Trade("BTC/USDT", 1_000 + i, 64_000.0, 0.01, Side.BUY, f"t{i}"))
    recorder.wait_until_written()

    (part,) = directory.glob(".events-*.parquet.tmp")  # the open part, as a kill would find it
    assert {p.name: _mode(p) for p in directory.iterdir()} == {part.name: 0o600, "meta.json": 0o600}
    assert _mode(directory) == 0o700 and _mode(directory.parent) == 0o700
    recorder.close()
    assert all(_mode(p) == 0o600 for p in directory.iterdir())
