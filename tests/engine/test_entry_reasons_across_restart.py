"""A strategy's trade open across a restart closes with the reasons it was entered for, as
one that never saw a restart does (from the snapshot record, or from the entry order's
record when recovery folds the fills themselves)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_driver import make_engine
from wal_records import wal_records

from hft_tui.clock import FrozenClock
from hft_tui.session.engine import Engine

MAX_EVENTS = 50_000


def _step(engine: Engine) -> None:
    market = engine.source.market  # type: ignore[attr-defined]
    event = market.next_event()
    engine.clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
    engine.process(event)
    engine.wal.sync()
    engine.core.release_orders()


def _until(engine: Engine, done) -> None:  # type: ignore[no-untyped-def]
    for _ in range(MAX_EVENTS):
        if done():
            return
        _step(engine)
    raise AssertionError("the seeded market never got there")


@pytest.mark.parametrize("snapshot", [True, False], ids=["from-snapshot", "from-fills"])
def test_a_strategy_trade_keeps_its_entry_reasons_across_a_restart(tmp_path: Path, snapshot: bool) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    _until(engine, lambda: any(t.strategy != "operator" for t in engine.core.open_trades.values()))
    (symbol, trade), = engine.core.open_trades.items()
    reasons = [code.value for code in trade.entry_reasons]
    assert reasons
    if snapshot:
        engine.write_state_snapshot()
    engine.wal.close_sync()

    restarted = make_engine(tmp_path, clock=FrozenClock(engine.clock.now_ns()))
    restarted.begin_session()
    _until(restarted, lambda: symbol not in restarted.core.open_trades)
    restarted.wal.close_sync()
    (closed,) = [r for r in wal_records(tmp_path / "wal") if r["type"] == "trade_closed"]
    assert closed["entry_reasons"][:1] == reasons[:1]
    if snapshot:
        assert closed["entry_reasons"] == reasons
