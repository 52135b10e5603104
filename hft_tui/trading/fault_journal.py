"""What the core could not take, journaled so that it is never silent and never floods the WAL.

- Rejected input (``rejected``): one ``rejected`` record per (symbol, code) per second of the
  local clock, with the count since the last one; the sanitizer's ``counts`` stay the one count
  of rejections. Symbols the engine does not trade share one key (their names are the
  sender's to choose, and unbounded).
- Component errors (``error``): one ``error`` record per distinct (where, error), the text
  redacted, the traceback with it for a strategy's; repeats are only counted.
- An event the core failed on (``event_failed``): rejected with ``EVENT_FAILED`` and its error
  journaled, so the session carries on.
- The feed's state changes (``feed``), as ``feed_health`` judges them.
"""

from __future__ import annotations

from collections.abc import Mapping

from hft_tui.bus import Metrics
from hft_tui.clock import Clock
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.model import FeedStatus, MarketRules, ReasonCode
from hft_tui.redaction import describe_error, traceback_text
from hft_tui.wal.record_types import ABSENT, ComponentError, FeedChanged, InputRejected
from hft_tui.wal.writer import WalWriter

NS_PER_S = 1_000_000_000
# One rejection record per (symbol, code) per second of the local clock, with the count since
# the last one: a broken feed must not flood the journal, and no rejection goes uncounted.
REJECTION_JOURNAL_INTERVAL_NS = NS_PER_S
UNKNOWN_SYMBOL_KEY = "*"
# Component failures are journaled once per distinct error, up to this many distinct ones.
MAX_JOURNALED_ERRORS = 1000


class FaultJournal:
    """Rejections, component errors and feed changes into the WAL, rate-limited and deduplicated."""

    def __init__(self, *, wal: WalWriter, clock: Clock, rules: Mapping[str, MarketRules], sanitizer: Sanitizer,
                 metrics: Metrics) -> None:
        self._wal = wal
        self._clock = clock
        self._rules = rules
        self._sanitizer = sanitizer
        self._metrics = metrics
        # Per (symbol, code): when the last record was written and the rejections since.
        self._rejections: dict[tuple[str, str], tuple[int, int]] = {}
        self._errors: set[tuple[str, str]] = set()

    def rejected(self, symbol: object, code: ReasonCode) -> None:
        """Journal a rejection at most once per second per (symbol, code), by the local clock:
        a message's own timestamp is the sender's claim, not a time to rate-limit by."""
        if not (isinstance(symbol, str) and symbol in self._rules):
            symbol = UNKNOWN_SYMBOL_KEY
        now_ns = self._clock.now_ns()
        key = (symbol, code.value)
        last_ns, pending = self._rejections.get(key, (None, 0))
        pending += 1
        if last_ns is None or now_ns - last_ns >= REJECTION_JOURNAL_INTERVAL_NS:
            self._wal.write(InputRejected(symbol=symbol, code=code.value, count=pending,
                                          total=self._sanitizer.counts.get(code, 0)))
            self._rejections[key] = (now_ns, 0)
        else:
            self._rejections[key] = (last_ns, pending)

    def error(self, where: str, exc: Exception, *, with_traceback: bool = False) -> None:
        """One ``error`` record per distinct (where, error); repeats are only counted."""
        text = describe_error(exc)
        key = (where, text)
        if key in self._errors or len(self._errors) >= MAX_JOURNALED_ERRORS:
            return
        self._errors.add(key)
        self._wal.write(ComponentError(where=where, error=text,
                                       traceback=traceback_text(exc) if with_traceback else ABSENT))

    def event_failed(self, event: object, exc: Exception) -> None:
        """The core failed on ``event``: an ``EVENT_FAILED`` rejection, counted and journaled."""
        self._sanitizer.count_rejection(ReasonCode.EVENT_FAILED)
        self.rejected(getattr(event, "symbol", None), ReasonCode.EVENT_FAILED)
        self._metrics.errors += 1
        self.error(f"core: {type(event).__name__}", exc)

    def feed(self, change: FeedStatus | None) -> None:
        """Journal a feed's change of state (None: nothing changed)."""
        if change is not None:
            self._wal.write(FeedChanged(symbol=change.symbol, state=change.state.value, detail=change.detail))
