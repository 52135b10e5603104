from dataclasses import replace

import numpy as np
import pytest

from hft_tui.model import Candle, ReasonCode
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.cvd_params import CvdParams
from hft_tui.strategies.cvd_columns import cvd_columns

M = 60_000_000_000
SYMBOL = "ETH/USDT"


def _bars(n: int, seed: int, with_buys: bool) -> dict[str, np.ndarray | None]:
    rng = np.random.default_rng(seed)
    close = 3_000.0 * np.exp(np.cumsum(rng.normal(0.0, 8e-4, n)))
    open_ = np.concatenate(([3_000.0], close[:-1]))
    wiggle = np.abs(rng.normal(0.0, 4e-4, n)) * close
    volume = np.round(rng.gamma(2.0, 5.0, n), 3)
    return {"open_ts_ns": np.arange(n, dtype=np.int64) * M,
            "high": np.round(np.maximum(open_, close) + wiggle, 2),
            "low": np.round(np.minimum(open_, close) - wiggle, 2), "close": np.round(close, 2), "volume": volume,
            "buy_volume": np.round(volume * rng.uniform(0.0, 1.0, n), 3) if with_buys else None}


def _incremental(params: CvdParams, bars: dict) -> list:
    cvd = CvdDetector(params)
    buys = bars["buy_volume"] if bars["buy_volume"] is not None else np.zeros(len(bars["close"]))
    signals = []
    for i in range(len(bars["close"])):
        candle = Candle(SYMBOL, "1m", int(bars["open_ts_ns"][i]), float(bars["close"][i]), float(bars["high"][i]),
                        float(bars["low"][i]), float(bars["close"][i]), float(bars["volume"][i]), float(buys[i]))
        if candle.buy_volume <= 0.0:  # as the core hands file candles to the strategies
            candle = replace(candle, buy_volume=candle.estimated_buy_volume())
        signals.extend((i, s) for s in cvd.on_candle(candle))
    return signals


PARAMS = [
    CvdParams(bar_mode="candles"),
    CvdParams(bar_mode="candles", swing_strength=2, cooldown_s=0.0, volume_avg_bars=5,
              extreme_lookback_bars=30, exhaustion_volume_mult=1.5),
    CvdParams(bar_mode="candles", cooldown_s=600.0, min_cvd_diff_bars=0.0, min_price_diff_bps=0.0),
]


@pytest.mark.parametrize("with_buys", [False, True], ids=["ohlcv", "buy-volume"])
@pytest.mark.parametrize("params", PARAMS, ids=["default", "tight", "loose-cooldown"])
def test_every_signal_equals_the_incremental_detector(params: CvdParams, with_buys: bool) -> None:
    bars = _bars(4_000, seed=21, with_buys=with_buys)
    columns = cvd_columns(params, SYMBOL, **bars)
    expected = _incremental(params, bars)
    assert columns.signal_bars.tolist() == [i for i, _ in expected]
    assert list(columns.signals) == [s for _, s in expected]
    assert len(expected) > 20


def test_with_buy_volume_all_four_signal_kinds_occur_and_match() -> None:
    bars = _bars(6_000, seed=4, with_buys=True)
    columns = cvd_columns(PARAMS[1], SYMBOL, **bars)
    assert {s.reasons[0] for s in columns.signals} == {
        ReasonCode.CVD_BEAR_DIV, ReasonCode.CVD_BULL_DIV, ReasonCode.CVD_BUY_EXHAUSTION,
        ReasonCode.CVD_SELL_EXHAUSTION}
    assert list(columns.signals) == [s for _, s in _incremental(PARAMS[1], bars)]


def test_bar_cvd_and_averages_follow_the_bars() -> None:
    bars = _bars(50, seed=2, with_buys=True)
    columns = cvd_columns(CvdParams(bar_mode="candles", volume_avg_bars=5), SYMBOL, **bars)
    delta = 2.0 * bars["buy_volume"] - bars["volume"]
    assert np.allclose(columns.bar_cvd, np.cumsum(delta))
    assert columns.volume_avg[10] == pytest.approx(bars["volume"][6:11].mean())


def test_trade_bar_mode_is_not_mirrored() -> None:
    with pytest.raises(ValueError, match="candles"):
        cvd_columns(CvdParams(), SYMBOL, **_bars(10, seed=1, with_buys=False))
