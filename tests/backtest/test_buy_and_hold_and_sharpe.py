"""The buy-and-hold benchmark beside every backtest, and the Sharpe ratio's annualisation, its
standard error and the minimum run it needs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from backtest_cli_driver import SAMPLE, run_backtest_cli, wide_console  # noqa: F401 - autouse fixture

from hft_tui.backtest.buy_and_hold import basket_return_pct, buy_and_hold
from hft_tui.backtest.report import SECONDS_PER_YEAR, EquityCurve, return_stats
from hft_tui.data.candle_store import CandleStore


def test_buy_and_hold_pays_the_taker_fee_in_and_out() -> None:
    hold = buy_and_hold(100.0, 110.0, 0.001)
    assert hold.return_pct == pytest.approx((0.999 * 0.999 * 1.1 - 1.0) * 100.0)
    flat = buy_and_hold(50.0, 50.0, 0.0005)
    assert flat.return_pct < 0  # a flat market costs the round trip
    assert basket_return_pct({"A": hold, "B": flat}) == pytest.approx((hold.return_pct + flat.return_pct) / 2)
    assert basket_return_pct({}) is None


def test_candle_backtest_holds_each_symbol_from_the_windows_first_open_to_its_last_close(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--candles", "--data-dir", str(SAMPLE), "--split", "0.5", "--json"]) == 0
    out, decoder = capsys.readouterr().out, json.JSONDecoder()
    in_sample, at = decoder.raw_decode(out)
    out_of_sample, _ = decoder.raw_decode(out[at:].lstrip())
    store = CandleStore(SAMPLE)
    for symbol in ("BTC/USDT", "ETH/USDT"):
        bars = store.read("sim", symbol, "1m")
        first_oos = int(np.searchsorted(bars.open_ts_ms, out_of_sample["start_ts_ns"] // 1_000_000))
        assert in_sample["buy_and_hold"][symbol]["first_price"] == bars.open[0]
        assert in_sample["buy_and_hold"][symbol]["last_price"] == bars.close[first_oos - 1]
        assert out_of_sample["buy_and_hold"][symbol]["first_price"] == bars.open[first_oos]
        assert out_of_sample["buy_and_hold"][symbol]["last_price"] == bars.close[-1]
        hold = out_of_sample["buy_and_hold"][symbol]
        assert hold["taker_fee"] == 0.0005  # the sample's fee schedule, as the strategies pay it
        assert hold["return_pct"] == pytest.approx(buy_and_hold(hold["first_price"], hold["last_price"], 0.0005).return_pct)
    basket = out_of_sample["buy_and_hold_return_pct"]
    assert basket == pytest.approx(sum(h["return_pct"] for h in out_of_sample["buy_and_hold"].values()) / 2)


def test_a_one_minute_run_withholds_sharpe_but_shows_buy_and_hold(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backtest_cli(["backtest", "--sim", "60", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    sharpe_line = next(line for line in printed.splitlines() if "Sharpe (ann.)" in line)
    assert "withheld: the run spans 60 s; annualised ratios need at least a day" in sharpe_line
    assert "buy and hold over the same period" in printed and "equal weight" in printed
    assert run_backtest_cli(["backtest", "--sim", "60", "--seed", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["returns"]["sharpe"] is None and report["returns"]["sharpe_se"] is None
    assert set(report["buy_and_hold"]) == {"BTC/USDT", "ETH/USDT"}
    assert all(h["first_price"] > 0 and h["last_price"] > 0 for h in report["buy_and_hold"].values())


def test_sharpe_is_annualised_by_the_sampling_period_with_its_standard_error() -> None:
    rng = np.random.default_rng(7)
    step_s, n = 60, 3 * 1440  # three days of minute samples
    returns = rng.normal(2e-5, 1e-3, n)
    equity = 100_000.0 * np.cumprod(np.concatenate(([1.0], 1.0 + returns)))
    ts = np.arange(n + 1, dtype=np.int64) * step_s * 1_000_000_000
    stats = return_stats(EquityCurve(ts, equity, np.zeros(n + 1, dtype=bool)), 100_000.0)
    r = np.diff(equity) / equity[:-1]
    per_sample = r.mean() / r.std(ddof=1)
    periods_per_year = SECONDS_PER_YEAR / step_s
    assert stats.sharpe == pytest.approx(per_sample * math.sqrt(periods_per_year))
    assert stats.sharpe_se == pytest.approx(math.sqrt((1 + per_sample**2 / 2) / n) * math.sqrt(periods_per_year))
    # About sqrt(365 days / span): three days of data cannot tell a Sharpe of 10 from 0.
    assert stats.sharpe_se == pytest.approx(math.sqrt(365 / 3), rel=0.01)
