"""BTC and ETH move together, as much as the ``correlation`` setting says."""

from __future__ import annotations

import numpy as np
import pytest

from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import OrderBook

START_NS = 1_767_225_600_000_000_000


def _one_second_return_correlation(seed: int, correlation: float, minutes: int = 30) -> float:
    market = SimulatedMarket(
        DEFAULT_SIM_SYMBOLS, seed, start_ts_ns=START_NS, correlation=correlation
    )
    seconds = minutes * 60
    mids = np.full((seconds, 2), np.nan)
    column = {"BTC/USDT": 0, "ETH/USDT": 1}
    while True:
        event = market.next_event()
        second = (event.ts_ns - START_NS) // 1_000_000_000
        if second >= seconds:
            break
        if isinstance(event, OrderBook):
            mids[second, column[event.symbol]] = event.mid
    for col in range(2):  # carry the last mid through seconds without a book
        for row in range(1, seconds):
            if np.isnan(mids[row, col]):
                mids[row, col] = mids[row - 1, col]
    returns = np.diff(np.log(mids), axis=0)
    return float(np.corrcoef(returns[:, 0], returns[:, 1])[0, 1])


@pytest.mark.parametrize("seed", [0, 1])
def test_btc_and_eth_returns_are_strongly_positively_correlated_by_default(seed: int) -> None:
    assert _one_second_return_correlation(seed, 0.8) > 0.4


def test_the_correlation_setting_drives_the_co_movement() -> None:
    assert _one_second_return_correlation(3, 0.8) > _one_second_return_correlation(3, 0.0) + 0.3
