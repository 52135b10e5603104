"""A file's candle taken at its close: a one-level book one tick around the close that follows
the symbol's last book, and the bar's volume as interleaved buy and sell trades at the close
(the buy share estimated where the file has none)."""

from __future__ import annotations

import pytest

from hft_tui.market.candle_bar import TRADE_SLICES, CandleBar
from hft_tui.model import Candle, MarketRules, Side

RULES = MarketRules("BTC/USDT", tick_size=0.5, lot_size=0.001)
MINUTE_NS = 60_000_000_000


def _candle(*, volume: float = 16.0, buy_volume: float = 0.0) -> Candle:
    return Candle("BTC/USDT", "1m", 5 * MINUTE_NS, 100.0, 110.0, 90.0, 105.0, volume, buy_volume)


def test_the_book_is_one_tick_around_the_close_at_the_close_time_after_the_last_book() -> None:
    first = CandleBar.at_close(_candle(), RULES, None)
    assert first.ts_ns == 6 * MINUTE_NS and first.book.ts_ns == first.ts_ns
    assert (first.book.best_bid, first.book.best_ask, first.book.seq) == (104.5, 105.5, 1)
    assert CandleBar.at_close(_candle(), RULES, first.book).book.seq == 2


def test_the_volume_is_interleaved_buy_and_sell_trades_at_the_close() -> None:
    bar = CandleBar.at_close(_candle(volume=16.0, buy_volume=12.0), RULES, None)
    trades = list(bar.trades())
    assert len(trades) == 2 * TRADE_SLICES
    assert [t.side for t in trades[:4]] == [Side.BUY, Side.SELL, Side.BUY, Side.SELL]
    assert {(t.price, t.ts_ns) for t in trades} == {(105.0, bar.ts_ns)}
    assert sum(t.qty for t in trades if t.side is Side.BUY) == pytest.approx(12.0)
    assert sum(t.qty for t in trades if t.side is Side.SELL) == pytest.approx(4.0)
    assert bar.last_trade() == trades[-1]


def test_a_bar_without_its_buy_volume_gets_the_close_location_estimate() -> None:
    bar = CandleBar.at_close(_candle(volume=20.0), RULES, None)
    assert bar.candle.buy_volume == pytest.approx(15.0)  # the close is 3/4 of the way up the range


def test_a_bar_without_volume_has_no_trades() -> None:
    bar = CandleBar.at_close(_candle(volume=0.0), RULES, None)
    assert list(bar.trades()) == [] and bar.last_trade() is None
