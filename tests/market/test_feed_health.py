"""Feed state as the core judges it: the source's word, silence on the core's clock, rejection."""

from __future__ import annotations

from hft_tui.market.feed_health import LIVE_AFTER_BOOKS, REJECTING_AFTER_BOOKS, FeedHealth
from hft_tui.model import FeedState, FeedStatus, ReasonCode

BTC, ETH = "BTC/USDT", "ETH/USDT"
T0 = 1_767_225_600_000_000_000
MS = 1_000_000
STALE_AFTER_NS = 5_000 * MS


def health() -> FeedHealth:
    return FeedHealth((BTC, ETH), stale_after_ns=STALE_AFTER_NS)


def good_books(h: FeedHealth, symbol: str, from_ns: int, n: int = LIVE_AFTER_BOOKS) -> list[FeedStatus | None]:
    """``n`` accepted books a millisecond apart: the state changes each one caused."""
    return [h.on_accepted_book(symbol, from_ns + i * MS) for i in range(n)]


def test_a_symbol_is_connecting_and_frozen_until_its_first_accepted_book() -> None:
    h = health()
    assert h.state(BTC) is FeedState.CONNECTING and h.frozen()[BTC] is ReasonCode.FEED_STALE
    change = h.on_accepted_book(BTC, T0)
    assert change is not None and change.state is FeedState.LIVE
    assert BTC not in h.frozen() and ETH in h.frozen()


def test_a_source_reporting_live_is_not_live_before_a_book_passes_the_sanitizer() -> None:
    h = health()
    assert h.on_status(FeedStatus(BTC, T0, FeedState.LIVE, "book updates flowing")) is None
    assert h.state(BTC) is FeedState.CONNECTING


def test_silence_on_the_core_clock_makes_a_symbol_stale_and_the_next_good_book_lifts_it() -> None:
    h = health()
    h.on_accepted_book(BTC, T0)
    h.on_accepted_book(ETH, T0)
    assert h.check_silence(T0 + STALE_AFTER_NS - 1) == []
    h.on_accepted_book(BTC, T0 + 4_000 * MS)
    changes = h.check_silence(T0 + STALE_AFTER_NS)
    assert [(c.symbol, c.state) for c in changes] == [(ETH, FeedState.STALE)]
    assert "no good book for 5000 ms" in changes[0].detail
    assert h.frozen() == {ETH: ReasonCode.FEED_STALE}
    *healing, lifted = good_books(h, ETH, T0 + 6_000 * MS)
    assert healing == [None] * (LIVE_AFTER_BOOKS - 1)  # one book after a fault is not a stream
    assert lifted is not None and lifted.state is FeedState.LIVE and h.frozen() == {}


def test_the_engine_watch_sees_silence_without_changing_state_itself() -> None:
    h = health()
    h.on_accepted_book(BTC, T0)
    silent = h.silent_symbols(T0 + 7_000 * MS)
    assert [(s.symbol, s.state) for s in silent] == [(BTC, FeedState.STALE)]
    assert h.state(BTC) is FeedState.LIVE
    change = h.on_status(silent[0])
    assert change is not None and change.state is FeedState.STALE
    assert h.silent_symbols(T0 + 8_000 * MS) == []


def test_resyncing_holds_until_the_source_says_live_and_is_not_mistaken_for_stale() -> None:
    h = health()
    h.on_accepted_book(BTC, T0)
    change = h.on_status(FeedStatus(BTC, T0 + MS, FeedState.RESYNCING, "FEED_DISCONNECT: book: connection lost"))
    assert change is not None and change.state is FeedState.RESYNCING
    assert h.frozen() == {BTC: ReasonCode.FEED_RESYNC, ETH: ReasonCode.FEED_STALE}
    assert h.check_silence(T0 + 10_000 * MS) == []  # still RESYNCING: the more precise word
    back = h.on_status(FeedStatus(BTC, T0 + 10_001 * MS, FeedState.LIVE, "book updates flowing"))
    assert back is not None and back.state is FeedState.STALE  # the source is back, no book yet
    *healing, live = good_books(h, BTC, T0 + 10_002 * MS)
    assert h.frozen().get(BTC) is None
    assert live is not None and live.state is FeedState.LIVE


def test_books_all_rejected_make_a_symbol_rejecting_with_the_reason_code() -> None:
    h = health()
    h.on_accepted_book(BTC, T0)
    changes = [h.on_rejected_book(BTC, ReasonCode.OFF_LOT, T0 + i * MS) for i in range(1, REJECTING_AFTER_BOOKS + 1)]
    assert changes[:-1] == [None] * (REJECTING_AFTER_BOOKS - 1)
    last = changes[-1]
    assert last is not None and last.state is FeedState.REJECTING and "OFF_LOT" in last.detail
    assert h.frozen()[BTC] is ReasonCode.FEED_REJECTING
    # Still rejecting after the timeout: the reason says more than STALE would.
    h.check_silence(T0 + 2 * STALE_AFTER_NS)
    assert h.state(BTC) is FeedState.REJECTING
    *healing, live = good_books(h, BTC, T0 + 2 * STALE_AFTER_NS)
    assert healing == [None] * (LIVE_AFTER_BOOKS - 1)  # still REJECTING until a few good in a row
    assert live is not None and live.state is FeedState.LIVE


def test_a_few_rejected_books_between_good_ones_leave_the_feed_live() -> None:
    h = health()
    for i in range(10 * REJECTING_AFTER_BOOKS):
        if i % (REJECTING_AFTER_BOOKS // 2) == 0:
            h.on_accepted_book(BTC, T0 + i * MS)
        else:
            h.on_rejected_book(BTC, ReasonCode.PRICE_JUMP, T0 + i * MS)
    assert h.state(BTC) is FeedState.LIVE


def test_the_worst_state_has_the_highest_severity() -> None:
    order = sorted(FeedState, key=lambda s: s.severity)
    assert order[0] is FeedState.LIVE and order[-1] is FeedState.REJECTING


def test_one_snapshot_after_a_resubscribe_does_not_make_a_dead_stream_live() -> None:
    h = health()
    good_books(h, BTC, T0)
    for cycle in range(5):  # stale, resubscribe, one REST snapshot, silence again
        start = T0 + (cycle + 1) * 2 * STALE_AFTER_NS
        h.check_silence(start)
        h.on_status(FeedStatus(BTC, start, FeedState.RESYNCING, "FEED_STALE: resubscribing"))
        h.on_status(FeedStatus(BTC, start + MS, FeedState.LIVE, "book updates flowing"))
        assert h.on_accepted_book(BTC, start + 2 * MS) is None
        assert h.state(BTC) is not FeedState.LIVE and BTC in h.frozen()
