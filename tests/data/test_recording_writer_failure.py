"""A part that fails to write on the recorder's writer thread is not lost silently: the
recorder raises it to its caller (the input recorder then journals it and stops recording)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hft_tui.data.recording import RecordingMeta, SessionRecorder
from hft_tui.model import MarketRules, Side, Trade

RULES = MarketRules(symbol="BTC/USDT", tick_size=0.1, lot_size=0.001, min_qty=0.001, min_notional=5.0)


def _trade(i: int) -> Trade:
    return Trade("BTC/USDT", 1_000 + i, 64_000.0, 0.01, Side.BUY, f"t{i}")


def test_a_row_group_that_cannot_be_written_is_raised_by_close(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    recorder = SessionRecorder(directory, RecordingMeta("sim", ("BTC/USDT",), {"BTC/USDT": RULES}),
                               part_events=1_000, row_group_events=2)
    shutil.rmtree(directory)  # the disk takes nothing more
    recorder.write(_trade(0))
    recorder.write(_trade(1))  # a row group handed to the writer thread
    with pytest.raises(FileNotFoundError):
        recorder.close()


def test_a_row_group_that_cannot_be_written_is_raised_by_the_next_one_handed_over(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    recorder = SessionRecorder(directory, RecordingMeta("sim", ("BTC/USDT",), {"BTC/USDT": RULES}),
                               part_events=1_000, row_group_events=2)
    shutil.rmtree(directory)
    recorder.write(_trade(0))
    recorder.write(_trade(1))
    recorder.write(_trade(2))
    with pytest.raises(FileNotFoundError):
        recorder.write(_trade(3))
