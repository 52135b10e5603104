import pytest

from hft_tui.model import OrderBook, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.spike_fader import SpikeFader
from hft_tui.strategies.spike_fader_params import SpikeFaderParams

S = 1_000_000_000
SYMBOL = "BTC/USDT"


def walk(fader: SpikeFader, prices: list[float], start_s: float = 0.0, step_s: float = 1.0) -> list[Signal]:
    """Feed one trade print per ``step_s`` seconds; return every signal."""
    out: list[Signal] = []
    for i, price in enumerate(prices):
        ts = int((start_s + i * step_s) * S)
        out.extend(fader.on_trade(Trade(SYMBOL, ts, price, 1.0, Side.BUY)))
    return out


def line(start: float, end: float, n: int) -> list[float]:
    return [start + (end - start) * i / (n - 1) for i in range(n)]


def test_a_rise_beyond_the_threshold_is_faded_with_a_sell() -> None:
    signals = walk(SpikeFader(), [100.0] * 60 + line(100.0, 101.3, 60))
    (sig,) = signals
    assert sig.side is Side.SELL and sig.reasons == (ReasonCode.SPIKE_FADE_UP,)
    assert sig.strategy == "spike_fader"
    entry = sig.take_profit / (1 - 0.008)  # type: ignore[operator]
    assert entry == pytest.approx(101.2, abs=0.03)
    assert sig.stop_loss == pytest.approx(entry * 1.006)
    assert 0.6 <= sig.confidence <= 0.85


def test_a_fall_beyond_the_threshold_is_faded_with_a_buy() -> None:
    (sig,) = walk(SpikeFader(), [100.0] * 60 + line(100.0, 98.7, 60))
    assert sig.side is Side.BUY and sig.reasons == (ReasonCode.SPIKE_FADE_DOWN,)
    assert sig.take_profit is not None and sig.stop_loss is not None
    assert sig.stop_loss < 98.8 < sig.take_profit


def test_a_move_below_the_threshold_is_not_faded() -> None:
    assert walk(SpikeFader(), [100.0] * 60 + line(100.0, 101.1, 60) + line(101.1, 100.0, 120)) == []


def test_a_slow_drift_spread_over_more_than_the_window_is_not_a_spike() -> None:
    # 2% over an hour is never 1.2% within any 15-minute window.
    assert walk(SpikeFader(), line(100.0, 102.0, 361), step_s=10.0) == []


def test_one_spike_fires_once_while_it_persists() -> None:
    assert len(walk(SpikeFader(), [100.0] * 10 + line(100.0, 101.5, 30) + [101.5] * 600)) == 1


def test_a_direction_rearms_after_the_move_retraces_and_the_cooldown_passes() -> None:
    fader = SpikeFader(SpikeFaderParams(window_s=60.0, cooldown_s=120.0))
    first = walk(fader, [100.0] * 60 + line(100.0, 101.3, 10) + line(101.3, 100.6, 30) + [100.6] * 15)
    assert [s.side for s in first] == [Side.SELL]
    # Retraced and re-armed, but a second spike 55 s after the first is still cooling down.
    assert walk(fader, line(100.6, 101.9, 10) + [101.9] * 60, start_s=115) == []
    # A third spike once the cooldown has passed fires again.
    third = walk(fader, line(101.9, 103.2, 10), start_s=185)
    assert [s.side for s in third] == [Side.SELL]


def test_book_mids_feed_the_window_too() -> None:
    fader = SpikeFader()
    signals: list[Signal] = []
    for i, mid in enumerate([100.0] * 10 + line(100.0, 98.5, 20)):
        book = OrderBook.from_levels(SYMBOL, i * S, i, [(mid - 0.01, 1.0)], [(mid + 0.01, 1.0)])
        signals.extend(fader.on_book(book))
    assert [s.side for s in signals] == [Side.BUY]


def test_symbols_are_measured_separately() -> None:
    fader = SpikeFader()
    fader.on_trade(Trade("ETH/USDT", 0, 100.0, 1.0, Side.BUY))
    assert fader.on_trade(Trade(SYMBOL, S, 101.5, 1.0, Side.BUY)) == ()


def test_a_smaller_threshold_fires_on_a_smaller_move() -> None:
    prices = [100.0] * 10 + line(100.0, 100.6, 10)
    assert walk(SpikeFader(), prices) == []
    assert len(walk(SpikeFader(SpikeFaderParams(threshold_pct=0.5)), prices)) == 1
