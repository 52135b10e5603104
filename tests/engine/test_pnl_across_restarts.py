"""A restart neither forgets the day's PnL nor jumps it: the day follows the risk guard's
trading day, positions are marked where they were, and the simulator carries on from there."""

from __future__ import annotations

from pathlib import Path

from sim_driver import drive_seconds, make_engine

from hft_tui.clock import FrozenClock
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import PlaceOrder

SYMBOL = "BTC/USDT"


def _session_with_a_position_and_a_closed_trade(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 5)
    for side, qty in (("buy", 0.2), ("sell", 0.2), ("buy", 0.1)):  # a round trip, then a position
        engine.apply(PlaceOrder(SYMBOL, side, qty))
        engine.wal.sync()
        engine.core.release_orders()
        drive_seconds(engine, 20)
    assert not engine.core.portfolio.position(SYMBOL).is_flat
    engine.write_state_snapshot()
    engine.wal.close_sync()
    return engine


def test_day_pnl_and_marks_survive_a_restart(tmp_path: Path) -> None:
    before = _session_with_a_position_and_a_closed_trade(tmp_path)
    portfolio = before.core.portfolio.snapshot()
    assert portfolio.day_pnl != 0.0

    restarted = make_engine(tmp_path, clock=FrozenClock(before.clock.now_ns()))
    restarted.begin_session()
    try:
        after = restarted.core.portfolio.snapshot()
        assert after.day_start_ts_ns == before.core.risk.last.day_start_ts_ns
        assert after.marks[SYMBOL] == portfolio.marks[SYMBOL]
        assert after.unrealized_pnl == portfolio.unrealized_pnl
        assert after.day_pnl == portfolio.day_pnl
    finally:
        restarted.wal.close_sync()


def test_the_simulator_resumes_from_the_last_mark(tmp_path: Path) -> None:
    before = _session_with_a_position_and_a_closed_trade(tmp_path)
    last_mark = before.core.portfolio.snapshot().marks[SYMBOL]
    restarted = make_engine(tmp_path, clock=FrozenClock(before.clock.now_ns()))
    restarted.begin_session()
    try:
        drive_seconds(restarted, 1)
        mid = restarted.core.books[SYMBOL].mid
        assert abs(mid - last_mark) / last_mark < 0.002  # a second of drift, not a reset to 65,000
        drift = restarted.core.portfolio.snapshot().day_pnl - before.core.portfolio.snapshot().day_pnl
        assert abs(drift) < 0.002 * last_mark * 0.1  # the 0.1 BTC position moved with the market only
    finally:
        restarted.wal.close_sync()
