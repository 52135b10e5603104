import math

import pytest

from hft_tui.model import MarketRules, ReasonCode
from hft_tui.signals.scoring import StrategyStats
from hft_tui.signals.sizing import PositionSizer, SizingSettings

RULES = MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001, min_qty=0.001, min_notional=10.0)


def sizer(**settings: object) -> PositionSizer:
    return PositionSizer(SizingSettings(**settings))  # type: ignore[arg-type]


def test_fixed_fractional_risks_the_fraction_to_the_stop() -> None:
    # 0.5 % of 10,000 = 50 at risk; 500 to the stop -> 0.1 BTC
    result = sizer(fraction=0.005).size(equity_usd=10_000, price=50_000, stop_price=49_500, rules=RULES)
    assert result.qty == 0.1
    assert result.notional_usd == pytest.approx(5_000)
    assert result.risk_usd == pytest.approx(50)
    assert (result.method, result.code) == ("fixed_fractional", None)


def test_without_a_stop_the_default_stop_distance_is_used() -> None:
    # 50 bps of 50,000 = 250 -> 50 / 250 = 0.2
    result = sizer(default_stop_bps=50).size(equity_usd=10_000, price=50_000, rules=RULES)
    assert result.qty == 0.2


def test_size_is_rounded_down_to_the_lot() -> None:
    # 50 / 300 = 0.1666.. -> 0.166
    result = sizer().size(equity_usd=10_000, price=50_000, stop_price=50_300, rules=RULES)
    assert result.qty == 0.166


def test_hint_decision_factor_and_risk_scale_multiply() -> None:
    result = sizer().size(equity_usd=10_000, price=50_000, stop_price=49_500, rules=RULES,
                          size_hint=0.5, size_factor=0.5, risk_scale=0.8)
    assert result.qty == 0.02


def test_a_zero_risk_scale_sizes_nothing_and_leaves_the_reason_to_its_owner() -> None:
    result = sizer().size(equity_usd=10_000, price=50_000, stop_price=49_500, rules=RULES, risk_scale=0.0)
    assert (result.qty, result.code) == (0.0, None)


def test_notional_is_capped_by_max_leverage() -> None:
    # a 5-dollar stop would ask for 10 BTC; 1x of 10,000 at 50,000 is 0.2
    result = sizer(max_leverage=1.0).size(equity_usd=10_000, price=50_000, stop_price=49_995, rules=RULES)
    assert result.qty == 0.2


def test_below_the_lot_or_the_minimum_notional_the_size_is_zero() -> None:
    tiny = sizer().size(equity_usd=10, price=50_000, stop_price=49_500, rules=RULES)
    assert (tiny.qty, tiny.code) == (0.0, ReasonCode.RISK_MIN_NOTIONAL)
    strict = MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001, min_notional=100.0)
    # 0.5 / 500 = 0.001 BTC = 50 notional < 100
    small = sizer().size(equity_usd=100, price=50_000, stop_price=49_500, rules=strict)
    assert (small.qty, small.code) == (0.0, ReasonCode.RISK_MIN_NOTIONAL)


def test_volatility_target_scales_notional_by_target_over_realised_vol() -> None:
    # 10,000 * 0.5 / 1.0 = 5,000 notional = 0.1 BTC
    result = sizer(method="volatility_target", target_vol=0.5).size(
        equity_usd=10_000, price=50_000, stop_price=49_000, realised_vol=1.0, rules=RULES)
    assert result.qty == 0.1
    assert result.method == "volatility_target"
    assert result.risk_usd == pytest.approx(100)


def test_volatility_target_without_an_estimate_falls_back_to_fixed_fractional() -> None:
    result = sizer(method="volatility_target").size(equity_usd=10_000, price=50_000, stop_price=49_500, rules=RULES)
    assert (result.method, result.qty) == ("fixed_fractional", 0.1)


def record(wins: int, win_usd: float, losses: int, loss_usd: float) -> StrategyStats:
    return StrategyStats.from_pnls([win_usd] * wins + [-loss_usd] * losses)


def test_fractional_kelly_by_hand() -> None:
    # W = 0.5, R = 12 / 10 = 1.2: f* = 0.5 - 0.5 / 1.2 = 1/12; a quarter of it = 1/48 of equity at risk
    stats = record(15, 12.0, 15, 10.0)
    result = sizer(method="kelly", kelly_fraction=0.25, kelly_cap=0.05, kelly_min_trades=30).size(
        equity_usd=10_000, price=50_000, stop_price=48_000, stats=stats, rules=RULES)
    assert result.method == "kelly"
    assert result.qty == math.floor(10_000 / 48 / 2_000 * 1000) / 1000  # 0.104


def test_kelly_is_capped() -> None:
    stats = record(15, 12.0, 15, 10.0)
    result = sizer(method="kelly", kelly_fraction=0.25, kelly_cap=0.01, kelly_min_trades=30).size(
        equity_usd=10_000, price=50_000, stop_price=48_000, stats=stats, rules=RULES)
    assert result.qty == 0.05  # 1 % of 10,000 = 100 at risk over 2,000


def test_kelly_with_no_edge_sizes_zero() -> None:
    # W = 0.4, R = 1: f* = 0.4 - 0.6 = -0.2
    result = sizer(method="kelly", kelly_min_trades=10).size(
        equity_usd=10_000, price=50_000, stop_price=48_000, stats=record(4, 10.0, 6, 10.0), rules=RULES)
    assert (result.qty, result.code, result.method) == (0.0, ReasonCode.KELLY_NO_EDGE, "kelly")


def test_kelly_before_enough_trades_falls_back_to_fixed_fractional() -> None:
    result = sizer(method="kelly", kelly_min_trades=30).size(
        equity_usd=10_000, price=50_000, stop_price=49_500, stats=record(5, 10.0, 0, 0.0), rules=RULES)
    assert (result.method, result.qty) == ("fixed_fractional", 0.1)


def test_no_price_or_no_equity_sizes_zero_with_a_reason() -> None:
    assert sizer().size(equity_usd=10_000, price=math.nan, rules=RULES).code is ReasonCode.RISK_NO_PRICE
    assert sizer().size(equity_usd=0, price=50_000, rules=RULES).code is ReasonCode.INSUFFICIENT_FUNDS
