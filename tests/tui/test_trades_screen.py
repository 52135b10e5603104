"""The trades screen: every closed trade across restarts from the WAL (the same reader as
``hft-tui trades``), newest first, filtered by symbol and strategy from the keyboard, and
kept up to date while it is open."""

from __future__ import annotations

from pathlib import Path

import pytest
from trading_session import trade_session
from tui_session import FROZEN_START_NS, make_engine

from hft_tui.clock import FrozenClock
from hft_tui.trading.trade_history import closed_trades
from hft_tui.tui.app import HftApp
from hft_tui.tui.engine_link import EngineLink
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.screens.trades import TradesScreen

SIZES = [(80, 24), (120, 35)]


async def _open_trades(pilot) -> TradesScreen:  # type: ignore[no-untyped-def]
    await pilot.press("h")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TradesScreen)
    return screen


def _rows(screen: TradesScreen) -> list[list[str]]:
    table = screen.query_one(FittedTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_h_shows_every_closed_trade_newest_first(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        trade_session(frozen_app)
        screen = await _open_trades(pilot)
        expected = closed_trades(frozen_app.link.wal_dir)
        assert len(expected) >= 5
        rows = _rows(screen)
        assert len(rows) == len(expected)
        newest = expected[-1]
        assert rows[0][1] == newest.symbol and rows[0][4] == f"{newest.pnl:+,.2f}"
        assert rows[0][5] == f"{newest.fees:.2f}"
        await pilot.press("escape")
        assert not isinstance(frozen_app.screen, TradesScreen)


async def test_s_and_g_filter_by_symbol_and_strategy_and_c_clears(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        trade_session(frozen_app)
        screen = await _open_trades(pilot)
        everything = len(_rows(screen))
        await pilot.press("s")
        assert screen.symbol == "BTC/USDT"
        assert {row[1] for row in _rows(screen)} == {"BTC/USDT"}
        await pilot.press("s")
        assert {row[1] for row in _rows(screen)} == {"ETH/USDT"}
        await pilot.press("s")
        assert screen.symbol is None and len(_rows(screen)) == everything
        strategies = sorted({t.strategy for t in closed_trades(frozen_app.link.wal_dir)})
        await pilot.press("g")
        assert screen.strategy == strategies[0]
        assert {row[7] for row in _rows(screen)} == {strategies[0]}
        await pilot.press("s", "c")
        assert (screen.symbol, screen.strategy) == (None, None) and len(_rows(screen)) == everything


async def test_a_trade_that_closes_while_the_screen_is_open_appears_on_top(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        trade_session(frozen_app, steps=30)
        screen = await _open_trades(pilot)
        before = len(_rows(screen))
        trade_session(frozen_app, steps=30, first_step=30)  # more round trips close
        screen.reload()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        after = closed_trades(frozen_app.link.wal_dir)
        assert len(after) > before
        assert len(_rows(screen)) == len(after)
        assert _rows(screen)[0][4] == f"{after[-1].pnl:+,.2f}"


async def test_trades_of_an_earlier_session_are_listed_after_a_restart(tmp_path: Path) -> None:
    first = HftApp(EngineLink(make_engine(tmp_path, FrozenClock(FROZEN_START_NS)), threaded=False))
    first.link.engine.begin_session()
    async with first.run_test(size=(120, 35)):
        trade_session(first, steps=30)
    first.link.engine.wal.close_sync()
    earlier = closed_trades(tmp_path / "wal")
    assert earlier

    restarted = make_engine(tmp_path, FrozenClock(first.link.engine.clock.now_ns()))
    restarted.begin_session()
    app = HftApp(EngineLink(restarted, threaded=False))
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await _open_trades(pilot)
        assert len(_rows(screen)) == len(earlier)
    restarted.wal.close_sync()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trades_screen_snapshot(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def open_trades(pilot) -> None:  # type: ignore[no-untyped-def]
        trade_session(pilot.app)
        await _open_trades(pilot)

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_trades)
