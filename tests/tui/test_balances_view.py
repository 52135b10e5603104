"""The balances view: in LIVE the exchange's free / locked / total per asset as last read,
holdings outside the engine marked, and when it was read; in SIM and PAPER it says there is
no exchange account and shows the paper account instead of an empty screen."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rich.console import Console
from tui_session import play

from hft_tui.session.engine_snapshot import AssetBalance, BalancesView
from hft_tui.tui.app import HftApp
from hft_tui.tui.screens.balances import BalancesScreen

SIZES = [(80, 24), (120, 35)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
READ_AGO_NS = 4_200_000_000


def _body(screen: BalancesScreen) -> str:
    console = Console(width=118, file=io.StringIO(), record=True)
    console.print(screen.query_one("#balances-body").content)  # type: ignore[attr-defined]
    return console.export_text()


def _live(app: HftApp) -> BalancesScreen:
    """The view over a LIVE snapshot of this session: an account read 4.2 s before now."""
    snapshot = app.link.snapshot
    balances = BalancesView(snapshot.ts_ns - READ_AGO_NS, (
        AssetBalance("BTC", 0.75, 0.25, 1.0, 1.0),
        AssetBalance("USDT", 9_510.0, 490.0, 10_000.0, 0.0)))
    live = replace(snapshot, mode="LIVE", exchange="binance", balances=balances)
    return BalancesScreen(lambda: live, lambda: snapshot.ts_ns)


async def test_b_in_sim_says_there_is_no_exchange_account_and_shows_the_paper_one(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app, steps=5)
        await pilot.press("b")
        screen = frozen_app.screen
        assert isinstance(screen, BalancesScreen)
        body = _body(screen)
        assert "SIM: no exchange account is read in this mode" in body
        assert f"{frozen_app.link.snapshot.account.equity:,.2f}" in body  # type: ignore[union-attr]
        await pilot.press("escape")
        assert not isinstance(frozen_app.screen, BalancesScreen)


async def test_live_balances_show_free_locked_total_outside_holdings_and_the_read_time(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app, steps=5)
        screen = _live(frozen_app)
        await frozen_app.push_screen(screen)
        await pilot.pause()
        body = _body(screen)
        btc = next(line.split() for line in body.splitlines() if line.strip().startswith("BTC"))
        assert btc[:5] == ["BTC", "0.75", "0.25", "1", "1"] and "never flattened" in body
        assert "(4.2s ago)" in body


@size_ids
def test_balances_in_sim_snapshot(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def open_balances(pilot) -> None:  # type: ignore[no-untyped-def]
        play(pilot.app, steps=5)
        await pilot.press("b")
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_balances)


@size_ids
def test_balances_in_live_snapshot(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def open_balances(pilot) -> None:  # type: ignore[no-untyped-def]
        play(pilot.app, steps=5)
        await pilot.app.push_screen(_live(pilot.app))
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_balances)
