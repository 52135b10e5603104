"""ccxt market structures -> MarketRules under each precision mode, and contract sizes."""

from __future__ import annotations

from typing import Any

import pytest

from hft_tui.market.ccxt_markets import (
    DECIMAL_PLACES,
    SIGNIFICANT_DIGITS,
    TICK_SIZE,
    contract_size,
    market_rules_from_ccxt,
    precision_to_step,
)


def market(**overrides: Any) -> dict[str, Any]:
    base = {
        "symbol": "ETH/USDT", "base": "ETH", "quote": "USDT", "spot": True, "contract": False,
        "contractSize": None, "maker": 0.0008, "taker": 0.001,
        "precision": {"price": 0.01, "amount": 0.0001},
        "limits": {"amount": {"min": 0.001}, "cost": {"min": 10.0}},
    }
    base.update(overrides)
    return base


def test_tick_size_mode_uses_the_precision_value_as_the_step() -> None:
    rules = market_rules_from_ccxt(market(), TICK_SIZE)
    assert (rules.tick_size, rules.lot_size, rules.min_qty, rules.min_notional) == (0.01, 0.0001, 0.001, 10.0)
    assert (rules.maker_fee, rules.taker_fee, rules.spot, rules.base, rules.quote) == (
        0.0008, 0.001, True, "ETH", "USDT")


def test_decimal_places_mode_turns_digit_counts_into_steps() -> None:
    rules = market_rules_from_ccxt(market(precision={"price": 2, "amount": 4}), DECIMAL_PLACES)
    assert rules.tick_size == pytest.approx(0.01) and rules.lot_size == pytest.approx(0.0001)


def test_significant_digits_or_missing_precision_means_no_fixed_grid() -> None:
    assert precision_to_step(5, SIGNIFICANT_DIGITS) == 0.0
    assert precision_to_step(None, TICK_SIZE) == 0.0
    assert precision_to_step(float("nan"), TICK_SIZE) == 0.0


def test_missing_limits_and_fees_fall_back_to_zero_minimums_and_default_fees() -> None:
    rules = market_rules_from_ccxt(market(limits={}, maker=None, taker=None), TICK_SIZE)
    assert (rules.min_qty, rules.min_notional) == (0.0, 0.0)
    assert (rules.maker_fee, rules.taker_fee) == (0.0002, 0.0005)


def test_contract_markets_express_lots_in_base_units() -> None:
    swap = market(symbol="ETH/USDT:USDT", spot=False, contract=True, contractSize=0.1,
                  precision={"price": 0.01, "amount": 1.0}, limits={"amount": {"min": 1.0}})
    assert contract_size(swap) == 0.1
    rules = market_rules_from_ccxt(swap, TICK_SIZE)
    assert (rules.lot_size, rules.min_qty, rules.spot) == (pytest.approx(0.1), pytest.approx(0.1), False)
    assert contract_size(market()) == 1.0
