"""Each exchange's executions are paged the way that exchange lists them."""

from __future__ import annotations

from hft_tui.execution.trade_listing import PageRequest, trade_listing


def _trades(ids: range, ts: int = 1_000, bill0: int = 900) -> list[dict[str, object]]:
    return [{"id": str(i), "timestamp": ts + i, "info": {"billId": str(bill0 + i)}} for i in ids]


def test_binance_filters_by_order_id_and_pages_on_from_the_next_trade_id_without_start_time() -> None:
    listing = trade_listing("binance")
    first = listing.first(5_000, "77")
    assert first == PageRequest(None, 500, {"orderId": "77"})
    assert listing.next(first, _trades(range(1, 501))) == PageRequest(None, 500, {"orderId": "77", "fromId": 501})
    assert listing.next(first, _trades(range(1, 500))) is None, "a short page is the last"
    sweep = listing.first(5_000)
    assert sweep == PageRequest(5_000, 500, {})
    assert listing.next(sweep, _trades(range(10, 510))) == PageRequest(None, 500, {"fromId": 510})


def test_okx_filters_by_ord_id_and_pages_back_from_the_oldest_bill_a_hundred_at_a_time() -> None:
    listing = trade_listing("okx")
    first = listing.first(5_000, "42")
    assert first == PageRequest(None, 100, {"ordId": "42"})
    page = _trades(range(100, 200))  # newest first on the wire; the order does not matter here
    assert listing.next(first, page) == PageRequest(None, 100, {"ordId": "42", "after": "1000"})
    assert listing.next(first, page[:99]) is None
    sweep = listing.first(5_000)
    assert listing.next(sweep, page) == PageRequest(5_000, 100, {"after": "1000"}), "begin is kept"


def test_any_other_exchange_pages_by_the_newest_timestamp_until_it_stops_moving() -> None:
    listing = trade_listing("kraken")
    first = listing.first(5_000, "9")
    assert first == PageRequest(5_000, 100, {}), "no order filter: the order's fills are picked from all"
    second = listing.next(first, _trades(range(1, 4), ts=6_000))
    assert second == PageRequest(6_003, 100, {})
    assert listing.next(second, _trades(range(3, 4), ts=6_000)) is None
    assert listing.next(second, []) is None
