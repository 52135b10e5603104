"""The workstation attached to a served engine: the same screen as embedded but for the
header's ATTACHED, keys and commands reach the engine, d (and q) detach, view-only says so
and sends nothing, ``ctl status`` counts the workstations, a lost socket is said and
reconnected, and a kill from ``ctl`` goes through while a modal is open."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from engine_thread import ServedEngineThread
from textual.pilot import Pilot
from textual.widgets import Footer

from hft_tui.clock import FrozenClock, WallClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.app import HftApp
from hft_tui.serve.ctl import run_ctl
from hft_tui.tui.engine_link import EngineLink
from hft_tui.tui.panes.header_bar import HeaderBar
from hft_tui.tui.remote_link import RemoteLink
from hft_tui.tui.screens.confirm import ConfirmScreen
from hft_tui.tui.screens.kill_confirm import KillConfirmScreen
from hft_tui.tui.screens.manual_order import ManualOrderScreen
from hft_tui.tui.screens.order_confirm import OrderConfirmScreen
from hft_tui.tui.screens.position_exits import PositionExitsScreen
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record_types import CommandIssued, KillIssued

sys.path.insert(0, str(Path(__file__).parents[1] / "tui"))
from tui_session import FROZEN_START_NS, drive, make_engine  # noqa: E402

SIZE = (120, 35)
WAIT_S = 30.0


def _state_dir(tmp_path: Path) -> Path:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    os.chmod(state_dir, 0o700)
    return state_dir


# The paced simulator stamps its books with the wall clock; on a loaded box the engine takes
# them more than the sanitizer's default 100 ms later, rejects them as late and freezes new
# entries (as it should), and the manual order these tests send is refused. The sanitizer is
# not what they are about.
UNHURRIED = load_settings(None, {"sanitizer.max_feed_latency_ms": 60_000.0})


@pytest.fixture
def running(tmp_path: Path) -> Iterator[ServedEngineThread]:
    state_dir = _state_dir(tmp_path)
    engine = build_sim_engine(UNHURRIED, clock=WallClock(), wal_dir=state_dir / "wal", paced=True)
    with ServedEngineThread(engine, state_dir) as served:
        yield served


async def _until(pilot: Pilot, check: Callable[[], bool]) -> None:
    """Let the app run until ``check`` holds (bounded: a hang fails, it is not a timing)."""
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, "condition never held"
        await pilot.pause(0.05)


def _attach(served: ServedEngineThread, *, view_only: bool = False) -> RemoteLink:
    link = RemoteLink(served.server.path, refresh_hz=20, view_only=view_only)
    link.start()
    return link


async def test_an_attached_workstation_draws_the_same_screen_as_the_embedded_one(tmp_path: Path) -> None:
    state_dir = _state_dir(tmp_path)
    engine: Engine = make_engine(state_dir, FrozenClock(FROZEN_START_NS))
    engine.begin_session()
    drive(engine, 2400)
    snapshot = engine.publish_snapshot()
    screens, headers, keys = [], [], []
    with ServedEngineThread(engine, state_dir, running=False) as served:
        attached = _attach(served)
        attached.now_ns = engine.clock.now_ns  # type: ignore[method-assign] # one clock for both screens
        for link in (EngineLink(engine, threaded=False), attached):
            app = HftApp(link)
            async with app.run_test(size=SIZE) as pilot:
                await _until(pilot, lambda link=link: link.snapshot.seq == snapshot.seq)
                app.redraw_all()
                await pilot.pause()
                header = app.query_one(HeaderBar)
                headers.append(header.render().plain)
                keys.append({b.action for _, b, enabled, _ in app.active_bindings.values() if enabled})
                # The two lines that differ (ATTACHED, the detach key): compared in words below.
                header.display = app.query_one(Footer).display = False
                await pilot.pause()
                screens.append(app.export_screenshot())
        attached.stop("test over")
    engine.wal.close_sync()
    assert "BTC/USDT" in screens[0] and f"{snapshot.wal_seq}" in screens[0]
    assert screens[0] == screens[1]
    assert "ATTACHED" not in headers[0]
    assert headers[1].replace(" ⇄ ATTACHED ", "", 1).split() == headers[0].split()
    assert keys[1] == keys[0] | {"detach"}


async def test_a_command_from_one_workstation_shows_in_another(running: ServedEngineThread) -> None:
    first, second = _attach(running), _attach(running)
    app = HftApp(first)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")  # pause every strategy
        await _until(pilot, lambda: bool(second.snapshot.strategies)
                     and all(s.status == "paused" for s in second.snapshot.strategies))
    first.stop("test over")
    second.stop("test over")


async def test_quitting_an_attached_workstation_leaves_the_engine_trading(running: ServedEngineThread) -> None:
    link = _attach(running)
    app = HftApp(link)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == "detach"
    events = running.engine.core.counters.events
    watcher = _attach(running)
    deadline = time.monotonic() + WAIT_S
    while watcher.snapshot.metrics.events_total <= events:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert watcher.snapshot.running
    watcher.stop("test over")


async def test_d_detaches_and_the_engine_keeps_trading(running: ServedEngineThread) -> None:
    link = _attach(running)
    app = HftApp(link)
    async with app.run_test(size=SIZE) as pilot:
        assert "detach" in {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        await pilot.press("d")
        await pilot.pause()
    assert app.return_value == "detach"
    assert running.engine.snapshot.running and running.engine.snapshot.trading_state == "ACTIVE"


def test_ctl_status_counts_the_attached_workstations_but_not_itself(
    running: ServedEngineThread, capsys: pytest.CaptureFixture[str]
) -> None:
    links = [_attach(running), _attach(running), _attach(running, view_only=True)]
    args = type("Args", (), {"ctl_command": "status", "json": True, "yes": False})()
    assert run_ctl(args, running.server.path.parent) == 0  # type: ignore[arg-type]
    status = json.loads(capsys.readouterr().out)
    assert (status["attached"], status["attached_view_only"], status["other_clients"]) == (3, 1, 0)
    for link in links:
        link.stop("test over")


async def test_a_view_only_workstation_opens_no_money_dialog_and_sends_nothing(running: ServedEngineThread) -> None:
    link = _attach(running, view_only=True)
    app = HftApp(link)
    async with app.run_test(size=SIZE) as pilot:
        assert "ATTACHED · VIEW ONLY" in app.query_one(HeaderBar).render().plain
        await pilot.press("ctrl+k")
        await pilot.press("f5")
        await pilot.pause()
        assert not isinstance(app.screen, KillConfirmScreen)
    link.stop("test over")
    assert running.engine.snapshot.trading_state == "ACTIVE"
    assert all(s.status == "running" for s in running.engine.snapshot.strategies)


def test_a_lost_socket_is_said_and_the_link_reconnects(running: ServedEngineThread) -> None:
    link = _attach(running)
    running.restart_server()
    deadline = time.monotonic() + WAIT_S
    seen_lost: EngineSnapshot | None = None
    while True:
        snapshot = link.snapshot
        if not snapshot.running and "lost the served engine" in snapshot.notice:
            seen_lost = snapshot
        if seen_lost is not None and link.connected and link.snapshot.running:
            break
        assert time.monotonic() < deadline, "never lost, or never reconnected"
        time.sleep(0.01)
    link.stop("test over")


async def test_a_kill_from_ctl_goes_through_while_a_workstation_has_a_modal_open(
    running: ServedEngineThread,
) -> None:
    link = _attach(running)
    app = HftApp(link)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, KillConfirmScreen)
        ctl = subprocess.run(
            [sys.executable, "-m", "hft_tui", "--state-dir", str(running.server.path.parent), "ctl", "kill", "--yes"],
            capture_output=True, text=True, timeout=60)
        assert ctl.returncode == 0, ctl.stderr
        await _until(pilot, lambda: link.snapshot.trading_state == "HALTED")
        assert isinstance(app.screen, KillConfirmScreen)
    link.stop("test over")
    assert running.engine.snapshot.trading_state == "HALTED"


async def test_a_manual_order_from_an_attached_workstation_is_previewed_and_placed_over_the_socket(
    running: ServedEngineThread,
) -> None:
    link = _attach(running)
    app = HftApp(link)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: all(link.snapshot.view(s).book is not None for s in link.snapshot.symbols))
        await pilot.press("o", *"0.01", "enter")
        await _until(pilot, lambda: isinstance(app.screen, OrderConfirmScreen))
        assert isinstance(app.screen, OrderConfirmScreen) and "risk gate: passes" in app.screen.shown
        await pilot.press("y")
        # (a strategy may hold BTC already: then the manual fill adds to its position)
        await _until(pilot, lambda: any(f.strategy == "manual" for f in running.engine.core.fill_feed.latest()))
    link.stop("test over")
    records = [r for r in iter_records(running.engine.wal.directory) if r.type == "command"]
    assert any(r.payload["command"] == "PlaceOrder" for r in records)


async def test_a_view_only_workstation_opens_no_order_dialog(running: ServedEngineThread) -> None:
    link = _attach(running, view_only=True)
    app = HftApp(link)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o", "x", "e", "c")
        await pilot.pause()
        assert not isinstance(app.screen, (ManualOrderScreen, ConfirmScreen, PositionExitsScreen))
    link.stop("test over")
    journaled = [r for r in iter_records(running.engine.wal.directory) if r.type in (CommandIssued.TYPE, KillIssued.TYPE)]
    assert journaled == []
