"""An attached workstation shows the served engine's trade history and PnL: the closed
trades come from the engine's WAL on this host, the open positions from its snapshots."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from engine_thread import ServedEngineThread

from hft_tui.clock import FrozenClock
from hft_tui.config.settings import Settings
from hft_tui.trading.commands import PlaceOrder
from hft_tui.trading.trade_history import closed_trades
from hft_tui.tui.app import HftApp
from hft_tui.tui.attach import attached_link
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.screens.pnl import PnlScreen
from hft_tui.tui.screens.trades import TradesScreen

sys.path.insert(0, str(Path(__file__).parents[1] / "tui"))
from tui_session import FROZEN_START_NS, drive, make_engine  # noqa: E402

WAIT_S = 30.0


async def test_trades_and_pnl_of_a_served_engine_in_an_attached_workstation(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    os.chmod(state_dir, 0o700)
    engine = make_engine(state_dir, FrozenClock(FROZEN_START_NS))
    engine.begin_session()
    drive(engine, 600)
    for side in ("buy", "sell", "buy"):  # a round trip, then a position left open
        engine.apply(PlaceOrder("ETH/USDT", side, 1.0))
        engine.wal.sync()
        engine.core.release_orders()
        drive(engine, 300)
    engine.wal.sync()
    snapshot = engine.publish_snapshot()
    trades = closed_trades(state_dir / "wal")
    assert trades and snapshot.positions
    with ServedEngineThread(engine, state_dir, running=False) as served:
        link = attached_link(Settings(), state_dir)
        assert link.path == served.server.path
        link.start()
        app = HftApp(link)
        async with app.run_test(size=(120, 35)) as pilot:
            deadline = time.monotonic() + WAIT_S
            while link.snapshot.seq != snapshot.seq:  # bounded: a hang fails, it is not a timing
                assert time.monotonic() < deadline, "the snapshot never arrived"
                await pilot.pause(0.05)
            await pilot.press("h")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, TradesScreen)
            assert app.screen.query_one(FittedTable).row_count == len(trades)
            await pilot.press("escape", "dollar_sign")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PnlScreen) and screen.report is not None
            assert screen.report.total.pnl == pytest.approx(sum(t.pnl for t in trades))
        link.stop("test over")
    engine.wal.close_sync()
