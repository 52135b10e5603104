from __future__ import annotations

import json
from pathlib import Path

import pytest
from backtest_cli_driver import SAMPLE, run_backtest_cli, wide_console  # noqa: F401 - autouse fixture

from hft_tui.backtest.cli import EXIT_CONFIG_ERROR, EXIT_OK

CANDLE_ONLY = ["--strategies", "trend,cvd", "--set", 'strategies.cvd.bar_mode="candles"']


def test_vectorised_candle_backtest_reports_its_path_in_the_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["backtest", "--candles", "--data-dir", str(SAMPLE), "--symbols", "ETH/USDT", *CANDLE_ONLY, "--json"]
    assert run_backtest_cli([*argv, "--vectorised"]) == EXIT_OK
    fast = json.loads(capsys.readouterr().out)
    assert run_backtest_cli(argv) == EXIT_OK
    events = json.loads(capsys.readouterr().out)
    assert fast["assumptions"].pop("clock").startswith("simulated, vectorised candle path")
    events["assumptions"].pop("clock")
    assert fast == events and fast["trades"]["trades"] > 0


def test_event_path_run_of_a_candle_only_set_suggests_the_vectorised_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--candles", "--data-dir", str(SAMPLE), "--symbols", "ETH/USDT", *CANDLE_ONLY]) == EXIT_OK
    assert "--vectorised runs this much faster" in capsys.readouterr().out


@pytest.mark.parametrize(("extra", "message"), [
    ([], "vpin read order books or trades"),
    (["--strategies", "trend,cvd"], "bar_mode"),
    ([*CANDLE_ONLY, "--sweep", 'strategies.cvd.bar_mode="candles","trades"'],
     "cannot run the combination {'strategies.cvd.bar_mode': 'trades'}"),
], ids=["default-strategies", "cvd-on-trades", "sweep-leaving-the-candle-strategies"])
def test_vectorised_refuses_what_it_cannot_mirror_and_says_what_to_run(
        extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--candles", "--data-dir", str(SAMPLE), "--vectorised", *extra]) == EXIT_CONFIG_ERROR
    assert message in capsys.readouterr().err


def test_vectorised_applies_to_candles_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--sim", "5", "--vectorised", *CANDLE_ONLY]) == EXIT_CONFIG_ERROR
    assert "--candles" in capsys.readouterr().err


def test_a_vectorised_sweep_ranks_each_combination_as_its_own_vectorised_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["backtest", "--candles", "--data-dir", str(SAMPLE), "--symbols", "ETH/USDT", *CANDLE_ONLY, "--vectorised"]
    assert run_backtest_cli([*base, "--sweep", "strategies.trend.strong_spread_bps=10,40", "--workers", "2",
                             "--out", str(tmp_path / "sweep")]) == EXIT_OK
    rows = {r["params"]["strategies.trend.strong_spread_bps"]: r["in_sample"]
            for r in json.loads((tmp_path / "sweep" / "sweep.json").read_text())["rows"]}
    assert rows[10]["trades"] != rows[40]["trades"]  # the swept value matters
    capsys.readouterr()
    for spread_bps, report in rows.items():
        assert run_backtest_cli([*base, "--set", f"strategies.trend.strong_spread_bps={spread_bps}", "--json"]) == EXIT_OK
        single = json.loads(capsys.readouterr().out)
        assert report == single and "vectorised candle path" in report["assumptions"]["clock"]
