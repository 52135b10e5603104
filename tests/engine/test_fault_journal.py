"""What the core could not take is journaled without flooding the WAL: one rejection record per
symbol and code per second of the local clock carrying the count since the last, unknown
symbols under one key, each distinct error once (redacted), and an event the core failed on
counted as an ``EVENT_FAILED`` rejection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hft_tui.bus import Metrics
from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.model import FeedState, FeedStatus, MarketRules, ReasonCode
from hft_tui.redaction import register_secrets
from hft_tui.trading.fault_journal import MAX_JOURNALED_ERRORS, UNKNOWN_SYMBOL_KEY, FaultJournal
from hft_tui.wal.writer import WalWriter

T0 = 1_767_225_600_000_000_000
BTC = "BTC/USDT"
SECRET = "fault-journal-s3cret-77"


class Journaled:
    def __init__(self, tmp_path: Path) -> None:
        self.clock = FrozenClock(T0)
        rules = {BTC: MarketRules(BTC, tick_size=0.1, lot_size=0.001)}
        self.wal = WalWriter(tmp_path, self.clock)
        self.sanitizer = Sanitizer(load_settings(None, {}).sanitizer, rules, self.clock)
        self.metrics = Metrics()
        self.faults = FaultJournal(wal=self.wal, clock=self.clock, rules=rules, sanitizer=self.sanitizer,
                                   metrics=self.metrics)

    def records(self, kind: str) -> list[dict[str, Any]]:
        """The payloads of the ``kind`` records written so far (the writer's in-memory tail)."""
        return [r.payload for r in self.wal.tail(10_000) if r.type == kind]


@pytest.fixture
def journaled(tmp_path: Path) -> Iterator[Journaled]:
    faults = Journaled(tmp_path)
    try:
        yield faults
    finally:
        faults.wal.close_sync()


def test_rejections_are_one_record_per_symbol_and_code_per_second_with_the_count_since(journaled: Journaled) -> None:
    for _ in range(5):
        journaled.faults.rejected(BTC, ReasonCode.CROSSED_BOOK)
    journaled.faults.rejected(BTC, ReasonCode.STALE_DATA)
    journaled.clock.advance(0.5)
    journaled.faults.rejected(BTC, ReasonCode.CROSSED_BOOK)
    journaled.clock.advance(0.5)
    journaled.faults.rejected(BTC, ReasonCode.CROSSED_BOOK)
    assert [(r["code"], r["count"]) for r in journaled.records("rejection")] == [
        ("CROSSED_BOOK", 1), ("STALE_DATA", 1), ("CROSSED_BOOK", 6)]


def test_symbols_the_engine_does_not_trade_share_one_key(journaled: Journaled) -> None:
    journaled.faults.rejected("NOPE/USDT", ReasonCode.MALFORMED)
    journaled.faults.rejected(12345, ReasonCode.MALFORMED)
    journaled.clock.advance(1)
    journaled.faults.rejected(None, ReasonCode.MALFORMED)
    assert [(r["symbol"], r["count"]) for r in journaled.records("rejection")] == [
        (UNKNOWN_SYMBOL_KEY, 1), (UNKNOWN_SYMBOL_KEY, 2)]


def test_each_distinct_error_is_journaled_once_redacted_and_bounded(journaled: Journaled) -> None:
    register_secrets([SECRET])
    for _ in range(3):
        journaled.faults.error("strategy x", RuntimeError(f"api_key={SECRET}"), with_traceback=True)
    errors = journaled.records("error")
    assert len(errors) == 1 and SECRET not in str(errors[0]) and errors[0]["traceback"]
    for i in range(MAX_JOURNALED_ERRORS + 5):
        journaled.faults.error("core: OrderBook", ValueError(str(i)))
    # The secret's error and 999 of these make the 1,000 distinct errors journaled; the rest are not.
    assert journaled.records("error")[-1]["error"] == f"ValueError: {MAX_JOURNALED_ERRORS - 2}"


def test_an_event_the_core_failed_on_is_an_event_failed_rejection_and_an_error(journaled: Journaled) -> None:
    journaled.faults.event_failed(FeedStatus(BTC, T0, FeedState.LIVE), KeyError("bid"))
    assert journaled.sanitizer.counts[ReasonCode.EVENT_FAILED] == 1 and journaled.metrics.errors == 1
    assert [(r["symbol"], r["code"], r["total"]) for r in journaled.records("rejection")] == [
        (BTC, "EVENT_FAILED", 1)]
    assert [(r["where"], r["error"]) for r in journaled.records("error")] == [("core: FeedStatus", "KeyError: 'bid'")]
    journaled.faults.feed(None)
    journaled.faults.feed(FeedStatus(BTC, T0, FeedState.STALE, "silent 5 s"))
    assert journaled.records("feed") == [{"symbol": BTC, "state": "stale", "detail": "silent 5 s"}]
