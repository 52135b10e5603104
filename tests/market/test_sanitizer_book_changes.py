"""The sanitizer on diff-depth updates: a book that says what changed since the book it
accepted last has only those levels judged, and the verdict is the full check's, always."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from hft_tui.clock import FrozenClock
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import BookChanges, LevelChange, MarketRules, OrderBook, ReasonCode, level_changes

T0 = 1_700_000_000_000_000_000
RULES = {"BTC/USDT": MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001)}
START_BIDS = {t: 1000 + 7 * t for t in range(990, 1001)}  # tick -> lots
START_ASKS = {t: 900 + 5 * t for t in range(1001, 1012)}

# An operation on the feed's book: side, what, where (ticks from the touch), size, corruption.
_OPS = st.tuples(
    st.booleans(),
    st.sampled_from(["resize", "remove", "add"]),
    st.integers(0, 14),
    st.integers(1, 5_000),
    st.sampled_from(["none"] * 6 + ["off_lot", "off_tick", "absurd", "cross", "zero"]),
)


def _levels(side: dict[float, float], bids: bool) -> list[tuple[float, float]]:
    return sorted(side.items(), reverse=bids)


def _stream(ops: list[tuple[bool, str, int, int, str]]) -> list[OrderBook]:
    """The books of a feed that applies ``ops`` one by one, each with its changes."""
    bids = {round(t * 0.1, 1): round(lots * 0.001, 3) for t, lots in START_BIDS.items()}
    asks = {round(t * 0.1, 1): round(lots * 0.001, 3) for t, lots in START_ASKS.items()}
    books = [OrderBook.from_levels("BTC/USDT", T0, 1, _levels(bids, True), _levels(asks, False))]
    for n, (is_bid, kind, where, lots, corruption) in enumerate(ops, start=2):
        side = bids if is_bid else asks
        touch = max(bids) if is_bid else min(asks)
        price = round(touch + (-where if is_bid else where) * 0.1, 1)
        qty = round(lots * 0.001, 3)
        if corruption == "off_lot":
            qty += 0.0004
        elif corruption == "off_tick":
            price += 0.04
        elif corruption == "absurd":
            qty = 1e12
        elif corruption == "cross":
            price = round(min(asks) + 0.1 if is_bid else max(bids) - 0.1, 1)
        elif corruption == "zero":
            qty = 0.0
        if kind == "remove" and side:
            side.pop(sorted(side)[min(where, len(side) - 1)])
        elif qty:
            side[price] = qty
        previous = books[-1]
        new_bids, new_asks = _levels(bids, True), _levels(asks, False)
        changes = BookChanges(previous.seq, level_changes(previous.bids.tolist(), new_bids),
                              level_changes(previous.asks.tolist(), new_asks))
        books.append(OrderBook.from_levels("BTC/USDT", T0 + n, n, new_bids, new_asks, changes))
    return books


def _verdicts(books: list[OrderBook]) -> list[ReasonCode | None]:
    return [code for code, _ in _judged(books)]


def _judged(books: list[OrderBook]) -> list[tuple[ReasonCode | None, float | None]]:
    """Each book's verdict, and the mid the sanitizer took from it when it accepted it."""
    sanitizer = Sanitizer(SanitizerSettings(), RULES, FrozenClock(T0 + 1_000_000))
    return [(code, sanitizer.mid if code is None else None) for code in map(sanitizer.check_book, books)]


@settings(max_examples=200)
@given(st.lists(_OPS, min_size=1, max_size=40))
def test_judging_only_the_changed_levels_gives_the_full_checks_verdict_on_every_book(ops) -> None:
    books = _stream(ops)
    assert _judged(books) == _judged([replace(book, changes=None) for book in books])


@settings(max_examples=100)
@given(st.lists(_OPS, min_size=1, max_size=40))
def test_an_accepted_updates_mid_is_its_books_mid_to_the_bit(ops) -> None:
    # The touch of an update is kept from its changes (a better level added, the best one
    # removed); the book's own arrays must agree with it on every accepted book.
    books = _stream(ops)
    for book, (code, mid) in zip(books, _judged(books), strict=True):
        if code is None:
            assert mid == book.mid


def test_an_update_that_removes_the_best_level_takes_the_next_one_from_the_book() -> None:
    books = _stream([(True, "remove", 14, 1, "none"), (False, "remove", 0, 1, "none")])
    assert books[1].best_bid == round(books[0].best_bid - 0.1, 1)
    assert books[2].best_ask == round(books[1].best_ask + 0.1, 1)
    assert [mid for _, mid in _judged(books)] == [book.mid for book in books]


def test_a_bad_level_in_an_update_is_rejected_with_its_reason() -> None:
    books = _stream([(True, "add", 0, 10, "off_lot"), (False, "resize", 2, 10, "absurd")])
    assert _verdicts(books) == [None, ReasonCode.OFF_LOT, ReasonCode.ABSURD_NOTIONAL]


def test_an_update_whose_changes_do_not_account_for_its_levels_is_malformed() -> None:
    first, second = _stream([(True, "remove", 3, 1, "none")])
    missing = replace(second, changes=BookChanges(first.seq, (), ()))
    assert _verdicts([first, missing]) == [None, ReasonCode.MALFORMED]


def test_an_update_of_a_book_the_sanitizer_never_accepted_is_judged_whole() -> None:
    first, crossed, fixed = _stream([(True, "add", 0, 10, "cross"), (True, "remove", 0, 1, "none")])
    assert _verdicts([first, crossed, fixed])[:2] == [None, ReasonCode.CROSSED_BOOK]
    # ``fixed`` extends the crossed book: its changes alone cannot vouch for it.
    assert fixed.changes is not None and fixed.changes.prev_seq == crossed.seq
    assert _verdicts([first, crossed, fixed]) == _verdicts([first, crossed, replace(fixed, changes=None)])


def test_level_changes_name_what_was_added_removed_and_resized() -> None:
    old = [[100.0, 1.0], [99.9, 2.0], [99.8, 3.0]]
    new = [[100.1, 0.5], [100.0, 1.0], [99.9, 2.5]]
    assert set(level_changes(old, new)) == {
        LevelChange(100.1, 0.0, 0.5), LevelChange(99.9, 2.0, 2.5), LevelChange(99.8, 3.0, 0.0)}


def test_only_the_changed_levels_of_an_update_are_judged() -> None:
    first, second = _stream([(True, "resize", 1, 10, "none")])
    # A level the update does not name is taken as accepted before, even if it is off the grid.
    asks = second.asks.copy()
    asks[3, 1] += 0.0004
    lying = OrderBook.from_levels(second.symbol, second.ts_ns, second.seq, second.bids, asks, second.changes)
    assert _verdicts([first, lying]) == [None, None]
    assert _verdicts([first, replace(lying, changes=None)]) == [None, ReasonCode.OFF_LOT]
