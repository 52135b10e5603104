import numpy as np
import pytest

from hft_tui.backtest.exit_scan import first_exit
from hft_tui.model import Side
from hft_tui.signals.exit_settings import ExitSettings
from hft_tui.signals.exits import ExitRules, ExitTracker

M = 60_000_000_000


def _tracker_exit(rules: ExitRules, close: np.ndarray, ts: np.ndarray) -> int:
    tracker = ExitTracker()
    tracker.track(rules)
    for i, (price, ts_ns) in enumerate(zip(close.tolist(), ts.tolist(), strict=True)):
        if tracker.on_mark(rules.symbol, price, ts_ns) is not None:
            return i
    return -1


SETTINGS = [
    ExitSettings(),
    ExitSettings(take_profit_bps=0.0, stop_loss_bps=0.0, max_hold_s=3_600.0),
    ExitSettings(take_profit_bps=200.0, stop_loss_bps=150.0, trailing_stop_bps=40.0),
    ExitSettings(take_profit_bps=0.0, stop_loss_bps=60.0, trailing_stop_bps=25.0, trailing_activation_bps=30.0),
    ExitSettings(take_profit_bps=0.0, stop_loss_bps=0.0, trailing_stop_bps=35.0),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=["tp-sl", "time", "trailing", "armed-trailing", "trail-only"])
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_the_scan_fires_on_the_bar_the_tracker_fires_on(settings: ExitSettings, side: Side) -> None:
    rng = np.random.default_rng(17)
    fired = 0
    for trial in range(40):
        close = np.round(100.0 * np.exp(np.cumsum(rng.normal(0.0, 1.5e-3, 600))), 2)
        ts = (np.arange(600, dtype=np.int64) + 1) * M
        rules = ExitRules.for_entry("X", side, 100.0, 0, settings)
        expected = _tracker_exit(rules, close, ts)
        assert first_exit(rules, rules.entry_price, close, ts) == expected, trial
        fired += expected >= 0
    assert fired > 10


def test_a_scan_resumed_from_the_trackers_best_mark_agrees_with_one_pass() -> None:
    close = np.array([100.0, 101.0, 103.0, 102.9, 102.8, 102.5, 102.4])
    ts = np.arange(7, dtype=np.int64) * M
    rules = ExitRules.for_entry("X", Side.BUY, 100.0, 0, ExitSettings(take_profit_bps=0.0, stop_loss_bps=0.0,
                                                                        trailing_stop_bps=50.0))
    assert first_exit(rules, 100.0, close, ts) == 6  # 103 * (1 - 0.005) = 102.485
    assert first_exit(rules, 103.0, close[3:], ts[3:]) == 3
    assert first_exit(rules, 100.0, close[3:], ts[3:]) == -1  # without the earlier peak, no trail yet


def test_no_rule_no_exit_and_an_empty_run_has_none() -> None:
    rules = ExitRules.for_entry("X", Side.SELL, 100.0, 0, ExitSettings(take_profit_bps=0.0, stop_loss_bps=0.0))
    assert first_exit(rules, 100.0, np.linspace(50.0, 150.0, 1_000), np.arange(1_000) * M) == -1
    assert first_exit(rules, 100.0, np.empty(0), np.empty(0, dtype=np.int64)) == -1
