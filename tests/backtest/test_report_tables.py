"""The report a trader acts on: entry reasons apart from exit reasons, per symbol and per
period, Sharpe and Sortino withheld (with the reason) on a run too short to annualise, and a
strategy whose average win does not pay its average cost flagged."""

from __future__ import annotations

import numpy as np

from hft_tui.backtest.report import (
    EquityCurve,
    TcaSummary,
    TradeStats,
    by_entry_reason,
    by_period,
    by_symbol,
    cost_warnings,
    return_stats,
)
from hft_tui.model import ClosedTrade, ReasonCode, Side

S = 1_000_000_000
DAY = 86_400 * S


def _trade(symbol: str, pnl: float, exit_ts_ns: int, reasons: tuple[ReasonCode, ...],
           exit_reason: ReasonCode = ReasonCode.TAKE_PROFIT) -> ClosedTrade:
    return ClosedTrade("cvd", symbol, Side.BUY, 1.0, 100.0, 100.0 + pnl, pnl, exit_ts_ns - 60 * S, exit_ts_ns,
                       reasons, exit_reason)


def _curve(seconds: int, step_s: int) -> EquityCurve:
    ts = np.arange(0, seconds * S + 1, step_s * S, dtype=np.int64)
    rng = np.random.default_rng(1)
    equity = 100_000.0 * np.cumprod(1.0 + rng.normal(0.0, 1e-4, len(ts)))
    return EquityCurve(ts, equity, np.zeros(len(ts), dtype=bool))


def test_sharpe_and_sortino_are_withheld_on_a_run_under_a_day_and_say_why() -> None:
    short = return_stats(_curve(60, 1), 100_000.0)
    assert short.sharpe is None and short.sortino is None
    assert "a day" in short.ratios_withheld
    long = return_stats(_curve(3 * 86_400, 60), 100_000.0)
    assert long.sharpe is not None and long.sortino is not None and long.ratios_withheld == ""


def test_entry_reasons_are_their_own_table_and_symbols_and_days_have_theirs() -> None:
    trades = [_trade("BTC/USDT", 5.0, DAY + 10 * S, (ReasonCode.CVD_BULL_DIV,)),
              _trade("ETH/USDT", -2.0, 2 * DAY + 10 * S, (ReasonCode.CVD_BULL_DIV, ReasonCode.SIGNAL_ACCEPTED),
                     ReasonCode.STOP_LOSS)]
    entry = by_entry_reason(trades)
    assert set(entry) == {"CVD_BULL_DIV", "SIGNAL_ACCEPTED"}, "no exit reason among the entry reasons"
    assert entry["CVD_BULL_DIV"].trades == 2
    assert {k: v.net_pnl for k, v in by_symbol(trades).items()} == {"BTC/USDT": 5.0, "ETH/USDT": -2.0}
    assert list(by_period(trades, 3 * 86_400)) == ["1970-01-02", "1970-01-03"]
    assert list(by_period(trades, 90 * 86_400)) == ["1970-01"]


def test_a_strategy_whose_average_win_is_below_its_average_cost_is_flagged() -> None:
    stats = {"cvd": TradeStats(trades=10, wins=6, losses=4, avg_win=3.0),
             "trend": TradeStats(trades=10, wins=5, losses=5, avg_win=50.0)}
    row = {"orders": 20, "filled_qty": 1.0, "arrival_notional_quote": 200_000.0, "avg_shortfall_bps": 0.5,
           "fees_quote": 40.0, "maker_share": 0.0}
    tca = TcaSummary(by_strategy={"cvd": row, "trend": row})
    warnings = cost_warnings(stats, tca)
    assert len(warnings) == 1 and warnings[0].startswith("cvd: its average win (3.00)")
    assert "(5.00 in fees and shortfall)" in warnings[0]
