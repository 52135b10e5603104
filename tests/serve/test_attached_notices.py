"""Notices in a workstation attached to a served engine: the open notices view follows what
the engine says, and its acknowledgement reaches the engine (and every other workstation)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from engine_thread import ServedEngineThread
from textual.pilot import Pilot

from hft_tui.clock import WallClock
from hft_tui.config.settings import Settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.trading.commands import Kill
from hft_tui.tui.app import HftApp
from hft_tui.tui.remote_link import RemoteLink
from hft_tui.tui.screens.notices import NoticesScreen

WAIT_S = 30.0


@pytest.fixture
def running(tmp_path: Path) -> Iterator[ServedEngineThread]:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    engine = build_sim_engine(Settings(), clock=WallClock(), wal_dir=state_dir / "wal", paced=True)
    with ServedEngineThread(engine, state_dir) as served:
        yield served


async def _until(pilot: Pilot, check: Callable[[], bool], what: str) -> None:
    """Let the app run until ``check`` holds (bounded: a hang fails, it is not a timing)."""
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.05)


async def test_an_attached_notices_view_follows_the_engine_and_acknowledges_on_it(
        running: ServedEngineThread) -> None:
    link = RemoteLink(running.server.path, refresh_hz=20)
    other = RemoteLink(running.server.path, refresh_hz=20)
    link.start()
    other.start()
    app = HftApp(link)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await _until(pilot, lambda: link.snapshot.seq > 0, "the first snapshot arrived")
            await pilot.press("n")
            view = app.screen
            assert isinstance(view, NoticesScreen)
            other.send(Kill("operator"))  # from another workstation: the kill says so in a notice
            await _until(pilot, lambda: any(n.source == "kill" for n in view.notices), "the view shows the kill")
            await pilot.press("a")
            await _until(pilot, lambda: running.engine.snapshot.notices_unread == 0, "the engine took the ack")
            await _until(pilot, lambda: other.snapshot.notices_unread == 0, "the other workstation shows it read")
    finally:
        link.stop("test over")
        other.stop("test over")
