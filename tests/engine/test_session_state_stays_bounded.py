"""Nothing the core keeps about fills or trades grows with the session: the fill feed keeps the
latest fills and counts the rest, closed trades are the WAL's, and trade ids are kept per open
order only, which is what the state snapshot needs to name so a restart never books a fill
twice (the LIVE restart tests in tests/ccxt/test_live_recovery.py follow a partly filled
order's ids across crashes)."""

from __future__ import annotations

from sim_driver import drive_seconds
from wal_records import wal_records

from hft_tui.session.engine import Engine
from hft_tui.trading.fill_feed import FillFeed

KEEP = 8


def test_a_long_run_keeps_the_latest_fills_and_trade_ids_of_open_orders_only(engine: Engine) -> None:
    core = engine.core
    core.fill_feed = FillFeed(KEEP)  # a small feed, so a few minutes overflow it
    for _ in range(20):
        drive_seconds(engine, 30)
        open_ids = {o.client_id for o in core.orders.values() if o.is_open}
        assert set(core.bookkeeping.trade_ids) <= open_ids
        assert len(core.fill_feed.latest()) <= KEEP
    engine.wal.sync()
    booked = [r for r in wal_records(engine.wal.directory) if r["type"] == "fill"]
    assert core.fill_feed.total == len(booked) > KEEP, "the run books more fills than the feed keeps"
    assert [f.trade_id for f in core.fill_feed.latest()] == [r["trade_id"] for r in booked[-KEEP:]]
    closed = [r for r in wal_records(engine.wal.directory) if r["type"] == "trade_closed"]
    assert closed and core.closed_trades == [], "closed trades are the WAL's: a session keeps none in memory"
