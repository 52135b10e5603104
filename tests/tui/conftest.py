"""A deterministic workstation for UI tests: seeded sim driven by hand, frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hft_tui.assembly import build_sim_engine
from hft_tui.clock import FrozenClock
from hft_tui.config.settings import Settings
from hft_tui.engine import Engine
from hft_tui.tui.app import HftApp
from hft_tui.tui.engine_link import EngineLink

# 2026-01-01T00:00:00Z: every timestamp on screen derives from it.
FROZEN_START_NS = 1_767_225_600_000_000_000
EVENTS_BEFORE_SNAPSHOT = 600


def make_engine(state_dir: Path, clock: FrozenClock) -> Engine:
    return build_sim_engine(Settings(), clock=clock, wal_dir=state_dir / "wal", paced=False)


def drive(engine: Engine, clock: FrozenClock, events: int) -> None:
    """Feed ``events`` simulator events through the engine, moving the clock with them."""
    market = engine.source.market  # type: ignore[attr-defined]
    for _ in range(events):
        event = market.next_event()
        clock.advance_to(event.ts_ns)
        engine.process(event)


@pytest.fixture
def frozen_engine(tmp_path: Path) -> Iterator[Engine]:
    clock = FrozenClock(FROZEN_START_NS)
    engine = make_engine(tmp_path, clock)
    engine.begin_session()
    drive(engine, clock, EVENTS_BEFORE_SNAPSHOT)
    engine.publish_snapshot()
    yield engine
    engine.wal.close_sync()


@pytest.fixture
def frozen_app(frozen_engine: Engine) -> HftApp:
    return HftApp(EngineLink(frozen_engine, threaded=False))
