"""The L0 sanitizer on order books: one test per reason code, plus state handling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hft_tui.clock import FrozenClock
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import MarketRules, OrderBook, ReasonCode

T0 = 1_700_000_000_000_000_000
MS = 1_000_000
RULES = {"BTC/USDT": MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001)}
GOOD_BIDS = [(100.0, 1.0), (99.9, 2.0), (99.8, 0.5)]
GOOD_ASKS = [(100.1, 1.5), (100.2, 0.25), (100.3, 3.0)]


def book(bids=GOOD_BIDS, asks=GOOD_ASKS, seq: int = 1, ts_ns: int = T0, symbol: str = "BTC/USDT") -> OrderBook:
    return OrderBook.from_levels(symbol, ts_ns, seq, bids, asks)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def sanitizer(clock: FrozenClock) -> Sanitizer:
    return Sanitizer(SanitizerSettings(), RULES, clock)


def test_healthy_book_is_accepted_counted_and_becomes_the_reference(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book()) is None
    assert sanitizer.accepted == 1
    assert sanitizer.counts == {}
    assert sanitizer.last_good_mid("BTC/USDT") == pytest.approx(100.05)


@pytest.mark.parametrize(
    ("bids", "asks", "code"),
    [
        ([], GOOD_ASKS, ReasonCode.EMPTY_BOOK),
        (GOOD_BIDS, [], ReasonCode.EMPTY_BOOK),
        ([(100.0, math.nan)] + GOOD_BIDS[1:], GOOD_ASKS, ReasonCode.NON_FINITE),
        (GOOD_BIDS, GOOD_ASKS[:2] + [(math.inf, 1.0)], ReasonCode.NON_FINITE),
        (GOOD_BIDS, GOOD_ASKS[:2] + [(100.3, 0.0)], ReasonCode.NON_POSITIVE),
        (GOOD_BIDS[:2] + [(99.8, -0.5)], GOOD_ASKS, ReasonCode.NON_POSITIVE),
        (GOOD_BIDS[:2] + [(-99.8, 0.5)], GOOD_ASKS, ReasonCode.NON_POSITIVE),
        ([(99.9, 2.0), (100.0, 1.0)], GOOD_ASKS, ReasonCode.UNSORTED_LEVELS),
        (GOOD_BIDS, [(100.2, 1.0), (100.1, 1.0)], ReasonCode.UNSORTED_LEVELS),
        (GOOD_BIDS, [(100.1, 1.0), (100.1, 1.0)], ReasonCode.UNSORTED_LEVELS),
        ([(100.2, 1.0), (100.0, 1.0)], GOOD_ASKS, ReasonCode.CROSSED_BOOK),
        ([(100.1, 1.0), (100.0, 1.0)], GOOD_ASKS, ReasonCode.LOCKED_BOOK),
        ([(100.05, 1.0)], GOOD_ASKS, ReasonCode.OFF_TICK),
        (GOOD_BIDS, [(100.1, 1.0005)], ReasonCode.OFF_LOT),
    ],
)
def test_bad_levels_are_rejected_with_their_reason(
    sanitizer: Sanitizer, bids: list, asks: list, code: ReasonCode
) -> None:
    assert sanitizer.check_book(book(bids, asks)) is code
    assert sanitizer.counts == {code: 1}
    assert sanitizer.accepted == 0
    assert sanitizer.last_good_mid("BTC/USDT") is None


def test_prices_that_are_not_exact_binary_multiples_of_the_tick_are_on_tick(sanitizer: Sanitizer) -> None:
    # 0.1 * 3 != 0.3 in binary floating point: the tolerance must absorb that.
    bids = [(0.1 * k, 0.001 * 7) for k in range(1003, 990, -1)]
    asks = [(0.1 * k, 0.001 * 3) for k in range(1004, 1010)]
    assert sanitizer.check_book(book(bids, asks)) is None


def test_tick_and_lot_checks_can_be_switched_off(clock: FrozenClock) -> None:
    sanitizer = Sanitizer(SanitizerSettings(check_tick_lot=False), RULES, clock)
    assert sanitizer.check_book(book([(100.05, 1.0005)], GOOD_ASKS)) is None
    assert sanitizer.check_book(book([(100.0, math.nan)], GOOD_ASKS, seq=2)) is ReasonCode.NON_FINITE
    assert sanitizer.check_book(book([(99.9, 1.0), (100.0, 1.0)], GOOD_ASKS, seq=3)) is ReasonCode.UNSORTED_LEVELS


def test_unknown_symbol_is_rejected(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(symbol="DOGE/USDT")) is ReasonCode.UNKNOWN_SYMBOL


def test_book_with_wrongly_shaped_arrays_is_malformed(sanitizer: Sanitizer) -> None:
    odd = OrderBook("BTC/USDT", T0, 1, np.ones((2, 3)), np.ones((2, 2)))
    assert sanitizer.check_book(odd) is ReasonCode.MALFORMED
    assert sanitizer.check_book("not a book") is ReasonCode.MALFORMED  # type: ignore[arg-type]


def test_repeated_sequence_is_a_duplicate_and_lower_is_out_of_order(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(seq=10)) is None
    assert sanitizer.check_book(book(seq=10)) is ReasonCode.SEQ_DUPLICATE
    assert sanitizer.check_book(book(seq=9)) is ReasonCode.SEQ_OUT_OF_ORDER
    assert sanitizer.check_book(book(seq=12)) is None  # gaps between snapshots are fine


def test_sources_without_sequence_numbers_are_not_sequence_checked(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(seq=0)) is None
    assert sanitizer.check_book(book(seq=0)) is None


def test_book_older_than_the_last_accepted_is_stale(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(seq=1, ts_ns=T0)) is None
    assert sanitizer.check_book(book(seq=2, ts_ns=T0 - 1)) is ReasonCode.STALE_DATA
    assert sanitizer.check_book(book(seq=3, ts_ns=T0)) is None


def test_feed_latency_beyond_the_limit_is_rejected(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(ts_ns=T0 - 101 * MS)) is ReasonCode.FEED_LATENCY
    assert sanitizer.check_book(book(ts_ns=T0 - 100 * MS)) is None


def test_timestamp_far_ahead_of_the_local_clock_is_clock_skew(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(ts_ns=T0 + 1_001 * MS)) is ReasonCode.CLOCK_SKEW
    assert sanitizer.check_book(book(ts_ns=T0 + 999 * MS)) is None


def test_spread_wider_than_the_limit_is_rejected(sanitizer: Sanitizer) -> None:
    # 100.0 / 100.6: spread 0.6 on mid 100.3 = 59.8 bps > 50.
    assert sanitizer.check_book(book(asks=[(100.6, 1.0)])) is ReasonCode.SPREAD_TOO_WIDE
    # 100.0 / 100.5: 49.9 bps.
    assert sanitizer.check_book(book(asks=[(100.5, 1.0)])) is None


def test_absurd_jump_from_the_last_good_mid_is_rejected(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(seq=1)) is None
    far = book([(110.0, 1.0)], [(110.1, 1.0)], seq=2)  # +9.9 %
    assert sanitizer.check_book(far) is ReasonCode.PRICE_JUMP
    near = book([(104.0, 1.0)], [(104.1, 1.0)], seq=3)  # +4 %
    assert sanitizer.check_book(near) is None


def test_a_real_move_is_accepted_after_enough_agreeing_books(clock: FrozenClock) -> None:
    sanitizer = Sanitizer(SanitizerSettings(jump_confirmations=2), RULES, clock)
    assert sanitizer.check_book(book(seq=1)) is None
    moved = lambda seq: book([(110.0, 1.0)], [(110.1, 1.0)], seq=seq)  # noqa: E731
    assert sanitizer.check_book(moved(2)) is ReasonCode.PRICE_JUMP
    assert sanitizer.check_book(moved(3)) is ReasonCode.PRICE_JUMP
    assert sanitizer.check_book(moved(4)) is None
    assert sanitizer.last_good_mid("BTC/USDT") == pytest.approx(110.05)


def test_a_level_beyond_the_reanchor_limit_is_never_confirmed(clock: FrozenClock) -> None:
    sanitizer = Sanitizer(SanitizerSettings(jump_confirmations=1), RULES, clock)
    assert sanitizer.check_book(book([(10_000.0, 1.0)], [(10_000.1, 1.0)], seq=1)) is None
    for seq in range(2, 12):  # a persistent feed at 1% of the market
        assert sanitizer.check_book(book(seq=seq)) is ReasonCode.PRICE_JUMP
    assert sanitizer.last_good_mid("BTC/USDT") == pytest.approx(10_000.05)


def test_disagreeing_outliers_never_confirm_a_new_level(clock: FrozenClock) -> None:
    sanitizer = Sanitizer(SanitizerSettings(jump_confirmations=1), RULES, clock)
    assert sanitizer.check_book(book(seq=1)) is None
    for seq, price in enumerate([120.0, 80.0, 120.0, 80.0], start=2):
        outlier = book([(price, 1.0)], [(price + 0.1, 1.0)], seq=seq)
        assert sanitizer.check_book(outlier) is ReasonCode.PRICE_JUMP
    assert sanitizer.last_good_mid("BTC/USDT") == pytest.approx(100.05)


def test_rejected_books_do_not_move_the_state(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(asks=[(100.6, 1.0)], seq=5, ts_ns=T0)) is ReasonCode.SPREAD_TOO_WIDE
    # Neither seq 5 nor its timestamp were remembered.
    assert sanitizer.check_book(book(seq=5, ts_ns=T0 - MS)) is None


def test_reset_after_a_resync_accepts_restarted_sequence_numbers(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book(seq=500)) is None
    assert sanitizer.check_book(book(seq=1)) is ReasonCode.SEQ_OUT_OF_ORDER
    sanitizer.reset("BTC/USDT")
    assert sanitizer.check_book(book(seq=1)) is None
    sanitizer.reset()
    sanitizer.reset("NOT/TRADED")
    # The stream is forgotten, the market is not: the reference survives the resync.
    assert sanitizer.last_good_mid("BTC/USDT") == pytest.approx(100.05)


def test_the_first_book_after_a_resync_is_judged_against_the_market_before_it(sanitizer: Sanitizer) -> None:
    assert sanitizer.check_book(book([(10_000.0, 1.0)], [(10_000.1, 1.0)], seq=900)) is None
    sanitizer.reset("BTC/USDT")
    one_percent = book(seq=1)
    assert sanitizer.check_book(one_percent) is ReasonCode.PRICE_JUMP
    assert sanitizer.last_good_mid("BTC/USDT") == pytest.approx(10_000.05)


def test_references_outlive_the_sanitizer(clock: FrozenClock) -> None:
    first = Sanitizer(SanitizerSettings(), RULES, clock)
    assert first.check_book(book()) is None
    second = Sanitizer(SanitizerSettings(), RULES, clock)
    second.restore_references({**first.references(), "NOT/TRADED": 5.0, "BTC/USDT ": "x"})
    assert second.references() == {"BTC/USDT": pytest.approx(100.05)}
    assert second.check_book(book([(110.0, 1.0)], [(110.1, 1.0)])) is ReasonCode.PRICE_JUMP


@pytest.mark.parametrize(
    ("bids", "asks", "code"),
    [
        (GOOD_BIDS, [(100.1, 1e-13)], ReasonCode.BELOW_ONE_STEP),  # zero lots
        (GOOD_BIDS, [(100.1, 5e-324)], ReasonCode.BELOW_ONE_STEP),
        (GOOD_BIDS[:2] + [(1e-300, 1.0)], GOOD_ASKS, ReasonCode.BELOW_ONE_STEP),  # zero ticks
        (GOOD_BIDS, [(100.1, 1e250)], ReasonCode.ABSURD_NOTIONAL),
        (GOOD_BIDS, [(100.1, 1e295)], ReasonCode.ABSURD_NOTIONAL),
        (GOOD_BIDS, GOOD_ASKS[:2] + [(1e295, 1.0)], ReasonCode.ABSURD_NOTIONAL),
        (GOOD_BIDS, [(100.1, 2e7)], ReasonCode.ABSURD_NOTIONAL),  # 2e9 of quote currency
    ],
)
def test_absurd_sizes_and_prices_are_rejected(sanitizer: Sanitizer, bids: list, asks: list,
                                              code: ReasonCode) -> None:
    assert sanitizer.check_book(book(bids, asks)) is code


def test_absurd_sizes_are_rejected_without_the_grid_check(clock: FrozenClock) -> None:
    sanitizer = Sanitizer(SanitizerSettings(check_tick_lot=False), RULES, clock)
    assert sanitizer.check_book(book(GOOD_BIDS, [(100.1, 1e250)])) is ReasonCode.ABSURD_NOTIONAL


def test_a_market_without_a_published_grid_is_checked_for_everything_else(clock: FrozenClock) -> None:
    rules = {"BTC/USDT": MarketRules("BTC/USDT", tick_size=0.0, lot_size=0.0)}
    sanitizer = Sanitizer(SanitizerSettings(), rules, clock)
    assert sanitizer.check_book(book([(100.03, 0.0004)], [(100.07, 1.5)])) is None
    assert sanitizer.check_book(book(GOOD_BIDS, [(100.1, 1e250)], seq=2)) is ReasonCode.ABSURD_NOTIONAL


@pytest.mark.parametrize("field", ["seq", "ts_ns"])
@pytest.mark.parametrize("value", [math.nan, 1.5, "1", None])
def test_sequence_and_time_that_are_not_integers_are_malformed(sanitizer: Sanitizer, field: str,
                                                               value: object) -> None:
    good = book()
    bad = OrderBook(good.symbol, value if field == "ts_ns" else good.ts_ns,  # type: ignore[arg-type]
                    value if field == "seq" else good.seq, good.bids, good.asks)  # type: ignore[arg-type]
    assert sanitizer.check_book(bad) is ReasonCode.MALFORMED


def test_counts_add_up_per_reason(sanitizer: Sanitizer) -> None:
    sanitizer.check_book(book(seq=1))
    sanitizer.check_book(book(seq=1))
    sanitizer.check_book(book(seq=1))
    sanitizer.check_book(book([], GOOD_ASKS))
    sanitizer.count_rejection(ReasonCode.MALFORMED)
    assert sanitizer.counts == {
        ReasonCode.SEQ_DUPLICATE: 2, ReasonCode.EMPTY_BOOK: 1, ReasonCode.MALFORMED: 1,
    }
    assert sanitizer.rejected == 4
    assert sanitizer.accepted == 1


def test_deep_books_beyond_the_preallocated_rows_are_checked(sanitizer: Sanitizer) -> None:
    bids = [(round(100.0 - 0.1 * i, 1), 1.0) for i in range(200)]
    asks = [(round(100.1 + 0.1 * i, 1), 1.0) for i in range(200)]
    assert sanitizer.check_book(book(bids, asks)) is None
    asks[150] = (asks[150][0] + 0.05, 1.0)
    assert sanitizer.check_book(book(bids, asks, seq=2)) is ReasonCode.OFF_TICK
