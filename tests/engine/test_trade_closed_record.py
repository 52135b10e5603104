"""A closed trade's record tells the round trip as it was: the average price of its entry
fills and of its exit fills, the fees of every fill from entry to exit, and how long it was
held, across a restart too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_driver import drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.clock import FrozenClock
from hft_tui.trading.commands import PauseStrategy, PlaceOrder
from hft_tui.session.engine import Engine

SYMBOL = "BTC/USDT"


def _quiet(engine: Engine) -> Engine:
    """Strategies paused: every fill of the symbol is the operator's round trip."""
    engine.begin_session()
    engine.apply(PauseStrategy(None))
    return engine


def _order(engine: Engine, side: str, qty: float, hold_s: float = 2) -> None:
    engine.apply(PlaceOrder(SYMBOL, side, qty))
    engine.wal.sync()
    engine.core.release_orders()
    drive_seconds(engine, hold_s)


def _fills(records: list[dict]) -> list[dict]:
    return [r for r in records if r["type"] == "fill" and r["symbol"] == SYMBOL]


def test_trade_closed_carries_every_fill_fee_and_the_average_entry(tmp_path: Path) -> None:
    engine = _quiet(make_engine(tmp_path))
    drive_seconds(engine, 5)
    _order(engine, "buy", 0.1)
    _order(engine, "buy", 0.15)  # the position grows: the entry is the average of both
    _order(engine, "sell", 0.1)  # a partial exit: the exit is the average of both
    _order(engine, "sell", 0.15)
    engine.wal.close_sync()
    records = wal_records(tmp_path / "wal")
    fills = _fills(records)
    entries = [f for f in fills if f["side"] == "buy"]
    assert len(fills) == 4
    (closed,) = [r for r in records if r["type"] == "trade_closed"]
    assert closed["fees"] == pytest.approx(sum(f["fee"] for f in fills))
    assert closed["fees"] > 0
    vwap = sum(f["price"] * f["qty"] for f in entries) / sum(f["qty"] for f in entries)
    assert closed["entry_price"] == pytest.approx(vwap)
    exits = [f for f in fills if f["side"] == "sell"]
    assert closed["exit_price"] == pytest.approx(
        sum(f["price"] * f["qty"] for f in exits) / sum(f["qty"] for f in exits))
    assert closed["exit_ts_ns"] - closed["entry_ts_ns"] >= 4 * 10**9  # two holds of 2 s


@pytest.mark.parametrize("snapshot", [True, False], ids=["from-snapshot", "from-fills"])
def test_fees_and_entry_of_an_open_trade_survive_a_restart(tmp_path: Path, snapshot: bool) -> None:
    engine = _quiet(make_engine(tmp_path))
    drive_seconds(engine, 5)
    _order(engine, "buy", 0.1)
    _order(engine, "sell", 0.05)
    _order(engine, "buy", 0.15)
    if snapshot:
        engine.write_state_snapshot()  # recovery folds from here: the snapshot must carry them
    engine.wal.close_sync()

    restarted = _quiet(make_engine(tmp_path, clock=FrozenClock(engine.clock.now_ns())))
    drive_seconds(restarted, 3)  # a book to price the exit against
    _order(restarted, "sell", 0.2)
    restarted.wal.close_sync()
    records = wal_records(tmp_path / "wal")
    fills = _fills(records)
    entries = [f for f in fills if f["side"] == "buy"]
    (closed,) = [r for r in records if r["type"] == "trade_closed"]
    assert closed["fees"] == pytest.approx(sum(f["fee"] for f in fills))
    assert closed["entry_price"] == pytest.approx(
        sum(f["price"] * f["qty"] for f in entries) / sum(f["qty"] for f in entries))
    assert closed["entry_ts_ns"] == entries[0]["ts_ns"]
