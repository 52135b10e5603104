"""Engines on the seeded simulator, driven by hand on a frozen clock (no pacing, no threads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine

START_NS = 1_767_225_600_000_000_000


def make_engine(state_dir: Path, overrides: dict[str, Any] | None = None,
                clock: FrozenClock | None = None) -> Engine:
    settings = load_settings(None, overrides or {})
    return build_sim_engine(settings, clock=clock or FrozenClock(START_NS), wal_dir=state_dir / "wal",
                            paced=False)


def drive_seconds(engine: Engine, seconds: float) -> int:
    """Feed simulator events until ``seconds`` of simulated time have passed."""
    market = engine.source.market  # type: ignore[attr-defined]
    clock = engine.clock
    end = clock.now_ns() + int(seconds * 1e9)
    n = 0
    while clock.now_ns() < end:
        event = market.next_event()
        clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        engine.process(event)
        n += 1
    return n


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = make_engine(tmp_path)
    e.begin_session()
    yield e
    if not e.wal._closed:  # noqa: SLF001 - tests may close it themselves
        e.wal.close_sync()
