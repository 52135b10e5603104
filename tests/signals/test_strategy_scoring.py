import math

import pytest

from hft_tui.model import ClosedTrade, ReasonCode, Side
from hft_tui.signals.scoring import AutoDisableLimits, StrategyScoreboard, StrategyStats


def closed(pnl: float, strategy: str = "alpha", entry: tuple[ReasonCode, ...] = (ReasonCode.CVD_BULL_DIV,),
           exit_reason: ReasonCode | None = ReasonCode.TAKE_PROFIT) -> ClosedTrade:
    return ClosedTrade(strategy, "BTC/USDT", Side.BUY, 1.0, 100.0, 100.0 + pnl, pnl, 0, 1, entry, exit_reason)


def test_stats_by_hand() -> None:
    # +30, -10, +20, -20, 0: cumulative 30, 20, 40, 20, 20 -> drawdown 20 from the 40 peak
    stats = StrategyStats.from_pnls([30, -10, 20, -20, 0])
    assert (stats.trades, stats.wins, stats.losses) == (5, 2, 2)
    assert stats.win_rate == pytest.approx(0.4)
    assert stats.pnl_usd == pytest.approx(20)
    assert stats.profit_factor == pytest.approx(50 / 30)
    assert stats.expectancy_usd == pytest.approx(4)
    assert stats.avg_win_usd == pytest.approx(25)
    assert stats.avg_loss_usd == pytest.approx(15)
    assert stats.payoff_ratio == pytest.approx(25 / 15)
    assert stats.max_drawdown_usd == pytest.approx(20)


def test_profit_factor_without_losses_is_infinite_and_empty_stats_are_zero() -> None:
    assert math.isinf(StrategyStats.from_pnls([5, 5]).profit_factor)
    empty = StrategyStats()
    assert (empty.win_rate, empty.profit_factor, empty.expectancy_usd, empty.payoff_ratio) == (0, 0, 0, 0)


def test_no_verdict_before_the_minimum_number_of_trades() -> None:
    board = StrategyScoreboard(AutoDisableLimits(min_trades=5))
    assert [board.record(closed(-1)) for _ in range(4)] == [None] * 4
    assert board.record(closed(-1)) is not None


def test_each_limit_names_itself_in_the_breach() -> None:
    # 2 wins of 5 = 40 % passes a 30 % win rate, but profit factor 2 / 30 fails 0.8.
    board = StrategyScoreboard(AutoDisableLimits(min_trades=5, min_win_rate=0.3, min_profit_factor=0.8))
    for pnl in (1, -10, 1, -10, -10):
        reason = board.record(closed(pnl))
    assert reason is not None and reason.startswith("profit factor 0.07 below 0.80")

    board = StrategyScoreboard(AutoDisableLimits(min_trades=3, min_win_rate=0.0, min_profit_factor=0.0,
                                                 max_drawdown_usd=25))
    for pnl in (10, -20, -20):
        reason = board.record(closed(pnl))
    assert reason == "drawdown 40.00 above 25.00 over the last 3 trades"


def test_a_healthy_strategy_passes() -> None:
    board = StrategyScoreboard(AutoDisableLimits(min_trades=4))
    for pnl in (10, -5, 10, -5):
        assert board.record(closed(pnl)) is None


def test_only_the_recent_window_is_judged() -> None:
    board = StrategyScoreboard(AutoDisableLimits(min_trades=4, window_trades=4, min_win_rate=0.5))
    for _ in range(10):
        board.record(closed(-1))
    for _ in range(4):
        last = board.record(closed(5))
    assert last is None
    assert board.evaluation_stats("alpha").trades == 4
    assert board.stats("alpha").trades == 14


def test_disabled_limits_never_breach() -> None:
    board = StrategyScoreboard(AutoDisableLimits(enabled=False, min_trades=1))
    assert board.record(closed(-100)) is None


def test_performance_by_reason_code_counts_entry_and_exit_codes_once_per_trade() -> None:
    board = StrategyScoreboard()
    twice = (ReasonCode.CVD_BULL_DIV, ReasonCode.CVD_BULL_DIV)
    board.record(closed(10, entry=twice, exit_reason=ReasonCode.TAKE_PROFIT))
    board.record(closed(-4, entry=(ReasonCode.CVD_BULL_DIV,), exit_reason=ReasonCode.STOP_LOSS))
    board.record(closed(-6, strategy="beta", entry=(ReasonCode.WHALE_BID,), exit_reason=None))
    by_reason = board.by_reason()
    bull = by_reason[ReasonCode.CVD_BULL_DIV]
    assert (bull.trades, bull.wins, bull.pnl_usd, bull.win_rate) == (2, 1, 6, 0.5)
    assert by_reason[ReasonCode.STOP_LOSS].pnl_usd == -4
    assert by_reason[ReasonCode.WHALE_BID].trades == 1
    assert list(board.all_stats()) == ["alpha", "beta"]


def test_limits_require_a_window_at_least_the_minimum() -> None:
    with pytest.raises(ValueError):
        AutoDisableLimits(min_trades=50, window_trades=10)
