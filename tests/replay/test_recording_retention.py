"""Input recordings stay within their disk budget: oldest sessions go first, never the running one."""

from __future__ import annotations

import os
from pathlib import Path

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.data.recording_retention import prune_recordings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.input_recording import InputRecorder, recordings_dir
from hft_tui.wal.reader import iter_records

START_NS = 1_767_225_600_000_000_000
MIB = 2**20


def _session(root: Path, name: str, mib: int, age_s: int) -> Path:
    """A recording directory holding ``mib`` MiB (a sparse file), last written ``age_s`` ago."""
    directory = root / name
    directory.mkdir(parents=True)
    part = directory / "part-000000.parquet"
    with part.open("wb") as handle:
        handle.truncate(mib * MIB)
    written = 1_800_000_000 - age_s
    os.utime(part, (written, written))
    return directory


def test_oldest_recordings_go_first_until_the_rest_fit(tmp_path: Path) -> None:
    for name, age_s in (("session-1", 300), ("session-2", 200), ("session-3", 100)):
        _session(tmp_path, name, 40, age_s)

    result = prune_recordings(tmp_path, 90 * MIB, running=None)

    assert result.removed == ("session-1",)
    assert result.freed_bytes == 40 * MIB
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session-2", "session-3"]


def test_within_budget_nothing_is_deleted(tmp_path: Path) -> None:
    _session(tmp_path, "session-1", 10, 100)
    assert prune_recordings(tmp_path, 10 * MIB, running=None).removed == ()
    assert (tmp_path / "session-1").is_dir()


def test_the_running_session_is_never_deleted_even_when_it_is_the_oldest(tmp_path: Path) -> None:
    running = _session(tmp_path, "session-1", 80, 500)
    _session(tmp_path, "session-2", 30, 100)

    result = prune_recordings(tmp_path, 64 * MIB, running=running)

    assert result.removed == ("session-2",)
    assert running.is_dir()


def test_a_recording_session_prunes_older_ones_and_journals_it(tmp_path: Path) -> None:
    root = recordings_dir(tmp_path)
    _session(root, "session-old", 70, 1_000)  # alone over the 64 MiB budget set below
    settings = load_settings(None, {"engine.recordings_max_mb": 64})
    engine = build_sim_engine(settings, clock=FrozenClock(START_NS), wal_dir=tmp_path / "wal", paced=False)
    InputRecorder(engine, settings, root, part_events=500).attach()
    engine.begin_session()
    market = engine.source.market  # type: ignore[attr-defined]
    for _ in range(1_200):
        event = market.next_event()
        engine.clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        engine.process(event)
    engine.wal.close_sync()

    assert sorted(p.name for p in root.iterdir()) == ["session-1"]
    pruned = [r.payload for r in iter_records(tmp_path / "wal") if r.type == "recordings_pruned"]
    assert pruned == [{"sessions": ["session-old"], "freed_mb": 70.0, "max_mb": 64}]
