"""Recovery's fold on typed records, one record type at a time, and restore as its inverse:
the state a running core gives for its snapshot, put into a fresh core, gives itself back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sim_driver import drive_seconds, make_engine

from hft_tui.model import Fill, Liquidity, Order, OrderStatus, OrderType, Side
from hft_tui.session.engine import Engine
from hft_tui.session.recovery import recover_state
from hft_tui.trading.commands import PauseStrategy, PlaceOrder, SetStrategyParams
from hft_tui.trading.state import RecoveredState, export_state, restore_state
from hft_tui.wal.record import WalRecord
from hft_tui.wal.record_types import (
    FillBooked,
    OrderPlaced,
    OrderUpdate,
    Record,
    SessionStarted,
    StateChanged,
    StateSnapshot,
    TradeClosed,
)

BTC = "BTC/USDT"
T0 = 1_767_225_600_000_000_000


def _fold(*records: Record) -> RecoveredState:
    return recover_state(WalRecord(seq, "2026-01-01T00:00:00.000000Z", r.TYPE, r.to_payload())
                         for seq, r in enumerate(records, 1))


def _order(client_id: str, qty: float = 0.004) -> Order:
    return Order(client_id, BTC, Side.BUY, OrderType.LIMIT, qty, 50_000.0, T0, strategy="trend")


def _fill(client_id: str, trade_id: str, qty: float, price: float, side: Side = Side.BUY) -> FillBooked:
    fill = Fill(client_id, BTC, side, qty, price, 0.05, Liquidity.MAKER, T0 + 1, strategy="trend",
                trade_id=trade_id)
    return FillBooked.of(fill, 0.0)


def test_an_acknowledged_partly_filled_order_stays_open_with_its_exchange_id_and_trade_ids() -> None:
    order = _order("c1")
    state = _fold(SessionStarted(mode="LIVE", exchange="x", symbols=[BTC], source="ccxt", session=1),
                  OrderPlaced.of(order, "TREND_UP", 50_000.0, None),
                  OrderUpdate.acknowledged(replace(order, status=OrderStatus.OPEN, exchange_id="x9")),
                  _fill("c1", "t1", 0.001, 50_000.0), _fill("c1", "t2", 0.003, 49_990.0))
    assert state.sessions == 1
    recovered = state.open_orders["c1"]
    assert (recovered.order.exchange_id, recovered.trade_ids, recovered.reason) == ("x9", ("t1", "t2"), "TREND_UP")
    assert recovered.order.filled_qty == 0.004
    assert recovered.order.avg_fill_price == (50.0 + 0.003 * 49_990.0) / 0.004
    assert state.position(BTC).qty == 0.004
    trade = state.open_trades[BTC]
    assert (trade.strategy, trade.side, trade.entry_reasons) == ("trend", Side.BUY, ("TREND_UP",))
    assert trade.fees_usd == 0.1 and trade.entry_qty == 0.004


def test_an_order_that_ended_and_a_trade_that_closed_leave_nothing_open() -> None:
    order = _order("c1", 0.001)
    state = _fold(OrderPlaced.of(order, "TREND_UP", 50_000.0, None), _fill("c1", "t1", 0.001, 50_000.0),
                  OrderUpdate.ended(replace(order, status=OrderStatus.FILLED, filled_qty=0.001), None),
                  _fill("c2", "t2", 0.001, 50_100.0, Side.SELL),
                  TradeClosed(strategy="trend", symbol=BTC, side="buy", qty=0.001, entry_price=50_000.0,
                              exit_price=50_100.0, pnl=0.0, entry_ts_ns=T0, exit_ts_ns=T0 + 2))
    assert state.open_orders == {} and state.positions == {} and state.open_trades == {}
    # 0.001 BTC 100 higher, less the two fills' fees.
    assert state.realized_pnl == pytest.approx(0.1 - 0.1) and state.fees_paid == pytest.approx(0.1)


def test_a_halt_is_folded_and_a_snapshot_record_starts_the_fold_afresh() -> None:
    halted = _fold(StateChanged(from_state="ACTIVE", to_state="HALTED", reason="KILL", ts_ns=T0))
    assert (halted.trading_state, halted.state_reason, halted.state_since_ts_ns) == ("HALTED", "KILL", T0)
    snapshot = RecoveredState(sessions=3, trading_state="REDUCING", paused=["cvd"]).to_payload()
    state = _fold(_fill("c1", "t1", 0.001, 50_000.0), StateSnapshot(state=snapshot))
    assert (state.sessions, state.trading_state, state.paused, state.positions) == (3, "REDUCING", ["cvd"], {})


def _restored_from(engine: Engine, tmp_path: Path) -> tuple[RecoveredState, RecoveredState]:
    state = export_state(engine.core)
    fresh = make_engine(tmp_path / "fresh")
    try:
        restore_state(fresh.core, state)
        return state, export_state(fresh.core)
    finally:
        fresh.wal.close_sync()


def test_restore_puts_back_what_a_running_core_gives_for_its_snapshot(engine: Engine, tmp_path: Path) -> None:
    drive_seconds(engine, 5)
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01)).ok
    engine.wal.sync()
    engine.core.release_orders()
    assert engine.apply(SetStrategyParams("spike_fader", {"threshold_pct": 2.5})).ok
    assert engine.apply(PauseStrategy("cvd")).ok
    drive_seconds(engine, 2)
    state, again = _restored_from(engine, tmp_path)
    assert state.positions and state.open_trades and state.exit_rules, "a position open to restore"
    for name in ("positions", "realized_pnl", "fees_paid", "open_trades", "exit_rules", "trading_state",
                 "state_reason", "drb", "params", "paused", "disabled", "price_references"):
        assert getattr(again, name) == getattr(state, name), name
