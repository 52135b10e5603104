"""The per-update model types (``OrderBook``, ``BookChanges``) keep one contract in both builds:
compiled they are native classes (compiled_modules.txt), run as Python slotted dataclasses."""

from __future__ import annotations

import dataclasses
import math
import pickle
import typing
from dataclasses import FrozenInstanceError, dataclass

import numpy as np
import pytest

from hft_tui.clock import FrozenClock
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import BookChanges, LevelChange, MarketRules, OrderBook, ReasonCode
from hft_tui.model.slot_setters import set_through_slots

T0 = 1_700_000_000_000_000_000
CHANGES = BookChanges(6, (LevelChange(100.0, 1.0, 2.0),), (LevelChange(100.1, 0.0, 0.5),))


def _book(changes: BookChanges | None = CHANGES) -> OrderBook:
    return OrderBook.from_levels("BTC/USDT", T0, 7, [(100.0, 2.0)], [(100.1, 0.5)], changes)


def test_a_book_and_its_changes_refuse_assignment_and_new_attributes() -> None:
    book = _book()
    with pytest.raises(FrozenInstanceError):
        book.seq = 8  # type: ignore[misc]
    # Python 3.11's frozen __setattr__ of a slotted dataclass fails on a new name with a TypeError.
    with pytest.raises((FrozenInstanceError, TypeError)):
        book.note = "x"  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        CHANGES.prev_seq = 5  # type: ignore[misc]
    with pytest.raises(ValueError):
        book.bids[0, 0] = 1.0  # the levels are read-only too


def test_changes_are_equal_by_value_and_books_by_identity() -> None:
    same = BookChanges(6, (LevelChange(100.0, 1.0, 2.0),), (LevelChange(100.1, 0.0, 0.5),))
    assert same == CHANGES and hash(same) == hash(CHANGES)
    assert BookChanges(5, CHANGES.bids, CHANGES.asks) != CHANGES
    book = _book()
    assert book == book and book != _book()


def test_keywords_replace_and_pickle_keep_every_field() -> None:
    book = OrderBook(symbol="ETH/USDT", ts_ns=T0, seq=3, bids=np.empty((0, 2)), asks=np.empty((0, 2)))
    assert (book.symbol, book.ts_ns, book.seq, book.changes) == ("ETH/USDT", T0, 3, None)
    moved = dataclasses.replace(_book(), changes=None, seq=9)
    assert (moved.seq, moved.changes, moved.bids.tolist()) == (9, None, [[100.0, 2.0]])
    back = pickle.loads(pickle.dumps(_book()))
    assert (back.symbol, back.ts_ns, back.seq, back.changes) == ("BTC/USDT", T0, 7, CHANGES)
    assert back.bids.tolist() == [[100.0, 2.0]] and back.asks.tolist() == [[100.1, 0.5]]
    assert [f.name for f in dataclasses.fields(OrderBook)] == ["symbol", "ts_ns", "seq", "bids", "asks", "changes"]


def test_the_type_hints_are_the_sources() -> None:
    """Compiled, mypyc would give them the runtime classes; the snapshot codec decodes by them."""
    assert typing.get_type_hints(OrderBook) == {
        "symbol": str | typing.Any, "ts_ns": int | typing.Any, "seq": int | typing.Any,
        "bids": np.ndarray, "asks": np.ndarray, "changes": BookChanges | None}
    assert typing.get_type_hints(BookChanges) == {
        "prev_seq": int, "bids": tuple[LevelChange, ...], "asks": tuple[LevelChange, ...]}


@pytest.mark.parametrize("field,value", [("symbol", ["BTC/USDT"]), ("ts_ns", math.nan), ("seq", "7")])
def test_a_book_holds_what_a_source_handed_over_and_the_sanitizer_rejects_it(field: str, value: object) -> None:
    bad = dataclasses.replace(_book(None), **{field: value})
    assert getattr(bad, field) is value
    sanitizer = Sanitizer(SanitizerSettings(), {"BTC/USDT": MarketRules("BTC/USDT", 0.1, 0.001)}, FrozenClock(T0))
    assert sanitizer.check_book(bad) is ReasonCode.MALFORMED
    assert sanitizer.check_book("not a book") is ReasonCode.MALFORMED


@dataclass(frozen=True, slots=True, init=False)
class _Pair:
    first: int
    second: int = 2

    def __init__(self, first: int, second: int = 2) -> None:
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "second", second)


def test_run_as_python_the_init_sets_the_slots_with_the_same_signature() -> None:
    set_through_slots(_Pair)
    assert _Pair(1) == _Pair(first=1, second=2) and _Pair(1, 3).second == 3
    with pytest.raises(TypeError):
        _Pair()  # type: ignore[call-arg]
    with pytest.raises(FrozenInstanceError):
        _Pair(1).first = 2  # type: ignore[misc]


def test_an_init_that_does_not_take_its_fields_in_order_is_refused() -> None:
    @dataclass(frozen=True, slots=True, init=False)
    class Swapped:
        first: int
        second: int

        def __init__(self, second: int, first: int) -> None:
            object.__setattr__(self, "first", first)
            object.__setattr__(self, "second", second)

    with pytest.raises(TypeError, match="must take its fields in order"):
        set_through_slots(Swapped)
