from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from hft_tui.backtest.report import (
    NS_PER_S,
    SECONDS_PER_YEAR,
    EquityCurve,
    by_entry_reason,
    by_strategy,
    exit_breakdown,
    exposure,
    max_drawdown,
    return_stats,
    tca_summary,
    trade_stats,
)
from hft_tui.model import ReasonCode, Side


@dataclass(frozen=True)
class T:
    strategy: str
    pnl_usd: float
    exit_reason: ReasonCode | None = None
    entry_reasons: tuple[ReasonCode, ...] = ()
    entry_ts_ns: int = 0
    exit_ts_ns: int = 10 * NS_PER_S
    symbol: str = "BTC/USDT"
    side: Side = Side.BUY
    qty: float = 1.0
    entry_price: float = 100.0
    exit_price: float = 101.0


def _curve(equity: list[float], exposed: list[bool] | None = None, step_s: int = 60) -> EquityCurve:
    n = len(equity)
    return EquityCurve(np.arange(n, dtype=np.int64) * step_s * NS_PER_S, np.array(equity, dtype=float),
                       np.array(exposed if exposed is not None else [False] * n))


def test_trade_stats_match_hand_computation() -> None:
    stats = trade_stats([T("a", 30.0), T("a", -10.0), T("b", 20.0), T("b", -20.0), T("b", 0.0)])
    assert (stats.trades, stats.wins, stats.losses) == (5, 2, 2)
    assert stats.win_rate_pct == 40.0
    assert stats.net_pnl == 20.0 and stats.expectancy == 4.0
    assert stats.avg_win == 25.0 and stats.avg_loss == 15.0
    assert stats.profit_factor == pytest.approx(50.0 / 30.0)
    assert stats.payoff_ratio == pytest.approx(25.0 / 15.0)
    assert stats.avg_hold_s == 10.0


def test_profit_factor_is_infinite_without_losses_and_undefined_without_trades_that_won_or_lost() -> None:
    assert trade_stats([T("a", 5.0)]).profit_factor == math.inf
    assert trade_stats([T("a", 0.0)]).profit_factor is None
    assert trade_stats([]).trades == 0


def test_drawdown_depth_and_longest_time_under_water() -> None:
    # peak 110 at t1, trough 88 (-20 %) at t3, back to 110 at t5; then a shallower dip never recovered.
    curve = _curve([100, 110, 99, 88, 100, 110, 120, 114, 115])
    depth, duration_s = max_drawdown(curve)
    assert depth == pytest.approx(0.2)
    assert duration_s == 4 * 60  # t1 -> t5


def test_exposure_counts_the_time_a_position_was_open() -> None:
    curve = _curve([100] * 5, [True, True, False, False, True])
    assert exposure(curve) == 0.5  # 2 of 4 intervals


def test_return_stats_sharpe_and_sortino_from_per_period_returns() -> None:
    equity = [100.0, 101.0, 100.0, 102.0, 101.0] * 8  # hourly, 39 h: long enough to annualise
    stats = return_stats(_curve(equity, step_s=3600), 100.0)
    r = np.diff(equity) / np.array(equity[:-1])
    scale = math.sqrt(SECONDS_PER_YEAR / 3600)
    assert stats.total_return_pct == pytest.approx(1.0)
    assert stats.sharpe == pytest.approx(r.mean() / r.std(ddof=1) * scale)
    assert stats.sortino == pytest.approx(r.mean() / math.sqrt(np.mean(np.minimum(r, 0) ** 2)) * scale)


def test_under_a_day_there_is_no_annualised_return_and_no_sharpe() -> None:
    stats = return_stats(_curve([100.0, 101.0, 100.0, 102.0, 101.0]), 100.0)
    assert stats.annualised_return_pct is None  # under a day: not extrapolated
    assert stats.sharpe is None and stats.sortino is None and "at least a day" in stats.ratios_withheld


def test_annualised_return_compounds_over_the_span() -> None:
    two_days = _curve([100.0, 100.5, 101.0], step_s=86_400)
    stats = return_stats(two_days, 100.0)
    assert stats.annualised_return_pct == pytest.approx((1.01 ** (365 / 2) - 1) * 100)


def test_breakdowns_group_by_exit_kind_strategy_and_reason_code() -> None:
    trades = [
        T("cvd", 10.0, ReasonCode.TAKE_PROFIT, (ReasonCode.CVD_BULL_DIV,)),
        T("cvd", -5.0, ReasonCode.STOP_LOSS, (ReasonCode.CVD_BULL_DIV,)),
        T("spike_fader", -1.0, ReasonCode.KILL, (ReasonCode.SPIKE_FADE_UP,)),
        T("spike_fader", 2.0, None, (ReasonCode.SPIKE_FADE_UP,)),
    ]
    exits = exit_breakdown(trades)
    assert list(exits) == ["take_profit", "stop_loss", "kill", "other"]
    assert exits["stop_loss"].net_pnl == -5.0
    assert {k: v.trades for k, v in by_strategy(trades).items()} == {"cvd": 2, "spike_fader": 2}
    reasons = by_entry_reason(trades)
    assert reasons["CVD_BULL_DIV"].net_pnl == 5.0 and "KILL" not in reasons, "exit reasons are not entry reasons"


def test_tca_summary_weights_shortfall_by_notional_and_maker_share_by_quantity() -> None:
    summary = tca_summary({
        "a": {"orders": 2, "filled_qty": 1.0, "arrival_notional_quote": 1000.0, "avg_shortfall_bps": 2.0,
              "fees_quote": 0.5, "maker_share": 1.0},
        "b": {"orders": 1, "filled_qty": 3.0, "arrival_notional_quote": 3000.0, "avg_shortfall_bps": 6.0,
              "fees_quote": 1.5, "maker_share": 0.0},
    })
    assert summary.orders == 3
    assert summary.avg_shortfall_bps == pytest.approx(5.0)
    assert summary.fee_bps == pytest.approx(5.0)
    assert summary.maker_share_pct == pytest.approx(25.0)


def test_overfitting_is_flagged_when_the_in_sample_winner_collapses_out_of_sample() -> None:
    from hft_tui.backtest.report import (
        Assumptions,
        BacktestReport,
        TcaSummary,
        TradeStats,
    )
    from hft_tui.backtest.sweep import SweepRow, overfitting_warnings, rank

    def report(ret: float) -> BacktestReport:
        stats = return_stats(_curve([100.0, 100.0 + ret]), 100.0)
        return BacktestReport("x", 0, 1, 2, stats, TradeStats(), 0.0, {}, {}, {}, TcaSummary(),
                              Assumptions("d", "f", "fee", "l", "s"))

    rows = rank([SweepRow({"p": p}, report(is_ret), report(oos_ret))
                 for p, is_ret, oos_ret in [(1, 5.0, -1.0), (2, 3.0, 2.0), (3, 2.0, 1.5), (4, 1.0, 1.0)]],
                "return")
    assert [r.params["p"] for r in rows] == [1, 2, 3, 4]
    warnings = overfitting_warnings(rows, "return")
    assert any("keeps less than 50%" in w for w in warnings)
    assert any("ranks 4 of 4 out of sample" in w for w in warnings)


def test_a_winner_whose_out_of_sample_metric_is_undefined_is_said_to_be_unchecked() -> None:
    from hft_tui.backtest.overfitting import overfitting_warnings

    warnings = overfitting_warnings([(1.5, None), (1.0, None)], "sharpe", True, has_out_of_sample=True)
    assert any("the winner's out-of-sample sharpe is undefined" in w for w in warnings)
    assert not any("no out-of-sample window" in w for w in warnings)  # there is one; its figure is undefined


def test_a_day_of_minute_bars_is_a_day_and_gets_its_sharpe() -> None:
    """1,440 one-minute bars are 86,340 s from the first sample to the last, and cover a day (the
    last bar's minute too): a walk-forward window of a day shows its Sharpe; one bar fewer does not."""
    rng = np.random.default_rng(3)
    day = list(100.0 * np.cumprod(1.0 + rng.normal(0.0, 1e-3, 1440)))
    stats = return_stats(_curve(day), 100.0)
    assert stats.ratios_withheld == "" and stats.sharpe is not None and stats.sortino is not None
    assert stats.annualised_return_pct is not None
    short = return_stats(_curve(day[:-1]), 100.0)
    assert short.sharpe is None and short.ratios_withheld == (
        "withheld: the run spans 86,280 s; annualised ratios need at least a day")
