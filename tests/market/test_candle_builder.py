import pytest

from hft_tui.market.candle_builder import CandleBuilder, parse_timeframe
from hft_tui.model import Candle, OrderBook, Side, Trade

S = 1_000_000_000
M = 60 * S
T0 = 1_700_000_040 * S  # a whole minute


def trade(ts_ns: int, price: float, qty: float = 1.0, side: Side = Side.BUY, symbol: str = "BTC/USDT") -> Trade:
    return Trade(symbol, ts_ns, price, qty, side)


def book(ts_ns: int, bid: float, ask: float, symbol: str = "BTC/USDT") -> OrderBook:
    return OrderBook.from_levels(symbol, ts_ns, 1, [(bid, 1.0)], [(ask, 1.0)])


@pytest.mark.parametrize(
    ("timeframe", "ns"),
    [("1s", S), ("15s", 15 * S), ("1m", M), ("5m", 5 * M), ("1h", 60 * M), ("1d", 1440 * M), ("1w", 7 * 1440 * M)],
)
def test_timeframes_parse_to_nanoseconds(timeframe: str, ns: int) -> None:
    assert parse_timeframe(timeframe) == ns


@pytest.mark.parametrize("bad", ["", "m", "0m", "1M", "1 m", "1.5m", "-1m", "1mo"])
def test_malformed_timeframes_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_timeframe(bad)


def test_a_trade_in_the_next_bucket_closes_the_candle_with_ohlcv_and_aggressor_buy_volume() -> None:
    cb = CandleBuilder(["1m"])
    assert cb.on_trade(trade(T0 + 1 * S, 100.0, 1.0, Side.BUY)) == ()
    assert cb.on_trade(trade(T0 + 10 * S, 103.0, 2.0, Side.SELL)) == ()
    assert cb.on_trade(trade(T0 + 20 * S, 99.0, 0.5, Side.BUY)) == ()
    assert cb.on_trade(trade(T0 + 59 * S, 101.0, 1.5, Side.SELL)) == ()
    closed = cb.on_trade(trade(T0 + M, 102.0))
    assert list(closed) == [Candle("BTC/USDT", "1m", T0, 100.0, 103.0, 99.0, 101.0, 5.0, 1.5)]
    assert closed[0].sell_volume == 3.5


def test_each_timeframe_closes_on_its_own_boundary() -> None:
    cb = CandleBuilder(["1m", "5m"])
    cb.on_trade(trade(T0 - T0 % (5 * M), 100.0))
    start = T0 - T0 % (5 * M)
    closed_1m = cb.on_trade(trade(start + M, 101.0))
    assert [c.timeframe for c in closed_1m] == ["1m"]
    closed_both = cb.on_trade(trade(start + 5 * M, 102.0))
    assert [(c.timeframe, c.open_ts_ns) for c in closed_both] == [("1m", start + M), ("5m", start)]
    assert closed_both[1].high == 101.0 and closed_both[1].volume == 2.0


def test_a_bucket_without_trades_is_built_from_book_mids_with_zero_volume() -> None:
    cb = CandleBuilder(["1m"])
    cb.on_book(book(T0 + 1 * S, 99.0, 101.0))
    cb.on_book(book(T0 + 2 * S, 101.0, 103.0))
    cb.on_book(book(T0 + 3 * S, 97.0, 99.0))
    closed = cb.on_book(book(T0 + M, 100.0, 102.0))
    assert list(closed) == [Candle("BTC/USDT", "1m", T0, 100.0, 102.0, 98.0, 98.0, 0.0, 0.0)]


def test_trades_take_precedence_over_mids_in_the_same_bucket() -> None:
    cb = CandleBuilder(["1m"])
    cb.on_book(book(T0 + 1 * S, 90.0, 92.0))
    cb.on_trade(trade(T0 + 2 * S, 100.0))
    cb.on_book(book(T0 + 3 * S, 120.0, 122.0))
    (candle,) = cb.on_time("BTC/USDT", T0 + M)
    assert (candle.open, candle.high, candle.low, candle.close, candle.volume) == (100.0, 100.0, 100.0, 100.0, 1.0)


def test_on_time_closes_a_quiet_bucket_and_gaps_produce_no_empty_candles() -> None:
    cb = CandleBuilder(["1m"])
    cb.on_trade(trade(T0 + 5 * S, 100.0))
    assert cb.on_time("BTC/USDT", T0 + 59 * S) == ()
    (closed,) = cb.on_time("BTC/USDT", T0 + M)
    assert closed.open_ts_ns == T0
    assert cb.current("BTC/USDT", "1m") is None
    assert cb.on_time("BTC/USDT", T0 + 10 * M) == ()
    cb.on_trade(trade(T0 + 10 * M + 1, 105.0))
    (after_gap,) = cb.on_trade(trade(T0 + 11 * M, 106.0))
    assert after_gap.open_ts_ns == T0 + 10 * M and after_gap.close == 105.0


def test_on_time_for_an_unknown_symbol_closes_nothing() -> None:
    assert CandleBuilder(["1m"]).on_time("ETH/USDT", T0) == ()


def test_late_trades_are_counted_not_folded_into_the_open_bucket() -> None:
    cb = CandleBuilder(["1m"])
    cb.on_trade(trade(T0 + M + 1, 100.0))
    cb.on_trade(trade(T0 + 30 * S, 50.0))
    assert cb.late_events == 1
    current = cb.current("BTC/USDT", "1m")
    assert current is not None and current.low == 100.0 and current.volume == 1.0


def test_current_shows_the_open_candle_and_rejects_an_unbuilt_timeframe() -> None:
    cb = CandleBuilder(["1m"])
    assert cb.current("BTC/USDT", "1m") is None
    cb.on_trade(trade(T0 + S, 100.0, 2.0, Side.SELL))
    assert cb.current("BTC/USDT", "1m") == Candle("BTC/USDT", "1m", T0, 100.0, 100.0, 100.0, 100.0, 2.0, 0.0)
    with pytest.raises(KeyError):
        cb.current("BTC/USDT", "5m")


def test_symbols_are_built_independently() -> None:
    cb = CandleBuilder(["1m"])
    cb.on_trade(trade(T0, 100.0, symbol="BTC/USDT"))
    cb.on_trade(trade(T0, 10.0, symbol="ETH/USDT"))
    (eth,) = cb.on_trade(trade(T0 + M, 11.0, symbol="ETH/USDT"))
    assert eth.symbol == "ETH/USDT" and eth.close == 10.0
    btc = cb.current("BTC/USDT", "1m")
    assert btc is not None and btc.close == 100.0


def test_duplicate_or_missing_timeframes_are_rejected() -> None:
    with pytest.raises(ValueError):
        CandleBuilder(["1m", "1m"])
    with pytest.raises(ValueError):
        CandleBuilder([])
