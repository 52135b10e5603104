"""Every backtest and sweep is saved in the state dir; ``backtest list``, ``show`` and
``compare`` read them back."""

from __future__ import annotations

import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from backtest_cli_driver import wide_console  # noqa: F401 - autouse fixture

from hft_tui import exit_codes
from hft_tui.backtest.saved_runs import RunStore, command_line
from hft_tui.cli.main import main

SIM = ["--sim", "30", "--seed", "4"]
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def hft(state: Path, *argv: str) -> int:
    return main(["--state-dir", str(state), *argv])


def test_backtests_and_sweeps_are_saved_privately_and_listed_shown_and_compared(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    assert hft(state, "backtest", *SIM, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert hft(state, "backtest", *SIM, "--split", "0.5", "--workers", "1",
               "--sweep", "strategies.spike_fader.take_profit_pct=0.3,1.5", "--metric", "return") == 0
    swept = capsys.readouterr()
    assert "saved as run 2: hft-tui backtest show 2" in swept.err

    runs = state / "backtests"
    assert stat.S_IMODE(runs.stat().st_mode) == 0o700
    assert sorted(p.name for p in runs.iterdir()) == ["1.json", "2.json"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in runs.iterdir())

    assert hft(state, "backtest", "list") == 0
    listed = capsys.readouterr().out
    assert "backtest" in listed and "sweep" in listed and "simulator, seed 4" in listed

    assert hft(state, "backtest", "show", "1") == 0
    shown = capsys.readouterr().out
    assert "--sim 30 --seed 4" in shown  # the command it was
    assert f"{report['returns']['final_equity']:,.2f}" in shown and "assumptions" in shown
    assert "equity and drawdown" in shown and "BTC/USDT: price, entries and exits" in shown  # the plots
    assert hft(state, "backtest", "show", "2") == 0
    table = swept.out.split("sweep ranked by")[1]
    assert table.strip() in capsys.readouterr().out  # the sweep's table, as it was printed

    assert hft(state, "backtest", "show", "1", "--json") == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["body"]["windows"][0]["report"] == report
    assert saved["figures"][0]["trades"] == report["trades"]["trades"]

    assert hft(state, "backtest", "compare", "1", "2") == 0
    compared = capsys.readouterr().out
    assert "run 1 · backtest" in compared and "run 2 · sweep" in compared and "its out-of-sample" in compared
    assert f"{report['returns']['total_return_pct']:,.3f}" in compared


@pytest.mark.parametrize("argv", [["show", "7"], ["compare", "1", "nope"], ["show", "../1"]])
def test_an_unknown_run_id_is_one_line_naming_the_saved_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    RunStore(tmp_path).save("backtest", "t", [], {}, command="hft-tui backtest --sim 1")
    assert hft(tmp_path, "backtest", *argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no saved run" in err and "saved runs are 1" in err


@pytest.mark.parametrize("argv", [["list"], ["show", "1"], ["compare", "1", "2"], ["keep", "1"], ["delete", "1"]])
def test_a_missing_state_dir_is_one_line_and_its_own_exit_status(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert hft(tmp_path / "nope", "backtest", *argv) == exit_codes.NO_STATE_DIR
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"hft-tui backtest {argv[0]}: no state dir {tmp_path / 'nope'} (check --state-dir)\n")
    assert not (tmp_path / "nope").exists()


def test_a_state_dir_with_no_saved_runs_yet_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert hft(tmp_path, "backtest", "list") == 0
    assert f"no saved runs in {tmp_path / 'backtests'} yet" in capsys.readouterr().out


def test_processes_saving_at_once_take_distinct_ids(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda i: store.save("backtest", f"run {i}", [], {"i": i}, command="c"), range(40)))
    assert sorted(ids) == list(range(1, 41))
    assert {store.load(run_id).body["i"] for run_id in ids} == set(range(40))
    assert not [p for p in tmp_path.joinpath("backtests").iterdir() if not p.name.endswith(".json")]


def test_a_backtest_without_data_or_saved_run_command_says_what_to_give(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert hft(tmp_path, "backtest") == 2
    assert "--candles, --recording DIR or --sim SECONDS" in capsys.readouterr().err


def test_a_study_is_saved_with_its_ranked_trials_and_no_database_password(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert hft(tmp_path, "optimize", "run", "--candles", "--data-dir", str(SAMPLE), "--symbols", "ETH/USDT",
               "--strategies", "trend", "--vectorised", "--param", "strategies.trend.strong_spread_bps=5..60",
               "--trials", "2", "--workers", "1", "--sampler-seed", "1", "--storage", storage, "--study", "s") == 0
    capsys.readouterr()
    assert hft(tmp_path, "backtest", "show", "1") == 0
    shown = capsys.readouterr().out
    assert "study 's': 2 trials ranked by in-sample sharpe" in shown and "strong_spread_bps" in shown
    saved = RunStore(tmp_path).load(1)
    assert saved.kind == "study" and saved.figures[0]["label"].startswith("best trial")
    assert "hunter22" not in command_line(["optimize", "run", "--storage", "postgresql://quant:hunter22@db/studies"])


def test_a_per_symbol_batch_tells_each_symbol_done_and_saves_a_row_per_symbol(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert hft(tmp_path, "backtest", "--candles", "--data-dir", str(SAMPLE), "--strategies", "trend", "--vectorised",
               "--per-symbol", "--workers", "1") == 0
    err = capsys.readouterr().err
    assert "per-symbol: 1/2 symbols done, best return" in err and "per-symbol: 2/2 symbols done" in err
    saved = RunStore(tmp_path).load(1)
    assert saved.kind == "per-symbol"
    assert [row["label"] for row in saved.figures] == ["BTC/USDT full", "ETH/USDT full"]
