"""Fixtures: a fresh seeded engine on a frozen clock, and the app over it (see tui_session)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tui_session import FROZEN_START_NS, make_engine  # noqa: E402

from hft_tui.clock import FrozenClock  # noqa: E402
from hft_tui.session.engine import Engine  # noqa: E402
from hft_tui.tui.app import HftApp  # noqa: E402
from hft_tui.tui.engine_link import EngineLink  # noqa: E402


@pytest.fixture
def frozen_engine(tmp_path: Path) -> Iterator[Engine]:
    clock = FrozenClock(FROZEN_START_NS)
    engine = make_engine(tmp_path, clock)
    engine.begin_session()
    engine.publish_snapshot()
    yield engine
    if not engine.wal._closed:  # noqa: SLF001 - a test may have closed it
        engine.wal.close_sync()


@pytest.fixture
def frozen_app(frozen_engine: Engine) -> HftApp:
    return HftApp(EngineLink(frozen_engine, threaded=False))
