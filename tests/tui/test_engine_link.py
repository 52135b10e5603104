"""The link that runs the engine in its own thread for the app."""

from __future__ import annotations

import threading
from pathlib import Path

from hft_tui.clock import WallClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.trading.commands import CommandResult, PauseStrategy, ResumeStrategy
from hft_tui.tui.engine_link import EngineLink

# A bound on waiting for the engine's thread, not a measurement: the test fails only if a
# command never comes back at all.
GIVE_UP_S = 60.0


def test_a_running_link_applies_commands_and_keeps_none_of_them(tmp_path: Path) -> None:
    settings = load_settings(None, {})
    engine = build_sim_engine(settings, clock=WallClock(), wal_dir=tmp_path / "wal", paced=True)
    link = EngineLink(engine)
    results: list[CommandResult] = []
    done = threading.Event()

    def on_done(result: CommandResult) -> None:
        results.append(result)
        if len(results) == 2:
            done.set()

    link.start()
    try:
        link.send(PauseStrategy("trend"), on_done)
        link.send(ResumeStrategy("trend"), on_done)
        assert done.wait(GIVE_UP_S), "the engine never answered"
    finally:
        link.stop("test over")
    assert [r.ok for r in results] == [True, True]
    assert link.commands_sent == []
