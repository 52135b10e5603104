"""A backtest keeps the garbage collector off what it set up while its events run (frozen, and
young objects collected every RUN_THRESHOLD allocations), and leaves the collector as it found it."""

from __future__ import annotations

import gc

import pytest

from hft_tui.backtest.quiet_collector import RUN_THRESHOLD, quiet_collector
from hft_tui.backtest.runner import DataSpec, Window, run_backtest
from hft_tui.config.loader import load_settings
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS

SIM = DataSpec("sim", duration_s=120.0)


def test_the_event_loop_runs_with_the_setup_frozen_and_the_collector_is_restored_after() -> None:
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    during: list[tuple[int, int]] = []
    window = Window("full", DEFAULT_SIM_START_NS, DEFAULT_SIM_START_NS + int(SIM.duration_s * 1e9))
    run = run_backtest(load_settings(None, {}), SIM, window,
                       progress=lambda ts, n: during.append((gc.get_freeze_count(), gc.get_threshold()[0])))
    assert run.report.events > 0 and during
    assert all(frozen > 0 and young == RUN_THRESHOLD for frozen, young in during)
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_a_run_that_fails_restores_the_collector_and_keeps_what_others_froze() -> None:
    threshold = gc.get_threshold()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with pytest.raises(KeyboardInterrupt), quiet_collector():
            raise KeyboardInterrupt
        assert gc.get_threshold() == threshold
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
