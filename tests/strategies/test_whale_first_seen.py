"""Book imbalance dates a whale from the book it was first seen near the touch in: the stamp
stays while its level resizes, is lost when the level drops below a whale's size and when the
side's limit moves past it, and a whale seen again is new. A whale counts once it is
``whale_min_age_s`` old, which every signal's reasons show (``WHALE_BID``); the books here
lean to the bid on every update and fire on every one (no persistence, no cooldown), so each
update says whether the bid side holds a whale old enough."""

from __future__ import annotations

from dataclasses import replace

from hft_tui.model import BookChanges, OrderBook, ReasonCode, Side, level_changes
from hft_tui.strategies.book_imbalance import BookImbalanceStrategy
from hft_tui.strategies.book_imbalance_params import BookImbalanceParams

S = 1_000_000_000
WHALE = 99.9  # 600 x 99.9 = 59,940: a whale at 50,000; 100 x 99.9 is not


def _strategy() -> BookImbalanceStrategy:
    # Touch 100.0: a whale may rest down to 99.8 (20 bps); touch 100.3: down to 100.0994.
    return BookImbalanceStrategy(BookImbalanceParams(
        persist_s=0.0, cooldown_s=0.0, whale_min_age_s=5.0, whale_notional_usd=50_000.0,
        whale_max_distance_bps=20.0,
    ))


def _books(steps: list[tuple[float, dict[float, float]]]) -> list[OrderBook]:
    """A bid-heavy book (bids 100.0 down, asks 10 lots from 100.5 up), then one diff-depth
    update per step: at ``ts_s``, set each bid price's qty (0.0 removes the level)."""
    bids = {round(100.0 - 0.1 * i, 1): 100.0 for i in range(8)}
    bids[WHALE] = 600.0
    asks = [(round(100.5 + 0.1 * i, 1), 10.0) for i in range(8)]
    books = [OrderBook.from_levels("X", 0, 1, sorted(bids.items(), reverse=True), asks)]
    for seq, (ts_s, edits) in enumerate(steps, start=2):
        for price, qty in edits.items():
            if qty:
                bids[price] = qty
            else:
                del bids[price]
        previous = books[-1]
        levels = sorted(bids.items(), reverse=True)
        changes = BookChanges(previous.seq, level_changes(previous.bids.tolist(), levels), ())
        books.append(OrderBook.from_levels("X", int(ts_s * S), seq, levels, asks, changes))
    return books


# (stamp in s, bid edits, whether the bid side then holds a whale 5 s old)
_STEPS: list[tuple[float, dict[float, float], bool]] = [
    (0.5, {99.5: 110.0}, False),  # the first update picks the whales of the whole book again
    (1.0, {WHALE: 800.0}, False),  # resized, still a whale: first seen at 0
    (5.5, {99.5: 120.0}, True),  # 5.5 s since it was first seen (4.5 since it resized)
    (6.0, {WHALE: 100.0}, False),  # too small: no longer a whale
    (7.0, {WHALE: 600.0}, False),  # a whale again, first seen now
    (11.0, {99.5: 130.0}, False),  # 4 s old (11 since the first one)
    (12.5, {99.5: 140.0}, True),
    (13.0, {100.1: 100.0, 100.2: 100.0, 100.3: 100.0}, False),  # touch 100.3: the limit passes it
    (14.0, {100.1: 0.0, 100.2: 0.0, 100.3: 0.0}, False),  # touch 100.0 again: back, first seen now
    (18.5, {99.5: 150.0}, False),  # 4.5 s old
    (19.5, {99.5: 160.0}, True),
]


def _whale_bids(strategy: BookImbalanceStrategy, books: list[OrderBook]) -> list[bool]:
    confirmed = []
    for book in books:
        (signal,) = strategy.on_book(book)
        assert signal.side is Side.BUY
        confirmed.append(ReasonCode.WHALE_BID in signal.reasons)
    return confirmed


def test_a_whale_keeps_its_first_seen_stamp_only_while_it_stays_a_whale_within_the_limit() -> None:
    books = _books([(ts_s, edits) for ts_s, edits, _ in _STEPS])
    assert _whale_bids(_strategy(), books) == [False] + [expected for _, _, expected in _STEPS]


def test_whole_books_date_the_whales_as_the_changes_do() -> None:
    books = _books([(ts_s, edits) for ts_s, edits, _ in _STEPS])
    assert books[1].changes is not None
    from_changes = _whale_bids(_strategy(), books)
    assert _whale_bids(_strategy(), [replace(book, changes=None) for book in books]) == from_changes

