"""What a new user sees in the first minute of the default seeded simulator."""

from __future__ import annotations

from pathlib import Path

from sim_driver import drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.model import ReasonCode

REGISTRY = {code.value for code in ReasonCode}


def test_the_first_minute_has_signals_from_three_strategies_a_position_and_clean_records(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 60)
    engine.wal.close_sync()

    records = wal_records(tmp_path / "wal")
    signals = [r for r in records if r["type"] == "signal"]
    assert len({s["strategy"] for s in signals}) >= 3
    opened = [r for r in records if r["type"] == "exit_rules"]
    assert opened, "at least one paper position was opened"
    for s in signals:
        assert 0.0 <= s["confidence"] <= 1.0
        codes = set(s["signal_reasons"]) | set(s["reasons"]) | {c for c in s["outcome"] if c.isupper()}
        assert codes <= REGISTRY, codes - REGISTRY
