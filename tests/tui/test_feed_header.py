"""The screen never looks live when it is not: the header shows the worst feed of the traded
symbols with the age of the oldest book, and its clock and ages move with no new data."""

from __future__ import annotations

import numpy as np
import pytest
from tui_session import play

from hft_tui.market.feed_health import REJECTING_AFTER_BOOKS
from hft_tui.model import FeedState, FeedStatus, OrderBook
from hft_tui.session.engine import Engine
from hft_tui.tui.app import HftApp
from hft_tui.tui.panes.header_bar import HeaderBar

ETH = "ETH/USDT"
SIZES = [(80, 24), (120, 35)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def _refresh(app: HftApp) -> None:
    app.link.engine.publish_snapshot()
    app.refresh_fast()
    app.refresh_slow()


def _drive_without(engine: Engine, silent: str, seconds: float, *, corrupt: bool = False) -> None:
    """Move the market ``seconds``; ``silent``'s books are dropped (or, ``corrupt``, sent a
    third of a tick off the grid so that the sanitizer rejects every one)."""
    market = engine.source.market  # type: ignore[attr-defined]
    clock = engine.clock
    tick = engine.core.rules[silent].tick_size
    end = clock.now_ns() + int(seconds * 1e9)
    while clock.now_ns() < end:
        event = market.next_event()
        clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        if getattr(event, "symbol", None) == silent and isinstance(event, OrderBook):
            if not corrupt:
                continue
            shift = np.array([tick / 3.0, 0.0])
            event = OrderBook.from_levels(event.symbol, event.ts_ns, event.seq,
                                          np.asarray(event.bids) + shift, np.asarray(event.asks) + shift)
        engine.process(event)


def _stall(app: HftApp, seconds: float) -> None:
    """Nothing arrives for ``seconds``; the engine's watch turns the silence into STALE."""
    engine = app.link.engine
    engine.clock.advance(seconds)  # type: ignore[attr-defined]
    for status in engine.core.feed_health.silent_symbols(engine.clock.now_ns()):
        engine.process(status)
    _refresh(app)


def _header(app: HftApp) -> str:
    return " ".join(app.query_one(HeaderBar)._fields)  # noqa: SLF001 - what the bar shows


@size_ids
def test_header_during_a_total_stall_says_stale_and_keeps_counting(
        snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def stall(pilot) -> None:  # type: ignore[no-untyped-def]
        play(pilot.app)
        _stall(pilot.app, 15.0)
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=stall)


def test_header_when_one_symbol_goes_silent_names_it(snap_compare, frozen_app: HftApp) -> None:
    async def eth_silent(pilot) -> None:  # type: ignore[no-untyped-def]
        play(pilot.app)
        _drive_without(pilot.app.link.engine, ETH, 8.0)
        _refresh(pilot.app)
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=(120, 35), run_before=eth_silent)


def test_header_while_a_feed_resyncs(snap_compare, frozen_app: HftApp) -> None:
    async def resync(pilot) -> None:  # type: ignore[no-untyped-def]
        app: HftApp = pilot.app
        play(app)
        engine = app.link.engine
        engine.process(FeedStatus(ETH, engine.clock.now_ns(), FeedState.RESYNCING,
                                  "FEED_DISCONNECT: book: connection lost"))
        _refresh(app)
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=(120, 35), run_before=resync)


def test_header_when_every_book_is_rejected_names_the_reason(snap_compare, frozen_app: HftApp) -> None:
    async def rejecting(pilot) -> None:  # type: ignore[no-untyped-def]
        app: HftApp = pilot.app
        play(app)
        engine = app.link.engine
        while engine.core.feed_health.state(ETH) is not FeedState.REJECTING:
            _drive_without(engine, ETH, 0.5, corrupt=True)
        _refresh(app)
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=(120, 35), run_before=rejecting)


async def test_the_clock_and_the_book_age_tick_with_no_new_snapshot(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app)
        await pilot.pause()
        engine = frozen_app.link.engine
        seq = engine.snapshot.seq
        before = _header(frozen_app)
        assert "LIVE book 0.0s" in before and "00:00:59" in before
        engine.clock.advance(3.0)  # type: ignore[attr-defined]
        frozen_app.refresh_fast()  # the UI's timer; the engine published nothing
        after = _header(frozen_app)
        assert engine.snapshot.seq == seq
        assert "book 3.0s" in after and "00:01:02" in after
        assert "ENGINE SILENT 3.0s" in after


async def test_a_rejecting_feed_is_shown_with_its_code_and_not_live(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app, steps=5)
        engine = frozen_app.link.engine
        for _ in range(4 * REJECTING_AFTER_BOOKS):
            if engine.core.feed_health.state(ETH) is FeedState.REJECTING:
                break
            _drive_without(engine, ETH, 0.25, corrupt=True)
        _refresh(frozen_app)
        await pilot.pause()
        shown = _header(frozen_app)
        assert "REJECTING ETH/USDT OFF_TICK" in shown and "LIVE" not in shown.split()
