"""The PnL view: realised PnL (net of fees, from the WAL) of today, this week, this month or
all time on the risk guard's trading days, apart from the unrealised PnL of what is open,
per strategy and per symbol, with the running realised PnL drawn as a curve."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from trading_session import trade_session
from tui_session import FROZEN_START_NS, make_engine

from hft_tui.clock import FrozenClock
from hft_tui.trading.pnl_report import Period
from hft_tui.trading.trade_history import closed_trades
from hft_tui.tui.app import HftApp
from hft_tui.tui.engine_link import EngineLink
from hft_tui.tui.panes.equity_curve import EquityCurve
from hft_tui.tui.screens.pnl import PnlScreen

SIZES = [(80, 24), (120, 35)]
HOUR_NS = 3600 * 10**9


def _text(screen: PnlScreen, selector: str) -> str:
    console = Console(width=118, file=io.StringIO(), record=True)
    console.print(screen.query_one(selector).content)  # type: ignore[attr-defined]
    return console.export_text()


async def _open_pnl(pilot) -> PnlScreen:  # type: ignore[no-untyped-def]
    await pilot.press("dollar_sign")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PnlScreen)
    return screen


async def test_dollar_shows_todays_realised_pnl_apart_from_the_unrealised(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        trade_session(frozen_app)
        screen = await _open_pnl(pilot)
        trades = closed_trades(frozen_app.link.wal_dir)
        report = screen.report
        assert report is not None and report.period is Period.TODAY
        assert report.total.trades == len(trades)
        assert report.total.pnl == pytest.approx(sum(t.pnl for t in trades))
        assert {g.key for g in report.by_strategy} == {t.strategy for t in trades}
        positions = frozen_app.link.snapshot.positions
        assert positions  # the session leaves ETH open
        summary = _text(screen, "#pnl-summary")
        unrealised = sum(p.unrealized_pnl for p in positions)
        assert f"Realised {report.total.pnl:+,.2f}" in summary and f"Unrealised {unrealised:+,.2f}" in summary
        eth = [line for line in _text(screen, "#pnl-symbols").splitlines() if line.strip().startswith("ETH/USDT")]
        assert eth and eth[0].split()[-1] == f"{positions[0].unrealized_pnl:+,.2f}"  # its open position
        assert screen.query_one(EquityCurve)._points == report.curve  # noqa: SLF001
        await pilot.press("escape")
        assert not isinstance(frozen_app.screen, PnlScreen)


async def test_periods_follow_the_trading_days_d_w_m_a(tmp_path: Path) -> None:
    # Yesterday (Wednesday 2025-12-31, last month, this week) one session traded; today another.
    yesterday = HftApp(EngineLink(make_engine(tmp_path, FrozenClock(FROZEN_START_NS - HOUR_NS)), threaded=False))
    yesterday.link.engine.begin_session()
    async with yesterday.run_test(size=(120, 35)):
        trade_session(yesterday, steps=30)
    yesterday.link.engine.wal.close_sync()
    before = closed_trades(tmp_path / "wal")
    assert before and all(t.exit_ts_ns < FROZEN_START_NS for t in before)

    engine = make_engine(tmp_path, FrozenClock(FROZEN_START_NS + HOUR_NS))
    engine.begin_session()
    app = HftApp(EngineLink(engine, threaded=False))
    async with app.run_test(size=(120, 35)) as pilot:
        trade_session(app, steps=30)
        screen = await _open_pnl(pilot)
        every = closed_trades(tmp_path / "wal")
        today = len(every) - len(before)
        assert today > 0
        counts = {}
        for key, period in (("w", Period.WEEK), ("m", Period.MONTH), ("a", Period.ALL), ("d", Period.TODAY)):
            await pilot.press(key)
            assert screen.period is period and screen.report is not None
            counts[period] = screen.report.total.trades
        assert counts == {Period.WEEK: len(every), Period.MONTH: today, Period.ALL: len(every),
                          Period.TODAY: today}
    engine.wal.close_sync()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pnl_view_snapshot(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def open_pnl(pilot) -> None:  # type: ignore[no-untyped-def]
        trade_session(pilot.app)
        await _open_pnl(pilot)

    assert snap_compare(frozen_app, terminal_size=size, run_before=open_pnl)
