"""The notices view: ``n`` opens it from the main screen, ``a`` acknowledges what it shows,
the header counts the unread ones; listed in help."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from tui_session import apply_sent, play

from hft_tui.trading.commands import AcknowledgeNotices, Kill
from hft_tui.tui.app import HftApp
from hft_tui.tui.panes.header_bar import HeaderBar
from hft_tui.tui.screens.help import HelpScreen
from hft_tui.tui.screens.notices import NoticesScreen

BROKER_NOTICE = "binance: order s1o7 reported rejected was found live on the exchange; cancelling it"
RECONCILE_NOTICE = "reconcile: 1 difference(s): BTC balance 0.5 but the recovered BTC/USDT position is 0"


def _with_notices(app: HftApp) -> None:
    play(app)
    engine = app.link.engine
    engine.core.add_notice("reconcile", RECONCILE_NOTICE)
    for _ in range(3):
        engine.core.add_notice("broker", BROKER_NOTICE)
    engine.apply(Kill("operator"))
    engine.publish_snapshot()
    app.refresh_fast()
    app.refresh_slow()


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_notices_view_lists_unread_notices_newest_first(snap_compare, frozen_app: HftApp,
                                                        size: tuple[int, int]) -> None:
    async def open_notices(pilot) -> None:  # type: ignore[no-untyped-def]
        _with_notices(pilot.app)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_notices)


async def test_n_opens_the_notices_and_a_acknowledges_them_all(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        _with_notices(frozen_app)
        await pilot.pause()
        assert "3 notices" in frozen_app.query_one(HeaderBar)._fields  # noqa: SLF001
        await pilot.press("n")
        assert isinstance(frozen_app.screen, NoticesScreen)
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(frozen_app.screen, NoticesScreen)
        last = frozen_app.link.snapshot.notices[-1].seq
        assert frozen_app.link.commands_sent == [AcknowledgeNotices(last)]
        apply_sent(frozen_app)
        assert frozen_app.link.snapshot.notices_unread == 0
        assert not any("notice" in f for f in frozen_app.query_one(HeaderBar)._fields)  # noqa: SLF001


async def test_the_open_view_follows_new_notices_and_acknowledges_what_it_shows(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        _with_notices(frozen_app)
        await pilot.press("n")
        view = frozen_app.screen
        assert isinstance(view, NoticesScreen) and len(view.notices) == 3
        engine = frozen_app.link.engine
        engine.core.add_notice("account", "BTC balance 1.2 but the position plus outside make 1.0")
        engine.publish_snapshot()
        view.follow()  # what its timer does while it is open
        await pilot.pause()
        assert [n.source for n in view.notices][-1] == "account"
        assert view.query_one(VerticalScroll).border_title == "Notices — 4 unread"
        await pilot.press("a")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [AcknowledgeNotices(view.notices[-1].seq)]


async def test_escape_closes_the_notices_without_acknowledging(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(80, 24)) as pilot:
        _with_notices(frozen_app)
        await pilot.press("n")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(frozen_app.screen, NoticesScreen)
        assert frozen_app.link.commands_sent == []
        assert frozen_app.link.snapshot.notices_unread == 3


async def test_help_lists_the_notices_key(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        await pilot.press("f1")
        assert isinstance(frozen_app.screen, HelpScreen)
        rows = {row.action: row for row in frozen_app.screen._keys}  # noqa: SLF001 - what help lists
        assert rows["notices"].keys == "n" and "acknowledge" in rows["notices"].detail
