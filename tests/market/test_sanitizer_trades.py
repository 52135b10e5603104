"""The L0 sanitizer on trades: one test per reason code, plus duplicate handling."""

from __future__ import annotations

import math

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import Liquidation, MarketRules, OrderBook, ReasonCode, Side, Trade

T0 = 1_700_000_000_000_000_000
MS = 1_000_000
RULES = {"BTC/USDT": MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001)}


def trade(price: float = 100.1, qty: float = 0.5, ts_ns: int = T0, trade_id: str = "t1",
          symbol: str = "BTC/USDT") -> Trade:
    return Trade(symbol, ts_ns, price, qty, Side.BUY, trade_id)


@pytest.fixture
def sanitizer() -> Sanitizer:
    return Sanitizer(SanitizerSettings(), RULES, FrozenClock(T0))


def test_healthy_trade_is_accepted(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_trade(trade()) is None
    assert sanitizer.accepted == 1


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (trade(symbol="ETH/USDT"), ReasonCode.UNKNOWN_SYMBOL),
        (trade(price=math.nan), ReasonCode.NON_FINITE),
        (trade(qty=math.inf), ReasonCode.NON_FINITE),
        (trade(price=0.0), ReasonCode.NON_POSITIVE),
        (trade(qty=-1.0), ReasonCode.NON_POSITIVE),
        (trade(price=100.15), ReasonCode.OFF_TICK),
        (trade(qty=0.0015), ReasonCode.OFF_LOT),
        (trade(ts_ns=T0 - 150 * MS), ReasonCode.FEED_LATENCY),
        (trade(ts_ns=T0 + 5_000 * MS), ReasonCode.CLOCK_SKEW),
        (Trade("BTC/USDT", T0, "100.1", 1.0, Side.BUY), ReasonCode.MALFORMED),  # type: ignore[arg-type]
        (Trade("BTC/USDT", None, 100.1, 1.0, Side.BUY), ReasonCode.MALFORMED),  # type: ignore[arg-type]
        ("not a trade", ReasonCode.MALFORMED),
        (Trade("BTC/USDT", T0, 100.1, 1.0, "buy"), ReasonCode.MALFORMED),  # type: ignore[arg-type]
        (trade(qty=1e-13), ReasonCode.BELOW_ONE_STEP),
        (trade(qty=1e-300), ReasonCode.BELOW_ONE_STEP),
        (trade(qty=5e-324), ReasonCode.BELOW_ONE_STEP),
        (trade(price=1e-300), ReasonCode.BELOW_ONE_STEP),
        (trade(qty=1e250), ReasonCode.ABSURD_NOTIONAL),
        (trade(price=1e300, qty=1e300), ReasonCode.ABSURD_NOTIONAL),
    ],
)
def test_bad_trades_are_rejected_with_their_reason(sanitizer: Sanitizer, bad: Trade, code: ReasonCode) -> None:
    assert sanitizer.check_trade(bad) is code
    assert sanitizer.counts == {code: 1}


def test_trade_older_than_the_last_accepted_trade_is_stale(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_trade(trade(ts_ns=T0, trade_id="a")) is None
    assert sanitizer.check_trade(trade(ts_ns=T0 - 1, trade_id="b")) is ReasonCode.STALE_DATA


def test_redelivered_trade_id_at_the_same_time_is_a_duplicate(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_trade(trade(trade_id="a")) is None
    assert sanitizer.check_trade(trade(trade_id="b")) is None
    assert sanitizer.check_trade(trade(trade_id="a")) is ReasonCode.SEQ_DUPLICATE
    # Trades without ids cannot be told apart: all are kept.
    assert sanitizer.check_trade(trade(trade_id="")) is None
    assert sanitizer.check_trade(trade(trade_id="")) is None


def test_trade_far_from_the_last_good_book_mid_is_a_jump(sanitizer: Sanitizer) -> None:
    # Without a good book there is no reference yet.
    assert sanitizer.check_trade(trade(price=150.0, trade_id="a")) is None
    good = OrderBook.from_levels("BTC/USDT", T0, 1, [(100.0, 1.0)], [(100.1, 1.0)])
    assert sanitizer.check_book(good) is None
    assert sanitizer.check_trade(trade(price=150.0, trade_id="b")) is ReasonCode.PRICE_JUMP
    assert sanitizer.check_trade(trade(price=104.0, trade_id="c")) is None


def test_trades_and_books_keep_separate_timelines(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_trade(trade(ts_ns=T0)) is None
    older_book = OrderBook.from_levels("BTC/USDT", T0 - MS, 1, [(100.0, 1.0)], [(100.1, 1.0)])
    assert sanitizer.check_book(older_book) is None


@pytest.mark.parametrize(
    ("price", "qty", "side", "code"),
    [
        (100.0, 2.0, Side.SELL, None),
        (100.03, 1.2345, Side.SELL, None),  # an average price and a contract conversion: no grid
        (math.nan, 2.0, Side.SELL, ReasonCode.NON_FINITE),
        (100.0, 1e250, Side.SELL, ReasonCode.ABSURD_NOTIONAL),
        (100.0, 1e-13, Side.SELL, ReasonCode.BELOW_ONE_STEP),
        (100.0, 2.0, "sell", ReasonCode.MALFORMED),
        ("100", 2.0, Side.SELL, ReasonCode.MALFORMED),
    ],
)
def test_liquidations_are_judged_before_a_strategy_sees_them(sanitizer: Sanitizer, price: object, qty: object,
                                                             side: object, code: ReasonCode | None) -> None:
    liquidation = Liquidation("BTC/USDT", T0, price, qty, side)  # type: ignore[arg-type]
    assert sanitizer.check_liquidation(liquidation) is code


def test_a_liquidation_far_from_the_reference_is_a_jump(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(OrderBook.from_levels("BTC/USDT", T0, 1, [(100.0, 1.0)], [(100.1, 1.0)])) is None
    assert sanitizer.check_liquidation(Liquidation("BTC/USDT", T0, 1.0, 2.0, Side.SELL)) is ReasonCode.PRICE_JUMP
