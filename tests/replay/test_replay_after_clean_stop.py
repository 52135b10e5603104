"""``replay --verify`` passes on every cleanly stopped session, however the stop lands.

The stop that used to break it arrives while an order intent waits for the journal's group
commit: the intent and its event were journaled and recorded, but the stop cancelled the
step before the intent reached the broker, so the replay made a fill the WAL did not have.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from hft_tui.cli.main import main
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_engine
from hft_tui.session.engine import Engine
from hft_tui.wal.reader import iter_records

# Every run of the whole suite does a few; HFT_TUI_STOP_SESSIONS=20 for the figure.
SESSIONS = int(os.environ.get("HFT_TUI_STOP_SESSIONS", "4"))


async def _stop_while_an_order_waits_for_the_journal(engine: Engine, orders_first: int) -> None:
    """Let the unpaced sim trade until ``orders_first`` orders went out, then request the stop
    at the moment the next order intent waits for its group commit."""
    await engine.start()
    while engine.core.counters.orders < orders_first or not engine.core.has_pending_orders:
        await asyncio.sleep(0)
    engine.request_stop("operator quit")
    await engine.stop()


@pytest.mark.slow
@pytest.mark.parametrize("session", range(SESSIONS))
async def test_a_session_stopped_while_an_order_waits_for_the_journal_replays_exactly(
        session: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(None, {"sim.paced": False, "paths.state_dir": str(tmp_path),
                                    "engine.seed": 1000 + session})
    engine = build_engine(settings)
    await _stop_while_an_order_waits_for_the_journal(engine, orders_first=1 + session % 3)
    records = list(iter_records(tmp_path / "wal"))
    assert records[-1].type == "session_stop"
    intents = {r.payload["client_id"] for r in records if r.type == "order"}
    outcomes = {r.payload["client_id"] for r in records if r.type in ("fill", "order_update")}
    assert intents <= outcomes, f"an intent was journaled but never reached the broker: {intents - outcomes}"

    code = main(["--state-dir", str(tmp_path), "replay", "--verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 divergences" in out
