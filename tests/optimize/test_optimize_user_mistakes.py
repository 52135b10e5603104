"""A user's mistake ends in one line naming it and exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from optimize_driver import DATA, optimize

from hft_tui.cli.main import main


@pytest.mark.parametrize(("extra", "message"), [
    (["--param", "strategies.cvd.lookback_bars=2..50"],
     "strategies.cvd.lookback_bars=2..50 leaves the setting's bounds: it must be between 3 and 1000"),
    (["--param", "strategies.nope.x"], "strategies.nope.x: no such setting"),
    (["--param", "strategies.cvd.bar_mode=1..3"], "takes choices, not a range"),
    (["--param", "strategies.cvd.timeframe=\"7m\""], '"7m" is not allowed'),
    (["--param", "strategies.cvd.take_profit_ranges", "--sampler", "grid"], "the grid sampler needs a step"),
    (["--param", "strategies.cvd.lookback_bars", "--objective", "sharp"], "unknown objective 'sharp'"),
    (["--param", "strategies.cvd.lookback_bars", "--objective", "trades.avg_win"], "trades.avg_win:max"),
    (["--param", "strategies.cvd.lookback_bars", "--sampler", "cmaes"], "unknown sampler 'cmaes'"),
    (["--param", "strategies.cvd.lookback_bars", "--walk-forward", "0"], "at least 1 fold"),
    ([], "nothing to search"),
], ids=["out-of-bounds", "unknown-key", "range-for-choices", "bad-choice", "grid-float-without-step",
        "unknown-metric", "figure-without-direction", "unknown-sampler", "no-folds", "no-params"])
def test_a_mistake_in_the_study_is_one_line(extra: list[str], message: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = optimize("run", *DATA, "--storage", f"sqlite:///{tmp_path / 's.db'}", *extra)
    err = capsys.readouterr().err
    assert code == 2 and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_search_space_file_gives_ranges_and_flags_override_it(tmp_path: Path) -> None:
    from hft_tui.optimize.search_space import load_space_file, merge_space, parse_param

    space = tmp_path / "space.toml"
    space.write_text('[params."strategies.cvd.lookback_bars"]\nlow = 10\nhigh = 60\nstep = 10\n'
                     '[params."strategies.cvd.bar_mode"]\n'
                     '[params."strategies.trend.strong_spread_bps"]\nlow = 5.0\nhigh = 50.0\n')
    merged = merge_space(load_space_file(space), [parse_param("strategies.trend.strong_spread_bps=20..30")])
    assert [p.describe() for p in merged] == [
        "strategies.cvd.lookback_bars=10..60:10",
        'strategies.cvd.bar_mode="trades","candles"',  # an empty table: the setting's own choices
        "strategies.trend.strong_spread_bps=20..30",
    ]
    assert merged[0].grid() == [10, 20, 30, 40, 50, 60]


def test_a_study_run_again_with_another_search_space_is_refused(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 's.db'}"
    base = ["run", *DATA, "--storage", storage, "--study", "s", "--trials", "1", "--workers", "1"]
    assert optimize(*base, "--param", "strategies.cvd.lookback_bars=10..60") == 0
    capsys.readouterr()
    assert optimize(*base, "--param", "strategies.cvd.lookback_bars=10..90") == 2
    assert "study 's' was created with other params" in capsys.readouterr().err


def test_show_of_a_study_that_does_not_exist_names_the_ones_there_are(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 's.db'}"
    assert optimize("run", *DATA, "--storage", storage, "--study", "first", "--trials", "1", "--workers", "1",
                    "--param", "strategies.cvd.lookback_bars=10..60") == 0
    capsys.readouterr()
    assert optimize("show", "--storage", storage, "--study", "second") == 2
    assert "no study named 'second' (studies here: first)" in capsys.readouterr().err


@pytest.mark.parametrize(("study_option", "backtest_option"), [
    (["--param", "exits.take_profit_bps=5..50"], ["--sweep", "exits.take_profit_bps=5,50"]),
    (["--set", "exits.stop_loss_bps=10", "--param", "strategies.cvd.lookback_bars"],
     ["--set", "exits.stop_loss_bps=10"]),
], ids=["searched", "set"])
def test_an_exits_level_no_strategy_takes_is_the_config_error_backtest_gives(
        study_option: list[str], backtest_option: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # trend and cvd set their own take profit and stop loss: [exits] TP/SL would change nothing.
    assert optimize("run", *DATA, "--storage", f"sqlite:///{tmp_path / 's.db'}", *study_option) == 2
    err = capsys.readouterr().err
    assert "has no effect here" in err and "strategies.trend.take_profit_atr=" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s.db").exists(), "refused before any study is made"
    assert main(["backtest", *DATA, *backtest_option]) == 2
    assert capsys.readouterr().err == err, "the same check, the same line, as backtest's"
