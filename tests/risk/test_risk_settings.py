"""RiskSettings: the defaults the design names, bounds, and no unknown keys."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from hft_tui.risk.settings import RiskSettings


def test_defaults_match_the_design() -> None:
    s = RiskSettings()
    assert (s.initial_equity, s.max_position_notional, s.max_gross_notional, s.max_net_notional) == (
        100_000.0, 20_000.0, 50_000.0, 30_000.0,
    )
    assert (s.max_concentration, s.max_open_orders, s.price_band_bps) == (0.5, 20, 200.0)
    assert (s.max_orders_per_window, s.order_window_s) == (20, 10.0)
    assert (s.daily_loss_fraction, s.max_drawdown_fraction, s.position_loss_fraction) == (0.02, 0.05, 0.01)
    assert (s.rapid_drawdown_fraction, s.rapid_drawdown_window_s) == (0.02, 900.0)
    assert (s.max_consecutive_losses, s.volatility_sigma, s.volatility_horizons_s) == (10, 25.0, (1.0, 60.0))
    assert (s.soft_fraction, s.daily_reset_utc) == (0.7, "00:00")


def test_every_field_is_described() -> None:
    assert all(field.description for field in RiskSettings.model_fields.values())


@pytest.mark.parametrize(
    "bad",
    [
        {"unknown_limit": 1},
        {"max_position_notional": 0},
        {"max_position_notional": math.nan},
        {"max_gross_notional": math.inf},
        {"soft_fraction": 1.0},
        {"daily_reset_utc": "24:00"},
        {"daily_reset_utc": "7:30"},
        {"max_position_qty": {"BTC/USDT": -1.0}},
        {"volatility_horizons_s": (0.0,)},
        {"volatility_min_returns": 500, "volatility_lookback_returns": 100},
    ],
)
def test_out_of_bounds_or_unknown_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RiskSettings(**bad)


def test_settings_are_immutable() -> None:
    with pytest.raises(ValidationError):
        RiskSettings().max_open_orders = 5  # type: ignore[misc]


def test_quantity_limit_per_symbol_falls_back_to_the_default_then_to_none() -> None:
    s = RiskSettings(max_position_qty={"BTC/USDT": 0.5}, default_max_position_qty=10.0)
    assert s.position_qty_limit("BTC/USDT") == 0.5
    assert s.position_qty_limit("ETH/USDT") == 10.0
    assert RiskSettings().position_qty_limit("BTC/USDT") == math.inf


def test_daily_reset_time_is_an_offset_from_utc_midnight() -> None:
    assert RiskSettings(daily_reset_utc="08:30").daily_reset_offset_ns == (8 * 3600 + 30 * 60) * 10**9
