from hft_tui.model import Candle, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.cvd_params import CvdParams

S = 1_000_000_000
M = 60 * S
SYMBOL = "BTC/USDT"
CANDLES = CvdParams(bar_mode="candles", timeframe="1m", swing_strength=2, cooldown_s=0.0, volume_avg_bars=5)

# (high, low, buy volume) per 1m bar of volume 10: a swing high at bar 2 on buying, then a
# higher high at bar 6 made while sellers dominate, confirmed two bars later (bar 8).
BEARISH = [
    (100.0, 99.0, 5.0),
    (101.0, 100.0, 8.0),
    (102.0, 101.0, 9.0),
    (101.5, 100.5, 5.0),
    (101.0, 100.2, 5.0),
    (101.5, 100.6, 2.0),
    (103.0, 101.5, 3.0),
    (102.5, 101.6, 5.0),
    (102.0, 101.7, 5.0),
]


def bar(i: int, high: float, low: float, buy: float, volume: float = 10.0, symbol: str = SYMBOL) -> Candle:
    close = (high + low) / 2.0
    return Candle(symbol, "1m", i * M, close, high, low, close, volume, buy)


def mirrored(bars: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Price reflected around 100 and flow reversed: highs become lows, buyers sellers."""
    return [(200.0 - low, 200.0 - high, 10.0 - buy) for high, low, buy in bars]


def run(cvd: CvdDetector, bars: list[tuple[float, float, float]]) -> list[tuple[int, Signal]]:
    out: list[tuple[int, Signal]] = []
    for i, (high, low, buy) in enumerate(bars):
        out.extend((i, s) for s in cvd.on_candle(bar(i, high, low, buy)))
    return out


def trade(ts_ns: int, price: float, qty: float, side: Side) -> Trade:
    return Trade(SYMBOL, ts_ns, price, qty, side)


def test_cumulative_delta_adds_buys_and_subtracts_sells() -> None:
    cvd = CvdDetector()
    cvd.on_trade(trade(1, 100.0, 2.0, Side.BUY))
    cvd.on_trade(trade(2, 100.0, 0.5, Side.SELL))
    assert cvd.cumulative_delta(SYMBOL) == 1.5
    assert cvd.cumulative_delta("ETH/USDT") == 0.0


def test_a_higher_high_on_a_lower_cvd_high_is_a_bearish_divergence() -> None:
    fired = run(CvdDetector(CANDLES), BEARISH)
    assert len(fired) == 1
    i, sig = fired[0]
    assert i == 8
    assert sig.side is Side.SELL and sig.reasons == (ReasonCode.CVD_BEAR_DIV,)
    assert sig.strategy == "cvd"
    assert sig.ts_ns == 9 * M  # the end of the confirming bar
    assert sig.stop_loss is not None and sig.stop_loss > 103.0
    assert sig.take_profit is not None and sig.take_profit < (102.0 + 101.7) / 2.0
    assert 0.55 <= sig.confidence <= 0.85


def test_a_higher_high_that_cvd_confirms_is_not_a_divergence() -> None:
    confirmed = [(h, l, 9.0 if i in (5, 6) else b) for i, (h, l, b) in enumerate(BEARISH)]
    assert run(CvdDetector(CANDLES), confirmed) == []


def test_a_lower_low_on_a_higher_cvd_low_is_a_bullish_divergence() -> None:
    fired = run(CvdDetector(CANDLES), mirrored(BEARISH))
    assert [(i, s.side, s.reasons) for i, s in fired] == [(8, Side.BUY, (ReasonCode.CVD_BULL_DIV,))]
    sig = fired[0][1]
    assert sig.stop_loss is not None and sig.stop_loss < 97.0


def test_swings_further_apart_than_the_lookback_are_not_compared() -> None:
    far = BEARISH[:5] + [(101.0, 100.4, 5.0)] * 40 + BEARISH[5:]
    assert run(CvdDetector(CANDLES.model_copy(update={"lookback_bars": 20})), far) == []


def test_candles_of_another_timeframe_are_ignored_in_candle_mode() -> None:
    cvd = CvdDetector(CANDLES)
    for i, (high, low, buy) in enumerate(BEARISH):
        c = bar(i, high, low, buy)
        assert cvd.on_candle(Candle(SYMBOL, "5m", c.open_ts_ns, c.open, high, low, c.close, 10.0, buy)) == ()


EXHAUSTION = CvdParams(
    bar_mode="candles", volume_avg_bars=5, extreme_lookback_bars=5, exhaustion_volume_mult=3.0, cooldown_s=30.0
)
FLAT = [(101.0, 99.0, 5.0)] * 6


def exhaustion_run(params: CvdParams, last: list[tuple[float, float, float, float]]) -> list[Signal]:
    cvd = CvdDetector(params)
    signals: list[Signal] = []
    for i, (high, low, buy) in enumerate(FLAT):
        signals.extend(cvd.on_candle(bar(i, high, low, buy)))
    assert signals == []
    for j, (high, low, buy, volume) in enumerate(last, start=len(FLAT)):
        signals.extend(cvd.on_candle(bar(j, high, low, buy, volume)))
    return signals


def test_a_buying_volume_spike_at_a_new_high_is_buy_exhaustion_and_sells() -> None:
    (sig,) = exhaustion_run(EXHAUSTION, [(102.0, 100.0, 30.0, 40.0)])
    assert sig.side is Side.SELL and sig.reasons == (ReasonCode.CVD_BUY_EXHAUSTION,)
    assert sig.stop_loss is not None and sig.stop_loss > 102.0


def test_a_selling_volume_spike_at_a_new_low_is_sell_exhaustion_and_buys() -> None:
    (sig,) = exhaustion_run(EXHAUSTION, [(100.0, 98.0, 10.0, 40.0)])
    assert sig.side is Side.BUY and sig.reasons == (ReasonCode.CVD_SELL_EXHAUSTION,)
    assert sig.stop_loss is not None and sig.stop_loss < 98.0


def test_no_exhaustion_below_the_volume_multiple() -> None:
    assert exhaustion_run(EXHAUSTION, [(102.0, 100.0, 20.0, 25.0)]) == []


def test_no_exhaustion_for_a_volume_spike_inside_the_range() -> None:
    assert exhaustion_run(EXHAUSTION, [(100.5, 99.5, 30.0, 40.0)]) == []


def test_no_buy_exhaustion_when_sellers_drove_the_spike_to_the_high() -> None:
    assert exhaustion_run(EXHAUSTION, [(102.0, 100.0, 10.0, 40.0)]) == []


def test_the_cooldown_holds_back_a_second_signal_on_the_same_side() -> None:
    spikes = [(102.0, 100.0, 30.0, 40.0), (103.0, 101.0, 50.0, 60.0)]
    assert len(exhaustion_run(EXHAUSTION, spikes)) == 2  # a minute apart, 30 s cooldown
    assert len(exhaustion_run(EXHAUSTION.model_copy(update={"cooldown_s": 600.0}), spikes)) == 1


def test_trade_mode_builds_bars_of_n_trades_and_fires_on_a_burst() -> None:
    cvd = CvdDetector(CvdParams(bar_trades=5, volume_avg_bars=5, extreme_lookback_bars=5))
    ts = 0
    signals: list[Signal] = []
    for i in range(30):  # six quiet bars
        ts += S // 10
        signals.extend(cvd.on_trade(trade(ts, 100.0 + (0.5 if i % 2 else -0.5), 1.0, Side.BUY if i % 2 else Side.SELL)))
    assert signals == []
    for k in range(5):  # one bar of heavy buying to a new high
        ts += S // 10
        signals.extend(cvd.on_trade(trade(ts, 101.0 + 0.2 * k, 4.0, Side.BUY)))
    (sig,) = signals
    assert sig.reasons == (ReasonCode.CVD_BUY_EXHAUSTION,) and sig.ts_ns == ts


def test_candles_are_ignored_in_trade_mode() -> None:
    assert run(CvdDetector(CvdParams(swing_strength=2, cooldown_s=0.0, volume_avg_bars=5)), BEARISH) == []


def test_recent_net_buying_confirms_longs_and_not_shorts() -> None:
    cvd = CvdDetector(CvdParams(confirm_trades=50, confirm_min_delta_ratio=0.1))
    for i in range(50):
        cvd.on_trade(trade(i, 100.0, 1.0, Side.BUY if i % 5 else Side.SELL))
    assert cvd.confirms(SYMBOL, Side.BUY)
    assert not cvd.confirms(SYMBOL, Side.SELL)
    assert not cvd.confirms("ETH/USDT", Side.BUY)


def test_balanced_flow_confirms_neither_side() -> None:
    cvd = CvdDetector()
    for i in range(50):
        cvd.on_trade(trade(i, 100.0, 1.0, Side.BUY if i % 2 else Side.SELL))
    assert not cvd.confirms(SYMBOL, Side.BUY)
    assert not cvd.confirms(SYMBOL, Side.SELL)


def test_a_divergence_confirms_its_side_until_its_confirmation_ttl_runs_out() -> None:
    cvd = CvdDetector(CANDLES.model_copy(update={"confirm_event_ttl_s": 90.0}))
    run(cvd, BEARISH)
    assert cvd.confirms(SYMBOL, Side.SELL)
    assert not cvd.confirms(SYMBOL, Side.BUY)
    cvd.on_candle(bar(len(BEARISH), 102.0, 101.7, 5.0))  # one more minute: still within 90 s
    assert cvd.confirms(SYMBOL, Side.SELL)
    cvd.on_candle(bar(len(BEARISH) + 1, 102.0, 101.7, 5.0))
    assert not cvd.confirms(SYMBOL, Side.SELL)
