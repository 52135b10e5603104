"""One codec each for a position, an open trade and an open order (``to_record``/``from_record``):
what a state snapshot writes comes back as itself, keys in the order the snapshot has always
written them, a key an older journal lacks takes its default, and a reason code nothing
registers any more is kept as written instead of failing the start."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sim_driver import make_engine

from hft_tui.model import Fill, Liquidity, Order, OrderType, Position, ReasonCode, RecoveredOrder, Side
from hft_tui.session.recovery import recover_state
from hft_tui.trading.state import RecoveredState, export_state, restore_state
from hft_tui.trading.trade_lifecycle import OpenTrade
from hft_tui.wal.record import WalRecord
from hft_tui.wal.record_types import FillBooked, OrderPlaced, Record

BTC = "BTC/USDT"
T0 = 1_767_225_600_000_000_000
TRADE = OpenTrade(strategy="trend", side=Side.SELL, entry_reasons=(ReasonCode.TREND_STRONG_DOWN,),
                  opened_ts_ns=T0, realized_at_open=-1.5, max_qty=0.3, entry_price=64_000.5, fees_usd=2.25,
                  entry_qty=0.3, entry_notional=19_200.15, exit_qty=0.1, exit_notional=6_390.0)
ORDER = Order("s2o7", BTC, Side.BUY, OrderType.LIMIT, 0.004, 50_000.0, 0, strategy="trend", reduce_only=True,
              filled_qty=0.001, avg_fill_price=49_999.5, exchange_id="x7")


def test_an_open_trade_is_written_in_the_snapshot_key_order_and_read_back_as_itself() -> None:
    record = TRADE.to_record()
    assert list(record) == ["strategy", "side", "opened_ts_ns", "realized_at_open", "entry_price", "max_qty",
                            "entry_reasons", "fees", "entry_qty", "entry_notional", "exit_qty", "exit_notional"]
    assert (record["side"], record["entry_reasons"], record["fees"]) == ("sell", ["TREND_STRONG_DOWN"], 2.25)
    assert OpenTrade.from_record(record) == TRADE


def test_an_open_trade_from_before_fees_and_legs_reads_them_as_zero() -> None:
    old = {k: v for k, v in TRADE.to_record().items()
           if k not in ("entry_reasons", "fees", "entry_qty", "entry_notional", "exit_qty", "exit_notional")}
    assert OpenTrade.from_record(old) == replace(TRADE, entry_reasons=(), fees_usd=0.0, entry_qty=0.0,
                                                 entry_notional=0.0, exit_qty=0.0, exit_notional=0.0)


def test_a_reason_no_strategy_registers_any_more_is_kept_as_written() -> None:
    trade = OpenTrade.from_record({**TRADE.to_record(), "entry_reasons": ["gone.SPIKE", "TREND_STRONG_DOWN"]})
    assert trade.entry_reasons == ("gone.SPIKE", ReasonCode.TREND_STRONG_DOWN)
    assert trade.entry_reasons[1] is ReasonCode.TREND_STRONG_DOWN, "a registered code is the registry's own"
    assert trade.to_record()["entry_reasons"] == ["gone.SPIKE", "TREND_STRONG_DOWN"]
    with pytest.raises(ValueError):
        ReasonCode("gone.SPIKE")  # still unregistered: the journal's word did not register it


def test_a_position_is_its_fields_under_its_symbol() -> None:
    position = Position(BTC, qty=-0.25, avg_entry=64_000.5, realized_pnl=-3.0, fees_paid=3.0, opened_ts_ns=T0)
    record = position.to_record()
    assert list(record) == ["qty", "avg_entry", "realized_pnl", "fees_paid", "opened_ts_ns"]
    assert Position.from_record(BTC, record) == position
    assert Position.from_record(BTC, {"qty": 1.0, "avg_entry": 2.0, "realized_pnl": 0.0, "fees_paid": 0.0}
                                ).opened_ts_ns == 0, "written before positions had an opening time"


def test_an_open_order_has_one_shape_whoever_wrote_it() -> None:
    recovered = RecoveredOrder(ORDER, "TREND_STRONG_UP", ("t1",))
    record = recovered.to_record()
    assert list(record) == ["client_id", "symbol", "side", "order_type", "qty", "price", "reduce_only", "strategy",
                            "reason", "exchange_id", "filled_qty", "avg_fill_price", "trade_ids"]
    assert RecoveredOrder.from_record(record) == recovered
    placed = OrderPlaced.of(ORDER, "TREND_STRONG_UP", 50_010.0, 1.5).to_payload()
    assert RecoveredOrder.from_record(placed) == RecoveredOrder(
        replace(ORDER, filled_qty=0.0, avg_fill_price=0.0, exchange_id=""), "TREND_STRONG_UP"), \
        "an order record: its arrival mid and cost estimate are not the restart's business"
    paper_snapshot = {k: record[k] for k in list(record)[:8]}  # as a paper session's snapshot wrote it
    assert RecoveredOrder.from_record(paper_snapshot).to_record() == {
        **paper_snapshot, "reason": "", "exchange_id": "", "filled_qty": 0.0, "avg_fill_price": 0.0, "trade_ids": []}


def test_an_open_order_learns_its_exchange_id_and_its_fills() -> None:
    placed = RecoveredOrder.from_record(OrderPlaced.of(ORDER, "TREND_STRONG_UP", None, None).to_payload())
    after = placed.acknowledged("x9").filled("t1", 0.001, 50_000.0).filled("t2", 0.003, 49_990.0)
    assert (after.order.exchange_id, after.trade_ids, after.order.filled_qty) == ("x9", ("t1", "t2"), 0.004)
    assert after.order.avg_fill_price == (50.0 + 0.003 * 49_990.0) / 0.004


def test_the_state_payload_keeps_its_keys_in_order_and_comes_back_as_itself() -> None:
    state = RecoveredState(last_seq=9, sessions=2, positions={BTC: Position(BTC, qty=-0.2, avg_entry=64_000.5)},
                           open_trades={BTC: TRADE}, open_orders={"s2o7": RecoveredOrder(ORDER, "X", ("t1",))},
                           paused=["cvd"])
    payload = state.to_payload()
    assert list(payload) == ["sessions", "positions", "realized_pnl", "fees_paid", "open_trades", "exit_rules",
                             "open_orders", "trading_state", "state_reason", "state_since_ts_ns", "drb", "params",
                             "paused", "disabled", "price_references", "notices"]
    assert payload["open_trades"][BTC] == TRADE.to_record()
    assert RecoveredState.from_payload(payload, 9) == state


def _fold(*records: Record) -> RecoveredState:
    return recover_state(WalRecord(seq, "2026-01-01T00:00:00.000000Z", r.TYPE, r.to_payload())
                         for seq, r in enumerate(records, 1))


def test_a_trade_entered_for_a_code_nobody_registers_now_is_folded_restored_and_snapshot(tmp_path: Path) -> None:
    """A user strategy removed since its trade opened: the session still starts, and the trade
    keeps the reason it was entered for."""
    entry = Order("s1o1", BTC, Side.BUY, OrderType.MARKET, 0.002, None, T0, strategy="gone")
    fill = Fill("s1o1", BTC, Side.BUY, 0.002, 64_000.0, 0.06, Liquidity.TAKER, T0 + 1, strategy="gone",
                trade_id="t1")
    state = _fold(OrderPlaced.of(entry, "gone.SPIKE", 64_000.0, None), FillBooked.of(fill, 0.0))
    assert state.open_trades[BTC].entry_reasons == ("gone.SPIKE",)
    assert state.open_trades[BTC] == replace(
        OpenTrade.opened_by(fill, state.position(BTC), ("gone.SPIKE",)), max_qty=0.002, fees_usd=0.06,
        entry_qty=0.002, entry_notional=0.002 * 64_000.0, entry_price=64_000.0)
    engine = make_engine(tmp_path)
    try:
        restore_state(engine.core, state)
        again = export_state(engine.core)
    finally:
        engine.wal.close_sync()
    assert again.open_trades == state.open_trades and again.positions == state.positions
    assert again.to_payload()["open_trades"][BTC]["entry_reasons"] == ["gone.SPIKE"]
