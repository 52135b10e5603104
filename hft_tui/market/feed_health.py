"""Each traded symbol's feed state as the trading core judges it.

Three things make a feed not live, and each lifts by itself when the feed is healthy again:

- the source says so: CONNECTING until its first book, RESYNCING after a gap or a dropped
  socket (until it reports LIVE again);
- silence: no book *accepted by the sanitizer* for ``stale_after_ns`` on the core's clock
  (STALE). The core's clock is the local clock in live and paper (receipt time, never an
  exchange timestamp) and the data's clock in sim and backtests, so the verdict is
  deterministic there and replays exactly;
- rejection: ``REJECTING_AFTER_BOOKS`` books in a row rejected by the sanitizer (REJECTING,
  with the reason code of the last one), which says more than the STALE that would follow.

A feed that was at fault is LIVE again after ``LIVE_AFTER_BOOKS`` accepted books in a row, not
after one: a healing source fetches one REST snapshot per resubscribe, and a dead websocket
must not read as live for the seconds after each. A feed fault is never a trading error:
it freezes new entries on its symbol (``frozen``); exits and the kill switch still work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from hft_tui.model import FeedState, FeedStatus, ReasonCode

# Enough consecutive rejected books that one bad burst (a cascade's price jumps) does not
# freeze entries, few enough that a feed rejected at 20/s says so within a second.
REJECTING_AFTER_BOOKS = 20
# Good books in a row that make a feed LIVE again after a fault (a stream, not one snapshot).
LIVE_AFTER_BOOKS = 3
_NS_PER_MS = 1_000_000
# The states read on every accepted book, as constants: an enum member read from its class is
# a generic attribute lookup in compiled code.
_CONNECTING: Final = FeedState.CONNECTING
_LIVE: Final = FeedState.LIVE
_FREEZE_CODES = {
    FeedState.CONNECTING: ReasonCode.FEED_STALE,
    FeedState.STALE: ReasonCode.FEED_STALE,
    FeedState.RESYNCING: ReasonCode.FEED_RESYNC,
    FeedState.REJECTING: ReasonCode.FEED_REJECTING,
}


def freeze_code(state: FeedState) -> ReasonCode | None:
    """The reason code new entries are refused with in ``state`` (None when LIVE)."""
    return _FREEZE_CODES.get(state)


@dataclass(slots=True)
class _Feed:
    reported: FeedState = FeedState.CONNECTING  # the source's word: CONNECTING, LIVE or RESYNCING
    reported_detail: str = ""
    last_good_ns: int | None = None  # core clock when the last accepted book arrived
    silent_detail: str = ""  # non-empty while STALE
    watched: bool = True  # judged for silence (not for bars from candle files)
    rejected_in_row: int = 0
    good_in_row: int = 0  # accepted books since the last fault or rejection
    confirming: bool = False  # was at fault: LIVE only after LIVE_AFTER_BOOKS good books in a row
    rejecting: ReasonCode | None = None
    state: FeedState = FeedState.CONNECTING
    detail: str = ""


class FeedHealth:
    """Feed state per symbol; every method returns the state changes the core must journal."""

    def __init__(self, symbols: Iterable[str], *, stale_after_ns: int) -> None:
        self._feeds = {symbol: _Feed() for symbol in symbols}
        self._stale_after_ns = stale_after_ns
        # Earliest core time at which a live symbol can turn silent: one comparison per event.
        self._next_silence_ns: int | None = None

    # --- reading ------------------------------------------------------------------------

    def state(self, symbol: str) -> FeedState:
        return self._feeds[symbol].state

    def detail(self, symbol: str) -> str:
        """Why the feed is in its state (the source's words, the silence or the reason code)."""
        return self._feeds[symbol].detail

    def rejecting_code(self, symbol: str) -> ReasonCode | None:
        """The sanitizer's code for the last rejected book while REJECTING, else None."""
        return self._feeds[symbol].rejecting

    def last_good_ns(self, symbol: str) -> int | None:
        """Core time of the symbol's last accepted book (None before the first)."""
        return self._feeds[symbol].last_good_ns

    def states(self) -> dict[str, FeedState]:
        return {symbol: feed.state for symbol, feed in self._feeds.items()}

    def frozen(self) -> dict[str, ReasonCode]:
        """Symbols on which new entries are frozen, with the reason code."""
        return {symbol: code for symbol, feed in self._feeds.items()
                if (code := freeze_code(feed.state)) is not None}

    # --- feeding ------------------------------------------------------------------------

    def on_status(self, status: FeedStatus) -> FeedStatus | None:
        """The source reports a state; STALE from anyone (source or engine watch) means silence."""
        feed = self._feeds.get(status.symbol)
        if feed is None:
            return None
        if status.state in (FeedState.STALE, FeedState.RESYNCING):
            feed.good_in_row, feed.confirming = 0, True
        if status.state is FeedState.STALE:
            feed.silent_detail = status.detail or ReasonCode.FEED_STALE.value
        elif status.state is not FeedState.REJECTING:  # REJECTING is ours to judge, not a source's
            feed.reported, feed.reported_detail = status.state, status.detail
        return self._settle(status.symbol, feed, status.ts_ns)

    def on_accepted_book(self, symbol: str, now_ns: int, *, watch: bool = True) -> FeedStatus | None:
        """A book passed the sanitizer at core time ``now_ns``. ``watch=False`` for a book made
        from a candle: bars are minutes apart, and the silence between them is not staleness."""
        feed = self._feeds[symbol]
        feed.last_good_ns = now_ns
        feed.watched = watch
        feed.good_in_row += 1
        feed.rejected_in_row = 0
        feed.rejecting = None
        feed.silent_detail = ""
        if feed.reported is _CONNECTING:
            feed.reported, feed.reported_detail = _LIVE, "first good book"
        if self._next_silence_ns is None:
            self._next_silence_ns = now_ns + self._stale_after_ns
        if feed.state is _LIVE:
            return None
        return self._settle(symbol, feed, now_ns)

    def on_rejected_book(self, symbol: str, code: ReasonCode, now_ns: int) -> FeedStatus | None:
        """The sanitizer rejected one of the symbol's books with ``code``."""
        feed = self._feeds.get(symbol)
        if feed is None:
            return None
        feed.rejected_in_row += 1
        feed.good_in_row = 0
        if feed.rejected_in_row < REJECTING_AFTER_BOOKS or feed.rejecting is code:
            return None
        feed.rejecting, feed.confirming = code, True
        return self._settle(symbol, feed, now_ns)

    def check_silence(self, now_ns: int) -> list[FeedStatus]:
        """Symbols whose last accepted book is older than the timeout at ``now_ns`` go STALE."""
        due = self._next_silence_ns
        if due is None or now_ns < due:
            return []
        changes = []
        next_due: int | None = None
        for symbol, feed in self._feeds.items():
            if feed.last_good_ns is None or feed.silent_detail or not feed.watched:
                continue
            deadline = feed.last_good_ns + self._stale_after_ns
            if now_ns >= deadline:
                silent_ms = (now_ns - feed.last_good_ns) // _NS_PER_MS
                feed.silent_detail = f"{ReasonCode.FEED_STALE.value}: no good book for {silent_ms} ms"
                feed.good_in_row, feed.confirming = 0, True
                change = self._settle(symbol, feed, now_ns)
                if change is not None:
                    changes.append(change)
            elif next_due is None or deadline < next_due:
                next_due = deadline
        self._next_silence_ns = next_due
        return changes

    def silent_symbols(self, now_ns: int) -> list[FeedStatus]:
        """STALE statuses for the symbols silent at ``now_ns``, without changing anything: the
        engine's watch feeds them back as events so a total stall is seen (and recorded)."""
        if self._next_silence_ns is None or now_ns < self._next_silence_ns:
            return []
        return [
            FeedStatus(symbol, now_ns, FeedState.STALE,
                       f"{ReasonCode.FEED_STALE.value}: no good book for "
                       f"{(now_ns - feed.last_good_ns) // _NS_PER_MS} ms")
            for symbol, feed in self._feeds.items()
            if feed.last_good_ns is not None and not feed.silent_detail and feed.watched
            and now_ns - feed.last_good_ns >= self._stale_after_ns
        ]

    # --- internals ----------------------------------------------------------------------

    def _settle(self, symbol: str, feed: _Feed, ts_ns: int) -> FeedStatus | None:
        """Derive the state from its causes; the change to journal, if any."""
        if feed.rejecting is not None:
            state = FeedState.REJECTING
            detail = (f"{ReasonCode.FEED_REJECTING.value}: last {feed.rejected_in_row} books rejected, "
                      f"{feed.rejecting.value}")
        elif feed.reported is not FeedState.LIVE:
            state, detail = feed.reported, feed.reported_detail
        elif feed.last_good_ns is None:
            state, detail = FeedState.CONNECTING, "waiting for a book the sanitizer accepts"
        elif feed.silent_detail:
            state, detail = FeedState.STALE, feed.silent_detail
        elif feed.confirming and feed.watched and feed.good_in_row < LIVE_AFTER_BOOKS:
            return None  # healing: the fault's state stands until a few good books in a row
        else:
            feed.confirming = False
            state, detail = FeedState.LIVE, feed.reported_detail
        if state is feed.state:
            feed.detail = detail
            return None
        feed.state, feed.detail = state, detail
        return FeedStatus(symbol, ts_ns, state, detail)
