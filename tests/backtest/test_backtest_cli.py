from __future__ import annotations

import json
from pathlib import Path

import pytest
from backtest_cli_driver import SAMPLE, run_backtest_cli, wide_console  # noqa: F401 - autouse fixture

from hft_tui.data.candle_store import CandleStore


def test_backtest_on_the_shipped_candles_prints_the_report_and_repeats_its_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["backtest", "--candles", "--data-dir", str(SAMPLE), "--out"]
    assert run_backtest_cli(argv + [str(tmp_path / "a")]) == 0
    printed = capsys.readouterr().out
    for heading in ("final equity", "Sharpe", "max drawdown", "equity and drawdown", "drawdown %",
                    "BTC/USDT: price, entries and exits", "ETH/USDT: price, entries and exits", "buy and hold",
                    "assumptions"):
        assert heading in printed
    assert run_backtest_cli(argv + [str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "report.json").read_bytes() == (tmp_path / "b" / "report.json").read_bytes()
    for name in ("report-summary.csv", "report-equity.csv", "report-trades.csv"):
        assert (tmp_path / "a" / name).exists()
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    store = CandleStore(SAMPLE)
    assert report["events"] == sum(len(store.read("sim", s, "1m")) for s in ("BTC/USDT", "ETH/USDT"))
    assert "sim: BTC/USDT maker 2 bps" in report["assumptions"]["fees"]


def test_backtest_json_over_the_recorded_session_with_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_backtest_cli(["backtest", "--recording", str(SAMPLE / "session"), "--json", "--capital", "50000",
                 "--taker-fee-bps", "1", "--strategies", "cvd,book_imbalance"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["returns"]["initial_equity"] == 50000.0
    assert "taker 1 bps" in report["assumptions"]["fees"]
    assert set(report["strategies"]) <= {"cvd", "book_imbalance"}


def test_walk_forward_runs_one_fresh_report_per_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--sim", "30", "--walk-forward", "3", "--json"]) == 0
    out, decoder, labels, at = capsys.readouterr().out, json.JSONDecoder(), [], 0
    while out[at:].strip():
        doc, at = decoder.raw_decode(out, at + len(out[at:]) - len(out[at:].lstrip()))
        labels.append(doc["label"])
    assert labels == ["window 1", "window 2", "window 3"]


def test_record_writes_a_session_that_backtest_replays(tmp_path: Path) -> None:
    assert run_backtest_cli(["record", "--duration", "5", "--seed", "9", "--out", str(tmp_path / "rec")]) == 0
    meta = json.loads((tmp_path / "rec" / "meta.json").read_text())
    assert meta["seed"] == 9 and meta["complete"] and meta["counts"]["books"] > 0
    assert run_backtest_cli(["backtest", "--recording", str(tmp_path / "rec"), "--json"]) == 0


def test_sweep_prints_in_sample_beside_out_of_sample_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_backtest_cli(["backtest", "--sim", "40", "--split", "0.5", "--sweep", "strategies.spike_fader.take_profit_pct=0.3,1.5",
                 "--metric", "return", "--workers", "2", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "OOS return" in out and "warning" in out
    rows = json.loads((tmp_path / "sweep.json").read_text())["rows"]
    assert sorted(r["params"]["strategies.spike_fader.take_profit_pct"] for r in rows) == [0.3, 1.5]
    assert all(r["out_of_sample"]["label"] == "out-of-sample" for r in rows)


def test_a_missing_candle_series_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--candles", "--data-dir", str(tmp_path)]) == 1
    assert "hft-tui download" in capsys.readouterr().err
