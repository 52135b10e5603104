"""A replay backtest's report depends on the recorded events only, not on how the file is laid out."""

from __future__ import annotations

from pathlib import Path

from hft_tui.backtest.report import report_json
from hft_tui.backtest.runner import DataSpec, data_range, run_backtest, split_windows
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import record_simulation
from hft_tui.data.recording import RecordedSession, SessionRecorder


def _relaid(source: Path, target: Path) -> None:
    """The same session rewritten in many small parts and row groups."""
    session = RecordedSession(source)
    with SessionRecorder(target, session.meta, part_events=700, row_group_events=64) as recorder:
        for event in session.events():
            recorder.write(event)


def test_walk_forward_reports_are_byte_identical_across_row_group_layouts(tmp_path: Path) -> None:
    settings = load_settings(None, {})
    record_simulation(settings, tmp_path / "whole", 45.0)
    _relaid(tmp_path / "whole", tmp_path / "small")
    assert len(RecordedSession(tmp_path / "small").parts()) > len(RecordedSession(tmp_path / "whole").parts())

    whole, small = (DataSpec("recording", path=tmp_path / name, exchange="sim") for name in ("whole", "small"))
    windows = split_windows(*data_range(whole), None, 3)
    assert data_range(small) == data_range(whole)
    reports = []
    for window in windows:
        a = report_json(run_backtest(settings, whole, window).report)
        b = report_json(run_backtest(settings, small, window).report)
        assert a.replace(str(tmp_path / "whole").encode(), str(tmp_path / "small").encode()) == b
        reports.append(a)
    assert len(set(reports)) == len(windows)  # the windows really hold different data
