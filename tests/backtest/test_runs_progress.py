"""Progress of sweeps, studies and recordings: the lines a log (not a terminal) sees, and the
time left a bar shows."""

from __future__ import annotations

import io

from hft_tui.backtest.recording_progress import RecordingProgress
from hft_tui.backtest.runs_progress import BestSoFar, RunsProgress, time_left


def test_a_sweep_off_a_terminal_prints_a_line_per_finished_run_with_the_best_so_far() -> None:
    log = io.StringIO()
    best = BestSoFar("max_drawdown", higher_is_better=False)
    with RunsProgress("sweep", "combinations", 3, plain="sweep: {done}/{total} {unit} done{best}", stream=log) as p:
        for done, value in enumerate((2.5, None, 1.25), start=1):
            best.offer(value, f"run {done}")
            p.advance(done, best.text)
    assert log.getvalue().splitlines() == [
        "sweep: 1/3 combinations done, best max_drawdown 2.5 (run 1)",
        "sweep: 2/3 combinations done, best max_drawdown 2.5 (run 1)",  # an undefined value changes nothing
        "sweep: 3/3 combinations done, best max_drawdown 1.25 (run 3)",
    ]


def test_a_study_off_a_terminal_prints_only_its_trial_lines() -> None:
    log = io.StringIO()
    with RunsProgress("study s", "trials", None, stream=log) as p:
        p.print("trial 0: complete (sharpe 1.5)")
        p.advance(1, "best sharpe 1.5 (trial 0)")
    assert log.getvalue() == "trial 0: complete (sharpe 1.5)\n"


def test_a_recording_off_a_terminal_says_its_length_then_every_tenth_with_the_time_left() -> None:
    log = io.StringIO()
    with RecordingProgress("recording binance", 600.0, wall=True, stream=log) as progress:
        for seconds in (30.0, 59.0, 61.0, 300.0, 301.0, 600.0):
            progress(int(seconds * 10), seconds)
    assert log.getvalue().splitlines() == [
        "recording binance: 600 s",
        "recording binance: 10% (610 events, 539 s left)",
        "recording binance: 50% (3,000 events, 300 s left)",
        "recording binance: 100% (6,000 events, 0 s left)",
    ]


def test_the_time_left_is_at_the_rate_of_the_whole_run_not_of_the_last_burst() -> None:
    # A study's batch of 8 trials ends within a moment: 8 of 30 after 12 s is 22 more at 1.5 s each.
    assert time_left(8, 30, 12.0) == "0:00:33"
    assert time_left(1, 100, 3_700.0) == "101:45:00"
    assert time_left(0, 30, 5.0) == time_left(5, None, 5.0) == "-:--:--"
