"""Manual orders, exits and cancels: operator commands through the one risk gate."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sim_driver import drive_seconds
from wal_records import wal_records

from hft_tui.trading.commands import CancelOrder, Kill, PlaceOrder, PreviewOrder, SetExits
from hft_tui.session.engine import Engine
from hft_tui.model import OrderStatus, ReasonCode

BTC = "BTC/USDT"


def _release(engine: Engine) -> None:
    engine.wal.sync()
    engine.core.release_orders()


def _records(engine: Engine) -> list[dict[str, Any]]:
    engine.wal.sync()
    return wal_records(engine.wal.directory)


def _mid(engine: Engine, symbol: str = BTC) -> float:
    book = engine.core.books[symbol]
    assert book is not None and book.mid is not None
    return book.mid


async def test_a_manual_entry_is_a_manual_trade_with_the_operators_exits(engine: Engine) -> None:
    await engine.wal.start()
    drive_seconds(engine, 5)
    mid = _mid(engine)
    tp, sl = round(mid * 1.01, 1), round(mid * 0.99, 1)
    result = await engine.execute(PlaceOrder(BTC, "buy", 0.01, take_profit=tp, stop_loss=sl))
    assert result.ok, result.message
    await engine.wal.close()
    trade = engine.core.open_trades[BTC]
    assert trade.strategy == "manual"
    assert trade.entry_reasons == (ReasonCode.MANUAL_ENTRY,)
    rules = engine.core.exits.rules(BTC)
    assert rules is not None and (rules.take_profit, rules.stop_loss) == (tp, sl)
    records = _records(engine)
    command = next(r for r in records if r["type"] == "command" and r["command"] == "PlaceOrder")
    order = next(r for r in records if r["type"] == "order")
    assert command["seq"] < order["seq"], "the command is journaled before the order it causes"
    assert (order["strategy"], order["reason"], order["qty"]) == ("manual", "MANUAL_ENTRY", 0.01)
    engine.publish_snapshot()
    assert [(p.symbol, p.strategy, p.stop_loss) for p in engine.snapshot.positions] == [(BTC, "manual", sl)]


def test_a_notional_size_becomes_whole_lots_at_the_price_it_crosses(engine: Engine) -> None:
    drive_seconds(engine, 5)
    result = engine.apply(PlaceOrder(BTC, "buy", notional=1000.0))
    assert result.ok, result.message
    order = next(iter(engine.core.orders.values()))
    lot = engine.core.rules[BTC].lot_size
    assert order.qty == pytest.approx(round(order.qty / lot) * lot)
    assert order.qty * _mid(engine) <= 1000.0 < (order.qty + lot) * _mid(engine) * 1.001


@pytest.mark.parametrize(("command", "line"), [
    (PlaceOrder(BTC, "buy", 0.0), "size is 0"),
    (PlaceOrder(BTC, "buy", 0.0105), "off BTC/USDT's 0.001 lot grid (nearest 0.01 or 0.011)"),
    (PlaceOrder("DOGE/USDT", "buy", 1.0), "unknown symbol 'DOGE/USDT'; this engine trades BTC/USDT, ETH/USDT"),
    (PlaceOrder(BTC, "buy", 0.01, price=90_000.0), "would cross the book that far: the band is"),
    (PlaceOrder(BTC, "sell", 0.01, price=40_000.0), "below the mid"),
    (PlaceOrder(BTC, "buy", 0.01, price=64_000.05), "off BTC/USDT's 0.1 tick grid"),
    (PlaceOrder(BTC, "buy", 0.01, stop_loss=90_000.0), "a long's stop is lower"),
    (PlaceOrder(BTC, "sell", 0.01, take_profit=90_000.0), "a short's target is lower"),
    (PlaceOrder(BTC, "buy", 0.01, notional=500.0), "a quantity or as a notional, not both"),
])
def test_invalid_input_is_refused_in_one_line_and_sends_nothing(
        engine: Engine, command: PlaceOrder, line: str) -> None:
    drive_seconds(engine, 5)
    preview = asyncio.run(engine.execute(PreviewOrder(command)))
    assert not preview.ok and preview.preview is None
    assert line in preview.message and "\n" not in preview.message
    placed = engine.apply(command)
    assert not placed.ok and line in placed.message
    assert not engine.core.orders
    records = _records(engine)
    assert not [r for r in records if r["type"] == "order"]


def test_a_preview_journals_nothing_and_spends_no_client_id(engine: Engine) -> None:
    drive_seconds(engine, 5)
    seq = engine.wal.last_seq
    result = asyncio.run(engine.execute(PreviewOrder(PlaceOrder(BTC, "buy", 0.01))))
    assert result.ok and result.preview is not None
    assert engine.wal.last_seq == seq
    preview = result.preview
    assert (preview.qty, preview.order_type, preview.liquidity, preview.gate_code) == (0.01, "market", "taker", "")
    assert preview.notional == pytest.approx(0.01 * preview.price)
    assert preview.fee == pytest.approx(preview.notional * engine.core.rules[BTC].taker_fee)
    assert preview.stop_loss_default and preview.stop_loss is not None and preview.stop_loss < preview.price
    assert preview.risk_to_stop is not None and preview.risk_to_stop > 0.01 * (preview.price - preview.stop_loss)
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01)).message.startswith("order s1o1 sent")


def test_the_gates_refusal_is_previewed_with_its_reason_code_and_journaled_when_placed(engine: Engine) -> None:
    drive_seconds(engine, 5)
    engine.apply(Kill("test"))
    preview = asyncio.run(engine.execute(PreviewOrder(PlaceOrder(BTC, "buy", 0.01))))
    assert not preview.ok and preview.preview is not None
    assert (preview.preview.gate_code, preview.preview.trading_state) == ("RISK_REDUCE_ONLY", "HALTED")
    placed = engine.apply(PlaceOrder(BTC, "buy", 0.01))
    assert not placed.ok and "RISK_REDUCE_ONLY" in placed.message
    rejected = [r for r in _records(engine) if r["type"] == "order_rejected"]
    assert rejected[-1]["code"] == "RISK_REDUCE_ONLY" and rejected[-1]["strategy"] == "manual"


def test_an_order_into_an_open_position_keeps_the_positions_exits(engine: Engine) -> None:
    drive_seconds(engine, 5)
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01, stop_loss=round(_mid(engine) * 0.99, 1))).ok
    _release(engine)
    rules = engine.core.exits.rules(BTC)
    assert rules is not None
    refused = engine.apply(PlaceOrder(BTC, "buy", 0.01, stop_loss=round(_mid(engine) * 0.98, 1)))
    assert not refused.ok and "move its exits instead" in refused.message
    preview = asyncio.run(engine.execute(PreviewOrder(PlaceOrder(BTC, "buy", 0.01))))
    assert preview.preview is not None and preview.preview.stop_loss == rules.stop_loss
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01)).ok
    _release(engine)
    assert engine.core.portfolio.position(BTC).qty == pytest.approx(0.02)
    assert engine.core.exits.rules(BTC) == rules


def test_moved_exits_are_journaled_and_fire_at_the_new_level(engine: Engine) -> None:
    drive_seconds(engine, 5)
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01, take_profit=_mid(engine) * 1.05,
                                   stop_loss=_mid(engine) * 0.95)).ok
    _release(engine)
    mid = _mid(engine)
    wrong = engine.apply(SetExits(BTC, take_profit=mid * 1.01, stop_loss=mid * 1.001))
    assert not wrong.ok and "a long's stop is lower" in wrong.message
    tick = engine.core.rules[BTC].tick_size
    moved = engine.apply(SetExits(BTC, take_profit=mid + tick, stop_loss=mid - tick))
    assert moved.ok, moved.message
    records = _records(engine)
    assert records[-1]["type"] == "exit_rules" and records[-1]["stop_loss"] == mid - tick
    for _ in range(20):
        drive_seconds(engine, 1)
        if BTC not in engine.core.open_trades:
            break
    closed = [r for r in _records(engine) if r["type"] == "trade_closed"]
    assert closed and closed[-1]["strategy"] == "manual"
    assert closed[-1]["exit_reason"] in ("TAKE_PROFIT", "STOP_LOSS")


def test_exits_of_a_symbol_without_a_position_cannot_move(engine: Engine) -> None:
    drive_seconds(engine, 5)
    result = engine.apply(SetExits(BTC, take_profit=1.0, stop_loss=None))
    assert not result.ok and "no open position" in result.message


def test_cancelling_one_order_leaves_the_others_working(engine: Engine) -> None:
    drive_seconds(engine, 5)
    below = round(_mid(engine) * 0.995, 1)
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01, price=below)).ok
    assert engine.apply(PlaceOrder("ETH/USDT", "buy", 0.1, price=round(_mid(engine, "ETH/USDT") * 0.995, 2))).ok
    _release(engine)
    btc_order, eth_order = list(engine.core.orders)
    assert not engine.apply(CancelOrder("nope")).ok
    result = engine.apply(CancelOrder(btc_order))
    assert result.ok, result.message
    assert list(engine.core.orders) == [eth_order]
    updates = [r for r in _records(engine) if r["type"] == "order_update"]
    assert (updates[-1]["client_id"], updates[-1]["status"]) == (btc_order, OrderStatus.CANCELLED.value)


def test_a_strategys_opposite_signal_does_not_close_the_operators_trade(engine: Engine) -> None:
    drive_seconds(engine, 5)
    mid = _mid(engine)
    assert engine.apply(PlaceOrder(BTC, "buy", 0.01, take_profit=round(mid * 1.2, 1),
                                   stop_loss=round(mid * 0.8, 1))).ok
    _release(engine)
    opened = len(engine.core.signal_history)
    drive_seconds(engine, 180)
    opposite = [s for s in list(engine.core.signal_history)[opened:]
                if s.decision.signal.symbol == BTC and s.decision.signal.side.value == "sell" and s.decision.accepted]
    assert opposite, "the market must give a strategy a reason to sell for this test to mean anything"
    assert all(s.outcome != (ReasonCode.SIGNAL_REVERSAL.value,) for s in opposite)
    assert engine.core.open_trades[BTC].strategy == "manual"


def test_a_position_limit_refusal_names_the_limits_and_what_is_held(engine: Engine) -> None:
    drive_seconds(engine, 5)
    risk = engine.core.settings.risk
    too_much = round(risk.max_position_notional / _mid(engine) * 1.5, 3)
    preview = asyncio.run(engine.execute(PreviewOrder(PlaceOrder(BTC, "buy", too_much))))
    assert not preview.ok and preview.preview is not None and preview.preview.gate_code == "RISK_MAX_POSITION"
    limit = f"{risk.max_position_notional:,.0f} USDT at the mark"
    assert preview.preview.gate_reason == f"BTC/USDT allows a position of at most {limit}; it holds 0 BTC"
    assert preview.message.endswith(f"would refuse it: RISK_MAX_POSITION ({preview.preview.gate_reason})")
    placed = engine.apply(PlaceOrder(BTC, "buy", too_much))
    assert not placed.ok
    assert placed.message == (f"rejected by the risk gate: RISK_MAX_POSITION (BTC/USDT allows a position of at most "
                              f"{limit}; it holds 0 BTC)")
