"""``[exits]`` settings matter or say why not: a strategy's own take profit and stop loss win,
``[exits]`` levels fill in where it has none, trailing stop and max hold apply to every
position, no take profit is nearer than a round trip of taker fees, an ``[exits]`` level no
enabled strategy would take is a configuration error naming the settings that win, and the
report states the precedence (docs/backtesting.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from backtest_cli_driver import run_backtest_cli, wide_console  # noqa: F401 - autouse fixture

from hft_tui.backtest.runner import DataSpec, data_range, run_backtest, split_windows
from hft_tui.config.loader import load_settings
from hft_tui.model import Side
from hft_tui.signals.exit_settings import ExitSettings
from hft_tui.signals.exits import ExitRules
from hft_tui.wal.reader import iter_records

SIM = DataSpec("sim", duration_s=60.0)
S = 1_000_000_000


def test_a_strategys_own_levels_win_and_exits_fill_in_where_it_has_none() -> None:
    exits = ExitSettings(take_profit_bps=30, stop_loss_bps=20, trailing_stop_bps=15, max_hold_s=60)
    own = ExitRules.for_entry("BTC/USDT", Side.BUY, 100.0, 0, exits, take_profit=101.0, stop_loss=99.5)
    assert (own.take_profit, own.stop_loss) == (101.0, 99.5)
    assert own.trailing_stop_bps == 15 and own.time_stop_ts_ns == 60 * S, "every position"
    default = ExitRules.for_entry("BTC/USDT", Side.BUY, 100.0, 0, exits)
    assert default.take_profit == pytest.approx(100.30) and default.stop_loss == pytest.approx(99.80)


def test_a_take_profit_nearer_than_the_round_trip_is_moved_out_to_it() -> None:
    exits = ExitSettings()
    near = ExitRules.for_entry("BTC/USDT", Side.SELL, 100.0, 0, exits, take_profit=99.95, min_take_profit_bps=20)
    assert near.take_profit == pytest.approx(99.80)
    far = ExitRules.for_entry("BTC/USDT", Side.SELL, 100.0, 0, exits, take_profit=99.0, min_take_profit_bps=20)
    assert far.take_profit == 99.0


def _take_profit_bps(wal_dir: Path) -> list[float]:
    return [abs(r.payload["take_profit"] / r.payload["entry_price"] - 1.0) * 1e4
            for r in iter_records(wal_dir) if r.type == "exit_rules" and r.payload["take_profit"] is not None]


def test_no_backtest_take_profit_is_nearer_than_a_round_trip_of_taker_fees(tmp_path: Path) -> None:
    window = split_windows(*data_range(SIM), None, None)[0]
    floored = run_backtest(load_settings(None, {}), SIM, window, wal_dir=tmp_path / "floored")
    taker_bps = min(float(bps) for bps in re.findall(r"taker ([\d.]+) bps", floored.report.assumptions.fees))
    assert taker_bps > 0
    run_backtest(load_settings(None, {"exits.take_profit_min_round_trips": 0.0}), SIM, window,
                 wal_dir=tmp_path / "unfloored")
    unfloored = _take_profit_bps(tmp_path / "unfloored")
    assert min(unfloored) < 2 * taker_bps, "the default targets include one nearer than the round trip"
    assert min(_take_profit_bps(tmp_path / "floored")) >= 2 * taker_bps * (1 - 1e-9)


@pytest.mark.parametrize("option", [["--set", "exits.take_profit_bps=5"], ["--sweep", "exits.stop_loss_bps=10,20"]])
def test_an_exits_level_no_enabled_strategy_takes_is_a_config_error_naming_the_winners(
        option: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--sim", "10", *option]) == 2
    err = capsys.readouterr().err
    assert "has no effect here" in err and "strategies.trend.take_profit_atr=3" in err
    assert "strategies.cvd.stop_buffer_ranges" in err and "Traceback" not in err


def test_levels_every_position_takes_are_not_refused_and_the_report_states_the_precedence(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--sim", "10", "--set", "exits.trailing_stop_bps=25", "--json"]) == 0
    exits = json.loads(capsys.readouterr().out)["assumptions"]["exits"]
    assert "own TP/SL (win over [exits]): strategies.trend.take_profit_atr=3" in exits
    assert "every position: trailing stop 25 bps" in exits
