"""Each pre-trade check of the risk gate, and the reason code it rejects with."""

from __future__ import annotations

import math

import pytest
from risk_builders import BTC, ETH, SECOND_NS, T0_NS, context, order, rules

from hft_tui.model import OrderStatus, ReasonCode, Side
from hft_tui.risk.risk_gate import RiskGate, is_reducing
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState


def gate(**overrides: object) -> RiskGate:
    return RiskGate(RiskSettings(**overrides))


def test_an_ordinary_order_within_every_limit_passes() -> None:
    assert gate().check(order(Side.BUY, 1.0), context()) is None


# --- well-formedness and market knowledge ----------------------------------------------


@pytest.mark.parametrize("qty", [0.0, -1.0, math.nan, math.inf])
def test_a_quantity_that_is_not_positive_and_finite_is_invalid(qty: float) -> None:
    assert gate().check(order(Side.BUY, qty), context()) is ReasonCode.RISK_INVALID_ORDER


@pytest.mark.parametrize("price", [0.0, math.nan, -100.0])
def test_a_limit_price_that_is_not_positive_and_finite_is_invalid(price: float) -> None:
    assert gate().check(order(Side.BUY, 1.0, price=price), context()) is ReasonCode.RISK_INVALID_ORDER


def test_a_nan_quantity_is_invalid_even_when_flagged_reduce_only() -> None:
    ctx = context(positions={BTC: 1.0})
    assert gate().check(order(Side.SELL, math.nan, reduce_only=True), ctx) is ReasonCode.RISK_INVALID_ORDER


def test_an_order_for_a_symbol_without_market_rules_is_rejected() -> None:
    ctx = context(market_rules={})
    assert gate().check(order(Side.BUY, 1.0), ctx) is ReasonCode.UNKNOWN_SYMBOL


@pytest.mark.parametrize("mark", [None, math.nan, 0.0])
def test_no_valid_mark_for_the_symbol_rejects_with_no_price(mark: float | None) -> None:
    ctx = context(marks={BTC: mark, ETH: 10.0})
    assert gate().check(order(Side.BUY, 1.0), ctx) is ReasonCode.RISK_NO_PRICE


def test_an_unpriced_exposure_in_another_symbol_rejects_with_no_price() -> None:
    ctx = context(positions={ETH: 5.0}, marks={BTC: 100.0})
    assert gate().check(order(Side.BUY, 1.0), ctx) is ReasonCode.RISK_NO_PRICE


def test_a_spot_market_refuses_a_sell_that_could_go_short() -> None:
    ctx = context(positions={BTC: 1.0}, market_rules={BTC: rules(BTC, spot=True)})
    assert gate().check(order(Side.SELL, 1.5), ctx) is ReasonCode.SPOT_NO_SHORT
    assert gate().check(order(Side.SELL, 1.0), ctx) is None


# --- order flow ------------------------------------------------------------------------


def test_the_rate_limit_rejects_once_the_window_is_full_and_frees_up_after_it() -> None:
    g = gate(max_orders_per_window=3, order_window_s=10.0)
    for i in range(3):
        g.record_submission(T0_NS + i * SECOND_NS)
    assert g.check(order(Side.BUY, 1.0), context(ts_ns=T0_NS + 5 * SECOND_NS)) is ReasonCode.RISK_RATE_LIMIT
    # The oldest submission leaves the window 10 s after it was sent.
    assert g.check(order(Side.BUY, 1.0), context(ts_ns=T0_NS + 10 * SECOND_NS)) is None


def test_too_many_open_orders_rejects_but_finished_orders_do_not_count() -> None:
    g = gate(max_open_orders=2)
    live = [order(Side.BUY, 1.0, price=99.0), order(Side.SELL, 1.0, price=101.0)]
    assert g.check(order(Side.BUY, 1.0), context(open_orders=live)) is ReasonCode.RISK_MAX_OPEN_ORDERS
    done = [o.with_status(OrderStatus.FILLED) for o in live] + [live[0].with_status(OrderStatus.CANCELLED)]
    assert g.check(order(Side.BUY, 1.0), context(open_orders=done)) is None


def test_a_limit_price_outside_the_band_around_mid_is_a_fat_finger() -> None:
    g = gate(price_band_bps=200.0)
    assert g.check(order(Side.BUY, 1.0, price=102.5), context()) is ReasonCode.RISK_PRICE_BAND
    assert g.check(order(Side.SELL, 1.0, price=97.5), context()) is ReasonCode.RISK_PRICE_BAND
    assert g.check(order(Side.BUY, 1.0, price=101.9), context()) is None


def test_an_order_below_the_market_minimum_notional_is_rejected() -> None:
    ctx = context(market_rules={BTC: rules(BTC, min_notional=10.0)})
    assert gate().check(order(Side.BUY, 0.09), ctx) is ReasonCode.RISK_MIN_NOTIONAL
    assert gate().check(order(Side.BUY, 0.1), ctx) is None


# --- exposure --------------------------------------------------------------------------


def test_the_per_symbol_quantity_limit_counts_the_current_position() -> None:
    g = gate(max_position_qty={BTC: 5.0})
    assert g.check(order(Side.BUY, 2.0), context(positions={BTC: 4.0})) is ReasonCode.RISK_MAX_POSITION
    assert g.check(order(Side.BUY, 1.0), context(positions={BTC: 4.0})) is None
    assert g.check(order(Side.SELL, 6.0), context()) is ReasonCode.RISK_MAX_POSITION


def test_the_default_quantity_limit_applies_to_unlisted_symbols() -> None:
    g = gate(max_position_qty={BTC: 50.0}, default_max_position_qty=3.0)
    assert g.check(order(Side.BUY, 4.0, symbol=ETH), context()) is ReasonCode.RISK_MAX_POSITION
    assert g.check(order(Side.BUY, 4.0), context()) is None


def test_the_per_symbol_notional_limit_is_priced_at_the_mark() -> None:
    # 150 BTC at 100 = 15_000; 60 more would make 21_000 > 20_000.
    ctx = context(positions={BTC: 150.0})
    assert gate().check(order(Side.BUY, 60.0), ctx) is ReasonCode.RISK_MAX_POSITION
    assert gate().check(order(Side.BUY, 50.0), ctx) is None


def test_open_orders_on_the_same_side_count_as_if_filled() -> None:
    resting_buy = order(Side.BUY, 40.0, price=99.0)
    ctx = context(positions={BTC: 150.0}, open_orders=[resting_buy])
    assert gate().check(order(Side.BUY, 20.0), ctx) is ReasonCode.RISK_MAX_POSITION


def test_open_orders_on_the_other_side_are_not_counted_on() -> None:
    resting_sell = order(Side.SELL, 100.0, price=101.0)
    ctx = context(positions={BTC: 150.0}, open_orders=[resting_sell])
    assert gate().check(order(Side.BUY, 60.0), ctx) is ReasonCode.RISK_MAX_POSITION


def test_partly_filled_open_orders_count_only_their_remainder() -> None:
    half_filled = order(Side.BUY, 40.0, price=99.0, filled_qty=30.0)
    ctx = context(positions={BTC: 180.0}, open_orders=[half_filled])
    assert gate().check(order(Side.BUY, 10.0), ctx) is None
    assert gate().check(order(Side.BUY, 10.5), ctx) is ReasonCode.RISK_MAX_POSITION


def test_concentration_caps_one_symbols_share_of_equity() -> None:
    # Half of 30_000 equity is 15_000: 160 BTC at 100 is too much in one symbol.
    ctx = context(equity=30_000.0)
    assert gate(max_concentration=0.5).check(order(Side.BUY, 160.0), ctx) is ReasonCode.RISK_CONCENTRATION
    assert gate(max_concentration=0.5).check(order(Side.BUY, 140.0), ctx) is None


def test_no_equity_means_no_new_exposure() -> None:
    assert gate().check(order(Side.BUY, 1.0), context(equity=0.0)) is ReasonCode.RISK_CONCENTRATION
    assert gate().check(order(Side.BUY, 1.0), context(equity=math.nan)) is ReasonCode.RISK_CONCENTRATION


def test_gross_exposure_sums_absolute_notionals_across_symbols() -> None:
    g = gate(max_gross_notional=25_000.0)
    ctx = context(positions={BTC: 150.0, ETH: -900.0})  # 15_000 + 9_000
    assert g.check(order(Side.BUY, 20.0), ctx) is ReasonCode.RISK_MAX_GROSS
    assert g.check(order(Side.BUY, 9.0), ctx) is None


def test_gross_exposure_is_also_capped_as_a_multiple_of_equity() -> None:
    g = gate(max_gross_leverage=1.0, max_concentration=10.0)
    ctx = context(positions={ETH: 500.0}, equity=10_000.0)  # 5_000 gross already
    assert g.check(order(Side.BUY, 60.0), ctx) is ReasonCode.RISK_MAX_GROSS
    assert g.check(order(Side.BUY, 40.0), ctx) is None


def test_net_exposure_nets_longs_against_shorts() -> None:
    g = gate(max_net_notional=10_000.0)
    ctx = context(positions={BTC: 150.0, ETH: -900.0})  # net +6_000
    assert g.check(order(Side.BUY, 50.0), ctx) is ReasonCode.RISK_MAX_NET
    assert g.check(order(Side.BUY, 30.0), ctx) is None
    # Selling BTC brings net down even though the order is not reducing a short.
    assert g.check(order(Side.SELL, 50.0), ctx) is None


def test_an_order_that_shrinks_exposure_passes_even_when_the_book_is_over_a_limit() -> None:
    # 300 BTC = 30_000 is over the 20_000 symbol limit (the mark rose); selling some is fine.
    ctx = context(positions={BTC: 300.0})
    assert gate().check(order(Side.SELL, 50.0), ctx) is None
    assert gate().check(order(Side.BUY, 1.0), ctx) is ReasonCode.RISK_MAX_POSITION


# --- trading state and reduce-only -----------------------------------------------------


def test_reducing_state_rejects_orders_that_add_exposure() -> None:
    ctx = context(state=TradingState.REDUCING, positions={BTC: 2.0})
    assert gate().check(order(Side.BUY, 1.0), ctx) is ReasonCode.RISK_REDUCE_ONLY
    assert gate().check(order(Side.SELL, 3.0), ctx) is ReasonCode.RISK_REDUCE_ONLY
    assert gate().check(order(Side.BUY, 1.0, symbol=ETH), ctx) is ReasonCode.RISK_REDUCE_ONLY


def test_reducing_state_admits_a_reducing_exit_but_still_checks_it() -> None:
    ctx = context(state=TradingState.REDUCING, positions={BTC: 2.0})
    assert gate().check(order(Side.SELL, 1.0), ctx) is None
    assert gate().check(order(Side.SELL, 1.0, price=90.0), ctx) is ReasonCode.RISK_PRICE_BAND


def test_reducing_state_counts_other_open_exits_against_the_position() -> None:
    exit_order = order(Side.SELL, 1.5, price=101.0)
    ctx = context(state=TradingState.REDUCING, positions={BTC: 2.0}, open_orders=[exit_order])
    assert gate().check(order(Side.SELL, 1.0), ctx) is ReasonCode.RISK_REDUCE_ONLY
    assert gate().check(order(Side.SELL, 0.5), ctx) is None


def test_halted_state_admits_only_orders_flagged_reduce_only() -> None:
    ctx = context(state=TradingState.HALTED, positions={BTC: 2.0})
    assert gate().check(order(Side.SELL, 1.0), ctx) is ReasonCode.RISK_REDUCE_ONLY
    assert gate().check(order(Side.SELL, 2.0, reduce_only=True), ctx) is None


def test_a_reduce_only_order_that_would_increase_the_position_is_rejected() -> None:
    assert gate().check(order(Side.BUY, 1.0, reduce_only=True), context(positions={BTC: 2.0})) is (
        ReasonCode.REDUCE_ONLY_WOULD_INCREASE
    )
    assert gate().check(order(Side.SELL, 1.0, reduce_only=True), context()) is ReasonCode.REDUCE_ONLY_WOULD_INCREASE
    assert gate().check(order(Side.SELL, 2.5, reduce_only=True), context(positions={BTC: 2.0})) is (
        ReasonCode.REDUCE_ONLY_WOULD_INCREASE
    )


def test_a_flatten_passes_every_limit_rate_limit_band_and_missing_price() -> None:
    g = gate(max_orders_per_window=1, max_open_orders=1, max_position_qty={BTC: 1.0})
    g.record_submission(T0_NS)
    resting_entry = order(Side.BUY, 1.0, symbol=ETH, price=10.0)
    ctx = context(
        state=TradingState.HALTED,
        positions={BTC: 500.0},
        marks={BTC: None},
        equity=-1.0,
        open_orders=[resting_entry],
        market_rules={BTC: rules(BTC, min_notional=1e9)},
    )
    assert g.check(order(Side.SELL, 500.0, reduce_only=True), ctx) is None
    assert g.check(order(Side.SELL, 500.0, price=1.0, reduce_only=True), ctx) is None


def test_is_reducing_needs_the_opposite_side_and_room_left_in_the_position() -> None:
    assert is_reducing(order(Side.SELL, 1.0), 2.0)
    assert is_reducing(order(Side.BUY, 2.0), -2.0)
    assert not is_reducing(order(Side.BUY, 1.0), 2.0)
    assert not is_reducing(order(Side.SELL, 2.5), 2.0)
    assert not is_reducing(order(Side.SELL, 1.0), 0.0)
    assert not is_reducing(order(Side.SELL, 1.0), 2.0, other_reducing_qty=1.5)


def test_is_reducing_tolerates_float_rounding_in_the_sum_of_exits() -> None:
    assert 0.1 + 0.2 > 0.3
    assert is_reducing(order(Side.SELL, 0.2), 0.3, other_reducing_qty=0.1)
    ctx = context(positions={BTC: 0.3}, open_orders=[order(Side.SELL, 0.1, price=100.0)])
    assert gate().check(order(Side.SELL, 0.2, reduce_only=True), ctx) is None
