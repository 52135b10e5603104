"""A served engine in-process: the seeded simulator, paced on the wall clock, behind a real
control socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hft_tui.clock import WallClock
from hft_tui.config.settings import Settings
from hft_tui.serve.control_server import ControlServer
from hft_tui.serve.protocol import socket_path
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine


@pytest.fixture
def served_settings() -> Settings:
    """The served engine's settings (a test module overrides this fixture for other ones)."""
    return Settings()


@pytest.fixture
async def served(tmp_path: Path, served_settings: Settings) -> AsyncIterator[ControlServer]:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    os.chmod(state_dir, 0o700)
    engine: Engine = build_sim_engine(served_settings, clock=WallClock(), wal_dir=state_dir / "wal", paced=True)
    await engine.start()
    server = ControlServer(engine, socket_path(state_dir))
    await server.start()
    yield server
    await server.close()
    with contextlib.suppress(asyncio.CancelledError):
        await engine.stop("test over")
