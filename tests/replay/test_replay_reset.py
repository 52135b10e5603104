"""A refused and an accepted reset replay from their own records: the journal says whether a
reset was confirmed, so the replay never reads the records after a command to guess it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hft_tui.cli.main import main
from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.session.input_recording import attach_input_recorder
from hft_tui.trading.commands import Kill, ResetHalt
from hft_tui.wal.reader import iter_records

START_NS = 1_767_225_600_000_000_000


async def _market(engine: Engine, clock: FrozenClock, seconds: float) -> None:
    market = engine.source.market  # type: ignore[attr-defined]
    end = clock.now_ns() + int(seconds * 1e9)
    while clock.now_ns() < end:
        await engine.feed(market.next_event())


async def test_a_refused_and_an_accepted_reset_replay_without_reading_ahead(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(None, {})
    clock = FrozenClock(START_NS)
    engine = build_sim_engine(settings, clock=clock, wal_dir=tmp_path / "wal", paced=False)
    attach_input_recorder(engine, settings, tmp_path)
    await engine.wal.start()
    engine.begin_session()
    await _market(engine, clock, 20.0)
    assert (await engine.execute(Kill("test"))).ok
    await _market(engine, clock, 5.0)
    assert not (await engine.execute(ResetHalt("reset"))).ok
    await _market(engine, clock, 5.0)
    assert (await engine.execute(ResetHalt("RESET"))).ok
    await _market(engine, clock, 5.0)
    await engine.stop("test over")

    resets = [r.payload["confirmation"] for r in iter_records(tmp_path / "wal")
              if r.type == "command" and r.payload["command"] == "ResetHalt"]
    assert resets == [False, True]
    code = main(["--state-dir", str(tmp_path), "replay", "--verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 operator command(s) re-applied" in out
    assert "0 divergences" in out
