"""A backtest says how far it is while it runs, and Ctrl+C stops it at once with its own
exit status (the windows already run stay reported)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hft_tui import exit_codes
from hft_tui.backtest.progress import PROGRESS_EVERY
from hft_tui.backtest.runner import DataSpec, data_range, run_backtest, split_windows
from hft_tui.config.loader import load_settings

sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))
from cli_process import hft_tui_interrupted  # noqa: E402

SIM = DataSpec("sim", duration_s=300.0)


def test_the_event_path_reports_simulated_time_and_events_as_it_goes() -> None:
    window = split_windows(*data_range(SIM), None, None)[0]
    seen: list[tuple[int, int]] = []
    run = run_backtest(load_settings(None, {}), SIM, window, progress=lambda ts, n: seen.append((ts, n)))
    assert len(seen) == run.report.events // PROGRESS_EVERY > 0
    assert [n for _, n in seen] == [PROGRESS_EVERY * (i + 1) for i in range(len(seen))]
    times = [ts for ts, _ in seen]
    assert times == sorted(times) and window.start_ts_ns <= times[0] and times[-1] <= window.end_ts_ns


@pytest.mark.slow
def test_ctrl_c_stops_a_running_backtest_with_the_interrupted_status() -> None:
    outcome = hft_tui_interrupted("backtest full: 10%", "backtest", "--sim", "7200")
    assert outcome.code == exit_codes.INTERRUPTED, outcome.stderr
    assert "interrupted during full" in outcome.stderr and "Traceback" not in outcome.stderr
    assert "100%" not in outcome.stderr
