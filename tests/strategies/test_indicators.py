import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hft_tui.strategies.indicators import (
    Ema,
    PerSecondVolatility,
    RollingMean,
    RollingStd,
    RollingSum,
    TimeWindowExtremes,
    TimeWindowSum,
)

S = 1_000_000_000


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=80), st.integers(1, 12))
@settings(max_examples=60)
def test_rolling_mean_equals_the_mean_of_the_last_period_values(values: list[float], period: int) -> None:
    sma = RollingMean(period)
    for i, v in enumerate(values):
        sma.push(v)
        window = values[max(0, i + 1 - period) : i + 1]
        assert sma.value == pytest.approx(float(np.mean(window)), rel=1e-9, abs=1e-6)
        assert sma.full == (i + 1 >= period)


def test_rolling_mean_does_not_drift_after_huge_values_leave_the_window() -> None:
    sma = RollingMean(3)
    for v in (1e16, -1e16, 3e15):
        sma.push(v)
    for v in (1.0, 2.0, 3.0):
        sma.push(v)
    assert sma.value == 2.0


def test_rolling_mean_is_nan_while_empty() -> None:
    assert math.isnan(RollingMean(5).value)


@given(
    st.lists(st.floats(-50.0, 50.0), min_size=2, max_size=120),
    st.integers(2, 15),
    st.sampled_from([0.0, 60_000.0, 1e7]),
)
@settings(max_examples=60)
def test_rolling_std_matches_numpy_even_far_from_zero(noise: list[float], period: int, level: float) -> None:
    rs = RollingStd(period)
    values = [level + x for x in noise]
    for i, v in enumerate(values):
        rs.push(v)
        window = values[max(0, i + 1 - period) : i + 1]
        if len(window) >= 2:
            assert rs.std == pytest.approx(float(np.std(window, ddof=1)), rel=1e-6, abs=1e-6)
            assert rs.mean == pytest.approx(float(np.mean(window)), rel=1e-12, abs=1e-6)


def test_rolling_std_stays_precise_when_the_price_wanders_far_from_its_start() -> None:
    rs = RollingStd(10)
    for i in range(5_000):
        rs.push(60_000.0 - i * 10.0 + (i % 2) * 0.01)
    window = [60_000.0 - i * 10.0 + (i % 2) * 0.01 for i in range(4_990, 5_000)]
    assert rs.std == pytest.approx(float(np.std(window, ddof=1)), rel=1e-9)


def test_rolling_sum_sums_the_last_period_values() -> None:
    rs = RollingSum(3)
    for v in (1.0, 2.0, 3.0, 4.0):
        rs.push(v)
    assert rs.value == 9.0 and rs.full and rs.count == 3


def test_ema_starts_at_the_first_value_and_converges_to_a_constant() -> None:
    ema = Ema(9)
    ema.push(10.0)
    assert ema.value == 10.0
    for _ in range(200):
        ema.push(20.0)
    assert ema.value == pytest.approx(20.0)
    assert ema.alpha == pytest.approx(0.2)


def test_time_window_sum_forgets_values_older_than_the_window() -> None:
    tws = TimeWindowSum(10 * S)
    tws.push(0, 5.0)
    tws.push(5 * S, 3.0)
    assert tws.value == 8.0
    tws.push(10 * S, 1.0)  # the value stamped 0 is now exactly one window old
    assert tws.value == 4.0
    tws.evict(100 * S)
    assert tws.value == 0.0


def test_time_window_sum_span_grows_until_the_window_is_covered() -> None:
    tws = TimeWindowSum(10 * S)
    tws.push(100 * S, 1.0)
    assert tws.span_ns(104 * S) == 4 * S
    assert tws.span_ns(200 * S) == 10 * S


@given(st.lists(st.tuples(st.integers(0, 5), st.floats(1.0, 100.0)), min_size=1, max_size=100), st.integers(1, 20))
@settings(max_examples=60)
def test_time_window_extremes_match_a_brute_force_scan(steps: list[tuple[int, float]], window: int) -> None:
    ext = TimeWindowExtremes(window)
    seen: list[tuple[int, float]] = []
    ts = 0
    for dt, price in steps:
        ts += dt
        ext.push(ts, price)
        seen.append((ts, price))
        live = [p for t, p in seen if t > ts - window]
        assert ext.max == max(live)
        assert ext.min == min(live)


def test_per_second_volatility_recovers_a_constant_per_second_move() -> None:
    vol = PerSecondVolatility(30)
    price = 100.0
    for i in range(40):
        vol.update(i * S, price)
        price *= math.exp(0.001 if i % 2 else -0.001)
    assert vol.sigma == pytest.approx(0.001, rel=1e-9)


def test_per_second_volatility_ignores_updates_within_the_same_second() -> None:
    vol = PerSecondVolatility(10)
    vol.update(0, 100.0)
    vol.update(S // 2, 150.0)
    assert vol.count == 0
    assert math.isnan(vol.sigma)


def test_per_second_volatility_scales_a_return_over_a_gap_to_one_second() -> None:
    vol = PerSecondVolatility(10)
    vol.update(0, 100.0)
    vol.update(4 * S, 100.0 * math.exp(0.002))
    # A 0.2% move over four seconds is 0.1% per sqrt(second).
    assert vol.sigma == pytest.approx(0.001, rel=1e-9)
