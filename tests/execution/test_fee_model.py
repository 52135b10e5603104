"""Fee schedules, overrides, pre-trade cost estimates and the exchange comparison."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hft_tui.execution.fee_model import FeeModel, FeeSchedule, compare
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.execution.tca import pre_trade
from hft_tui.model import Liquidity, MarketRules, OrderBook, Side

RULES = MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001, maker_fee=0.0002, taker_fee=0.0005)
BOOK = OrderBook.from_levels(
    "BTC/USDT", 0, 1, [(100.0, 1.0), (99.9, 2.0)], [(100.2, 0.5), (100.4, 1.0), (100.6, 2.0)]
)


def test_schedule_comes_from_the_market_rules_unless_overridden() -> None:
    settings = ExecutionSettings(fee_overrides={"binance": {"maker": -0.0001, "taker": 0.0003}})
    assert FeeSchedule.resolve("bybit", RULES, settings) == FeeSchedule(0.0002, 0.0005)
    assert FeeSchedule.resolve("binance", RULES, settings) == FeeSchedule(-0.0001, 0.0003)


def test_fee_overrides_are_bounded() -> None:
    with pytest.raises(ValidationError):
        ExecutionSettings(fee_overrides={"binance": {"maker": 0.5, "taker": 0.0003}})
    with pytest.raises(ValidationError):
        ExecutionSettings(latency_ms=-1.0)


def test_fee_is_rate_times_notional_and_a_rebate_is_negative() -> None:
    model = FeeModel(FeeSchedule(maker=-0.0001, taker=0.0005))
    assert model.fee(10_000.0, Liquidity.TAKER) == pytest.approx(5.0)
    assert model.fee(10_000.0, Liquidity.MAKER) == pytest.approx(-1.0)


def test_taker_estimate_is_fee_plus_half_spread_plus_impact_from_walking_the_book() -> None:
    estimate = FeeModel.for_market("sim", RULES, ExecutionSettings()).estimate_cost(BOOK, Side.BUY, 1.0)
    assert estimate is not None
    # mid 100.1; takes 0.5 @ 100.2 + 0.5 @ 100.4 -> avg 100.3
    assert estimate.avg_price == pytest.approx(100.3)
    assert estimate.half_spread_quote == pytest.approx(0.1)  # (100.2 - 100.1) * 1.0
    assert estimate.impact_quote == pytest.approx(0.1)  # (100.3 - 100.2) * 1.0
    assert estimate.fee_quote == pytest.approx(100.3 * 0.0005)
    assert estimate.total_quote == pytest.approx(0.2 + 100.3 * 0.0005)
    assert estimate.total_bps == pytest.approx(estimate.total_quote / 100.1 * 1e4)
    assert estimate.fillable_qty == pytest.approx(1.0)


def test_taker_sell_estimate_walks_the_bids() -> None:
    estimate = FeeModel(FeeSchedule(0.0, 0.0)).estimate_cost(BOOK, Side.SELL, 2.0)
    assert estimate is not None
    assert estimate.avg_price == pytest.approx((100.0 + 99.9) / 2)
    assert estimate.half_spread_quote == pytest.approx(0.1 * 2.0)
    assert estimate.impact_quote == pytest.approx(0.05 * 2.0)


def test_estimate_beyond_visible_depth_covers_only_the_fillable_part() -> None:
    estimate = FeeModel(FeeSchedule(0.0, 0.0)).estimate_cost(BOOK, Side.BUY, 10.0)
    assert estimate is not None
    assert estimate.fillable_qty == pytest.approx(3.5)
    assert estimate.qty == 10.0


def test_maker_estimate_earns_the_half_spread_without_impact() -> None:
    estimate = pre_trade(BOOK, Side.BUY, 2.0, FeeModel(FeeSchedule(0.0002, 0.0005)), Liquidity.MAKER)
    assert estimate is not None
    assert estimate.avg_price == 100.0
    assert estimate.half_spread_quote == pytest.approx(-0.2)
    assert estimate.impact_quote == 0.0
    assert estimate.fee_quote == pytest.approx(200.0 * 0.0002)


def test_no_estimate_without_a_two_sided_book() -> None:
    one_sided = OrderBook.from_levels("BTC/USDT", 0, 1, [(100.0, 1.0)], [])
    assert FeeModel(FeeSchedule(0.0, 0.0)).estimate_cost(one_sided, Side.BUY, 1.0) is None


def test_same_inputs_give_the_same_estimate() -> None:
    model = FeeModel(FeeSchedule(0.0002, 0.0005))
    assert model.estimate_cost(BOOK, Side.BUY, 1.7) == model.estimate_cost(BOOK, Side.BUY, 1.7)


def test_comparison_ranks_exchanges_cheapest_first_and_ties_by_name() -> None:
    schedules = {
        "okx": FeeSchedule(0.0002, 0.0005),
        "binance": FeeSchedule(0.0002, 0.0004),
        "bybit": FeeSchedule(0.0001, 0.00055),
        "alpha": FeeSchedule(0.0002, 0.0005),
    }
    ranking = compare(schedules, BOOK, Side.BUY, 1.0)
    assert [line.exchange_id for line in ranking] == ["binance", "alpha", "okx", "bybit"]
    assert ranking == compare(dict(reversed(list(schedules.items()))), BOOK, Side.BUY, 1.0)
    makers = compare(schedules, BOOK, Side.BUY, 1.0, Liquidity.MAKER)
    assert makers[0].exchange_id == "bybit"
