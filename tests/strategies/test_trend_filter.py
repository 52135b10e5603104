import math

import pytest
from pydantic import ValidationError

from hft_tui.model import Candle, Priority, ReasonCode, Side, Signal
from hft_tui.strategies.trend_filter import Regime, TrendFilter, TrendState
from hft_tui.strategies.trend_params import TrendParams

S = 1_000_000_000
M = 60 * S
SYMBOL = "BTC/USDT"
SMALL = TrendParams(
    fast_period=5, slow_period=20, slope_bars=3, weak_spread_bps=5.0, strong_spread_bps=20.0,
    strong_slope_bps=1.0, vol_window=5, vol_avg_window=30, atr_period=5,
)  # fmt: skip


def candle(i: int, close: float, timeframe: str = "1m", symbol: str = SYMBOL) -> Candle:
    return Candle(symbol, timeframe, i * M, close, close * 1.0005, close * 0.9995, close, 10.0, 5.0)


def feed(trend: TrendFilter, closes: list[float], start: int = 0) -> list[Signal]:
    signals: list[Signal] = []
    for i, close in enumerate(closes, start=start):
        signals.extend(trend.on_candle(candle(i, close)))
    return signals


def ramp(start: float, step_pct: float, n: int) -> list[float]:
    return [start * (1.0 + step_pct / 100.0) ** i for i in range(n)]


def test_not_ready_until_the_slow_average_is_full_and_then_allows_everything() -> None:
    trend = TrendFilter(SMALL)
    feed(trend, ramp(100.0, 0.5, 19))
    view = trend.view(SYMBOL)
    assert not view.ready
    assert trend.allows(SYMBOL, Side.SELL) is None
    assert trend.allows(SYMBOL, Side.BUY) is None
    assert trend.size_factor(SYMBOL, Side.SELL) == 1.0
    feed(trend, [100.0 * 1.005**19], start=19)
    assert trend.view(SYMBOL).ready


def test_an_unknown_symbol_is_not_ready() -> None:
    assert not TrendFilter().view("ETH/USDT").ready


def test_a_steady_rise_is_a_strong_uptrend_that_blocks_shorts_and_boosts_longs() -> None:
    trend = TrendFilter(SMALL)
    feed(trend, ramp(100.0, 0.2, 40))
    view = trend.view(SYMBOL)
    assert view.state is TrendState.STRONG_UP
    assert view.regime is Regime.TRENDING_UP
    assert 0.5 <= view.confidence <= 1.0
    assert view.fast_ma > view.slow_ma
    assert trend.allows(SYMBOL, Side.SELL) is ReasonCode.TREND_BLOCK_SHORT
    assert trend.allows(SYMBOL, Side.BUY) is None
    assert trend.size_factor(SYMBOL, Side.SELL) == 0.0
    assert trend.size_factor(SYMBOL, Side.BUY) == SMALL.strong_with_size_factor


def test_entering_a_strong_uptrend_emits_one_buy_signal_not_one_per_candle() -> None:
    trend = TrendFilter(SMALL)
    signals = feed(trend, ramp(100.0, 0.2, 60))
    assert len(signals) == 1
    (sig,) = signals
    assert sig.side is Side.BUY
    assert sig.reasons == (ReasonCode.TREND_STRONG_UP,)
    assert sig.strategy == "trend"
    assert sig.priority in (Priority.LOW, Priority.MEDIUM)
    assert sig.take_profit is not None and sig.stop_loss is not None
    assert sig.stop_loss < 100.0 * 1.002**19 < sig.take_profit
    assert sig.expiry_ts_ns == sig.ts_ns + 60 * S
    assert sig.ts_ns % M == 0  # stamped at a candle's close


def test_a_steady_fall_is_a_strong_downtrend_that_blocks_longs() -> None:
    trend = TrendFilter(SMALL)
    signals = feed(trend, ramp(100.0, -0.2, 40))
    assert trend.view(SYMBOL).state is TrendState.STRONG_DOWN
    assert trend.view(SYMBOL).regime is Regime.TRENDING_DOWN
    assert trend.allows(SYMBOL, Side.BUY) is ReasonCode.TREND_BLOCK_LONG
    assert trend.allows(SYMBOL, Side.SELL) is None
    assert [(s.side, s.reasons) for s in signals] == [(Side.SELL, (ReasonCode.TREND_STRONG_DOWN,))]


def test_a_flat_market_is_neutral_range_and_emits_nothing() -> None:
    trend = TrendFilter(SMALL)
    signals = feed(trend, [100.0 + (0.05 if i % 2 else -0.05) for i in range(60)])
    view = trend.view(SYMBOL)
    assert view.ready and view.state is TrendState.NEUTRAL and view.regime is Regime.RANGE
    assert view.confidence == 0.0
    assert signals == []
    assert trend.size_factor(SYMBOL, Side.BUY) == trend.size_factor(SYMBOL, Side.SELL) == 1.0


def test_a_gentle_rise_is_only_a_weak_uptrend_that_shrinks_shorts() -> None:
    trend = TrendFilter(SMALL)
    feed(trend, ramp(100.0, 0.02, 40))
    view = trend.view(SYMBOL)
    assert view.state is TrendState.WEAK_UP, view
    assert trend.allows(SYMBOL, Side.SELL) is None
    assert trend.size_factor(SYMBOL, Side.SELL) == SMALL.weak_against_size_factor


def test_a_burst_of_volatility_is_the_volatile_regime_and_halves_sizes() -> None:
    trend = TrendFilter(SMALL)
    calm = [100.0 + (0.02 if i % 2 else -0.02) for i in range(40)]
    wild = [101.0, 99.0, 101.0, 99.0]
    feed(trend, calm + wild)
    view = trend.view(SYMBOL)
    assert view.state is TrendState.NEUTRAL
    assert view.regime is Regime.VOLATILE
    assert view.vol_ratio >= SMALL.volatile_ratio
    assert trend.size_factor(SYMBOL, Side.BUY) == SMALL.volatile_size_factor


def test_candles_of_other_timeframes_are_ignored() -> None:
    trend = TrendFilter(SMALL)
    for i, close in enumerate(ramp(100.0, 0.2, 40)):
        assert trend.on_candle(candle(i, close, timeframe="5m")) == ()
    assert not trend.view(SYMBOL).ready


def test_symbols_have_independent_trends() -> None:
    trend = TrendFilter(SMALL)
    for i, close in enumerate(ramp(100.0, 0.2, 40)):
        trend.on_candle(candle(i, close, symbol="BTC/USDT"))
        trend.on_candle(candle(i, 200.0 - close, symbol="ETH/USDT"))
    assert trend.view("BTC/USDT").state is TrendState.STRONG_UP
    assert trend.view("ETH/USDT").state is TrendState.STRONG_DOWN


def test_changing_parameters_restarts_the_warm_up() -> None:
    trend = TrendFilter(SMALL)
    feed(trend, ramp(100.0, 0.2, 40))
    trend.set_params(SMALL.model_copy(update={"strong_spread_bps": 30.0}))
    assert not trend.view(SYMBOL).ready


def test_default_parameters_are_fifty_and_two_hundred_on_one_minute() -> None:
    p = TrendParams()
    assert (p.fast_period, p.slow_period, p.timeframe) == (50, 200, "1m")


@pytest.mark.parametrize(
    "bad",
    [
        {"fast_period": 200, "slow_period": 200},
        {"weak_spread_bps": 30.0, "strong_spread_bps": 20.0},
        {"timeframe": "7m"},
        {"volatile_ratio": math.nan},
        {"fast_period": 1},
        {"unknown": 1},
    ],
)
def test_invalid_parameters_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TrendParams(**bad)  # type: ignore[arg-type]


def _flicker() -> list[float]:
    """A rise that pauses long enough to drop out of 'strong', then resumes."""
    up = ramp(100.0, 0.2, 30)
    pause = [up[-1]] * 8
    return up + pause + ramp(up[-1], 0.2, 8)[1:]


def test_a_trend_flickering_back_into_strong_does_not_repeat_its_signal_within_the_cooldown() -> None:
    states: list[TrendState] = []
    trend = TrendFilter(SMALL.model_copy(update={"cooldown_s": 0.0}))
    signals: list[Signal] = []
    for i, close in enumerate(_flicker()):
        signals.extend(trend.on_candle(candle(i, close)))
        states.append(trend.view(SYMBOL).state)
    assert TrendState.WEAK_UP in states[states.index(TrendState.STRONG_UP) :]
    assert len(signals) == 2
    assert len(feed(TrendFilter(SMALL.model_copy(update={"cooldown_s": 3600.0})), _flicker())) == 1
