"""A strategy's declaration that a book would change nothing in it, so the core skips it.

A diff-depth feed repeats the mid on most updates. A strategy whose ``on_book`` reads only
the mid and the time keeps one ``QuietBook`` per symbol in its ``quiet_books``: after each
book it says until when a book at the same mid would neither signal nor change its state
(the next edge of time it watches: a window's oldest value leaving, a cooldown ending, a
sampling second passing). The core hands such a book to the strategy only when the mid
moved or that time came, and notes the stamp of the last book it held back, for the
strategy to take on its next call (a window that keeps when a value was last seen).

Any other hook that changes the symbol's state drops its entry (``quiet_books.pop``).
"""

from __future__ import annotations

NEVER_QUIET = 0


class QuietBook:
    """For one symbol: books at ``mid`` stamped before ``until_ns`` are held back."""

    __slots__ = ("mid", "until_ns", "held_ts_ns")

    def __init__(self, mid: float, until_ns: int) -> None:
        self.mid = mid
        self.until_ns = until_ns
        self.held_ts_ns = NEVER_QUIET  # the last book held back since the strategy's last call

    def holds(self, mid: float, ts_ns: int) -> bool:
        """Whether a book at ``mid`` stamped ``ts_ns`` changes nothing (it is then noted as held)."""
        if ts_ns < self.until_ns and mid == self.mid:
            self.held_ts_ns = ts_ns
            return True
        return False


def hold_until(books: dict[str, QuietBook], symbol: str, mid: float, until_ns: int) -> None:
    """Declare that books of ``symbol`` at ``mid`` stamped before ``until_ns`` change nothing."""
    quiet = books.get(symbol)
    if quiet is None:
        books[symbol] = QuietBook(mid, until_ns)
    else:
        quiet.mid, quiet.until_ns, quiet.held_ts_ns = mid, until_ns, NEVER_QUIET
