"""Untrusted ccxt-shaped messages: parsed or MALFORMED, never an exception (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hft_tui.clock import FrozenClock
from hft_tui.market.sanitizer import Sanitizer, parse_raw_book, parse_raw_trade
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import MarketRules, OrderBook, ReasonCode, Side, Trade

T0_MS = 1_700_000_000_000
T0 = T0_MS * 1_000_000
SYMBOL = "BTC/USDT"
RULES = {SYMBOL: MarketRules(SYMBOL, tick_size=0.1, lot_size=0.001)}


def fresh_sanitizer() -> Sanitizer:
    return Sanitizer(SanitizerSettings(), RULES, FrozenClock(T0))


def test_ccxt_order_book_is_parsed_into_a_book() -> None:
    raw = {"bids": [[100.0, 1.5], [99.9, 2]], "asks": [[100.1, 0.5, 3]], "timestamp": T0_MS,
           "nonce": 42, "symbol": SYMBOL, "datetime": "2023-11-14T22:13:20.000Z"}
    parsed = parse_raw_book(SYMBOL, raw)
    assert isinstance(parsed, OrderBook)
    assert (parsed.symbol, parsed.ts_ns, parsed.seq) == (SYMBOL, T0, 42)
    assert parsed.bids.tolist() == [[100.0, 1.5], [99.9, 2.0]]
    assert parsed.asks.tolist() == [[100.1, 0.5]]
    assert fresh_sanitizer().check_book(parsed) is None


def test_missing_nonce_means_no_sequence_numbers() -> None:
    parsed = parse_raw_book(SYMBOL, {"bids": [], "asks": [], "timestamp": T0_MS, "nonce": None})
    assert isinstance(parsed, OrderBook) and parsed.seq == 0


@pytest.mark.parametrize(
    "raw",
    [
        None, [], "bids", 42,
        {"asks": [], "timestamp": T0_MS},
        {"bids": [], "asks": [], "timestamp": None},
        {"bids": [], "asks": [], "timestamp": "1700000000000"},
        {"bids": [], "asks": [], "timestamp": True},
        {"bids": [], "asks": [], "timestamp": -1},
        {"bids": [], "asks": [], "timestamp": math.nan},
        {"bids": [], "asks": [], "timestamp": 10**30},
        {"bids": [], "asks": [], "timestamp": T0_MS, "nonce": "7"},
        {"bids": [], "asks": [], "timestamp": T0_MS, "nonce": 1.5},
        {"bids": [], "asks": [], "timestamp": T0_MS, "nonce": -3},
        {"bids": [["100.0", 1.0]], "asks": [], "timestamp": T0_MS},
        {"bids": [[100.0]], "asks": [], "timestamp": T0_MS},
        {"bids": [[100.0, None]], "asks": [], "timestamp": T0_MS},
        {"bids": [[100.0, [1.0]]], "asks": [], "timestamp": T0_MS},
        {"bids": [100.0, 1.0], "asks": [], "timestamp": T0_MS},
        {"bids": {"100.0": 1.0}, "asks": [], "timestamp": T0_MS},
        {"bids": [[10**400, 1.0]], "asks": [], "timestamp": T0_MS},
        {"bids": [[True, 1.0]], "asks": [], "timestamp": T0_MS},
    ],
)
def test_malformed_books_are_rejected_as_malformed(raw: object) -> None:
    assert parse_raw_book(SYMBOL, raw) is ReasonCode.MALFORMED


def test_ccxt_trade_is_parsed_into_a_trade() -> None:
    raw = {"price": 100.1, "amount": 0.25, "side": "sell", "timestamp": T0_MS, "id": 987,
           "symbol": SYMBOL, "takerOrMaker": None}
    parsed = parse_raw_trade(SYMBOL, raw)
    assert parsed == Trade(SYMBOL, T0, 100.1, 0.25, Side.SELL, "987")
    assert parse_raw_trade(SYMBOL, {**raw, "id": None}) == Trade(SYMBOL, T0, 100.1, 0.25, Side.SELL, "")


@pytest.mark.parametrize(
    "patch",
    [
        {"price": None}, {"price": "100.1"}, {"amount": [1]}, {"side": "BUY"}, {"side": None},
        {"side": 1}, {"timestamp": None}, {"timestamp": 1.5e300}, {"id": 1.5}, {"id": ["x"]},
        {"id": 10**5000},
    ],
)
def test_malformed_trades_are_rejected_as_malformed(patch: dict) -> None:
    raw = {"price": 100.1, "amount": 0.25, "side": "buy", "timestamp": T0_MS, "id": "a"}
    assert parse_raw_trade(SYMBOL, {**raw, **patch}) is ReasonCode.MALFORMED
    assert parse_raw_trade(SYMBOL, "junk") is ReasonCode.MALFORMED


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)
numbers = st.one_of(st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True))
levels = st.lists(st.lists(numbers | junk, min_size=0, max_size=3), max_size=6) | junk
raw_books = st.fixed_dictionaries(
    {},
    optional={"bids": levels, "asks": levels, "timestamp": numbers | junk, "nonce": numbers | junk},
)
raw_trades = st.fixed_dictionaries(
    {},
    optional={"price": numbers | junk, "amount": numbers | junk, "timestamp": numbers | junk,
              "side": st.sampled_from(["buy", "sell", "x"]) | junk, "id": junk},
)


@settings(max_examples=300)
@given(raw=raw_books | junk)
def test_no_book_message_however_malformed_raises_out_of_the_sanitizer(raw: object) -> None:
    sanitizer = fresh_sanitizer()
    parsed = parse_raw_book(SYMBOL, raw)
    if isinstance(parsed, OrderBook):
        verdict = sanitizer.check_book(parsed)
        assert verdict is None or isinstance(verdict, ReasonCode)
    else:
        assert parsed is ReasonCode.MALFORMED


@settings(max_examples=300)
@given(raw=raw_trades | junk)
def test_no_trade_message_however_malformed_raises_out_of_the_sanitizer(raw: object) -> None:
    sanitizer = fresh_sanitizer()
    parsed = parse_raw_trade(SYMBOL, raw)
    if isinstance(parsed, Trade):
        verdict = sanitizer.check_trade(parsed)
        assert verdict is None or isinstance(verdict, ReasonCode)
    else:
        assert parsed is ReasonCode.MALFORMED


@st.composite
def valid_raw_books(draw: st.DrawFn) -> dict:
    """Healthy books on the BTC/USDT grid: sorted, uncrossed, tight spread, whole lots, no
    level worth more than the sane maximum notional (1e9)."""
    best_bid_ticks = draw(st.integers(1_000, 10_000_000))
    spread_ticks = draw(st.integers(1, max(1, best_bid_ticks // 500)))
    bid_gaps = draw(st.lists(st.integers(1, 20), min_size=1, max_size=25))
    ask_gaps = draw(st.lists(st.integers(1, 20), min_size=1, max_size=25))
    bid_lots = draw(st.lists(st.integers(1, 10**5), min_size=len(bid_gaps), max_size=len(bid_gaps)))
    ask_lots = draw(st.lists(st.integers(1, 10**5), min_size=len(ask_gaps), max_size=len(ask_gaps)))
    bids, ticks = [], best_bid_ticks
    for gap, lots in zip(bid_gaps, bid_lots, strict=True):
        if ticks <= 0:
            break
        bids.append([ticks * 0.1, lots * 0.001])
        ticks -= gap
    asks, ticks = [], best_bid_ticks + spread_ticks
    for gap, lots in zip(ask_gaps, ask_lots, strict=True):
        asks.append([ticks * 0.1, lots * 0.001])
        ticks += gap
    lag_ms = draw(st.integers(0, 100))
    return {"bids": bids, "asks": asks, "timestamp": T0_MS - lag_ms, "nonce": draw(st.integers(1, 2**40))}


@settings(max_examples=300)
@given(raw=valid_raw_books())
def test_valid_generated_books_are_accepted(raw: dict) -> None:
    parsed = parse_raw_book(SYMBOL, raw)
    assert isinstance(parsed, OrderBook)
    assert fresh_sanitizer().check_book(parsed) is None
