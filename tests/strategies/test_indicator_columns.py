import numpy as np
import pytest

from hft_tui.strategies.indicator_columns import rolling_mean_column, rolling_std_column
from hft_tui.strategies.indicators import RollingMean, RollingStd


def _prices(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 65_000.0 * np.exp(np.cumsum(rng.normal(0.0, 1e-3, n)))


def _incremental(indicator: RollingMean | RollingStd, values: np.ndarray) -> np.ndarray:
    out = []
    for value in values.tolist():
        indicator.push(value)
        out.append(indicator.value if isinstance(indicator, RollingMean) else indicator.std)
    return np.array(out)


@pytest.mark.parametrize("n", [0, 1, 2, 13, 14, 15, 28, 29, 1_001])
@pytest.mark.parametrize("period", [1, 2, 3, 14, 50])
def test_rolling_mean_column_is_bit_for_bit_the_incremental_mean(n: int, period: int) -> None:
    values = _prices(n, seed=n * 7 + period)
    assert np.array_equal(rolling_mean_column(values, period), _incremental(RollingMean(period), values))


@pytest.mark.parametrize("n", [1, 2, 3, 29, 30, 31, 60, 2_003])
@pytest.mark.parametrize("period", [2, 5, 30])
def test_rolling_std_column_is_bit_for_bit_the_incremental_std(n: int, period: int) -> None:
    log_returns = np.diff(np.log(_prices(n + 1, seed=n + period)))
    expected = _incremental(RollingStd(period), log_returns)
    assert np.array_equal(rolling_std_column(log_returns, period), expected, equal_nan=True)


def test_rolling_std_column_keeps_precision_on_prices_far_from_zero() -> None:
    # The incremental form re-centres its sums once per turn of the ring; so must the column.
    prices = _prices(5_000, seed=3) + 1e6
    assert np.array_equal(rolling_std_column(prices, 20), _incremental(RollingStd(20), prices), equal_nan=True)


def test_a_flat_series_has_zero_deviation_not_nan() -> None:
    std = rolling_std_column(np.full(40, 7.5), 10)
    assert np.isnan(std[0]) and (std[1:] == 0.0).all()


def test_periods_below_the_incremental_minimum_are_refused() -> None:
    with pytest.raises(ValueError):
        rolling_mean_column(np.ones(3), 0)
    with pytest.raises(ValueError):
        rolling_std_column(np.ones(3), 1)
