"""PnL periods follow the risk guard's trading day: today, the week from Monday's trading
day, the month from the 1st's, all time; and the report sums, groups and charts the trades
closed in them."""

from __future__ import annotations

import datetime as dt

import pytest

from hft_tui.trading.pnl_report import Period, period_start_ns, pnl_report, trading_date
from hft_tui.wal.record_types import ABSENT, TradeClosed

HOUR_NS = 3600 * 10**9
RESET_AT_2 = 2 * HOUR_NS  # risk.daily_reset_utc = "02:00"


def _ns(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()) * 10**9


def _trade(closed: str, pnl: float, strategy: str = "cvd", symbol: str = "BTC/USDT",
           fees: float | None = 1.0) -> TradeClosed:
    exit_ns = _ns(closed)
    return TradeClosed(strategy=strategy, symbol=symbol, side="buy", qty=0.1, entry_price=100.0, exit_price=101.0,
                       pnl=pnl, fees=ABSENT if fees is None else fees, entry_ts_ns=exit_ns - 5 * 10**9,
                       exit_ts_ns=exit_ns, entry_reasons=["CVD_BULL_DIV"], exit_reason="TAKE_PROFIT")


def test_before_the_reset_hour_it_is_still_yesterdays_trading_day() -> None:
    assert trading_date(_ns("2026-12-05T01:59:59"), RESET_AT_2) == dt.date(2026, 12, 4)
    assert trading_date(_ns("2026-12-05T02:00:00"), RESET_AT_2) == dt.date(2026, 12, 5)


@pytest.mark.parametrize(("period", "start"), [
    (Period.TODAY, "2026-12-04T02:00:00"),   # Friday 01:00 is Thursday's trading day
    (Period.WEEK, "2026-11-30T02:00:00"),    # Monday's trading day
    (Period.MONTH, "2026-12-01T02:00:00"),   # the 1st's trading day
])
def test_periods_start_on_trading_day_boundaries(period: Period, start: str) -> None:
    assert period_start_ns(period, _ns("2026-12-05T01:00:00"), RESET_AT_2) == _ns(start)


def test_all_time_starts_at_the_beginning() -> None:
    assert period_start_ns(Period.ALL, _ns("2026-12-05T01:00:00"), RESET_AT_2) == 0


def test_a_report_keeps_the_trades_of_its_period_and_groups_them() -> None:
    trades = [_trade("2026-11-20T10:00:00", 50.0),  # last month
              _trade("2026-12-01T10:00:00", -20.0, strategy="trend"),
              _trade("2026-12-05T03:00:00", 7.0, symbol="ETH/USDT"),
              _trade("2026-12-05T04:00:00", 3.0, fees=None)]
    now = _ns("2026-12-05T05:00:00")
    today = pnl_report(trades, Period.TODAY, now, RESET_AT_2)
    assert (today.total.trades, today.total.pnl) == (2, 10.0)
    assert today.total.fees is None  # one of them was journaled without its fees
    assert [(g.key, g.pnl) for g in today.by_symbol] == [("ETH/USDT", 7.0), ("BTC/USDT", 3.0)]
    month = pnl_report(trades, Period.MONTH, now, RESET_AT_2)
    assert [(g.key, g.trades, g.wins) for g in month.by_strategy] == [("trend", 1, 0), ("cvd", 2, 2)]
    assert [value for _, value in month.curve] == [-20.0, -13.0, -10.0]
    assert [g.key for g in month.by_day] == ["2026-12-01", "2026-12-05"]
    everything = pnl_report(trades, Period.ALL, now, RESET_AT_2)
    assert everything.total.pnl == 40.0 and everything.curve[0] == (_ns("2026-11-20T10:00:00"), 50.0)
