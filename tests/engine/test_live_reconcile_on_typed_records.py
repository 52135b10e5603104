"""LIVE reconciliation on its own, on typed records: the orders a journal left open (folded from
typed WAL records and restored into a core) lined up with what the exchange answers. An order
the exchange does not know is recorded not found and never re-sent; one it knows is adopted
with its exchange id, fills and trade ids; one that ended while the engine was away is said;
an open order the engine did not send is reported (and cancelled when asked); the engine is
REDUCING until the end and ACTIVE after it, and every difference is journaled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.execution.broker import BrokerCapabilities
from hft_tui.execution.ccxt_broker import exchange_client_id
from hft_tui.model import Fill, Liquidity, MarketRules, Order, OrderStatus, OrderType, Side
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.live_reconcile import reconcile_with_exchange
from hft_tui.session.recovery import recover_state
from hft_tui.trading.core import TradingCore
from hft_tui.trading.state import RecoveredState, export_state, restore_state
from hft_tui.wal.record import WalRecord
from hft_tui.wal.record_types import FillBooked, OrderPlaced, OrderUpdate, Record, SessionStarted
from hft_tui.wal.writer import WalWriter

BTC = "BTC/USDT"
T0 = 1_767_225_600_000_000_000
RULES = {BTC: MarketRules(BTC, tick_size=0.1, lot_size=0.001, min_qty=0.001, min_notional=5.0)}


class ExchangeAnswers:
    """The exchange as reconciliation asks it: orders by client id (ccxt order structures),
    open orders per symbol; and what reconciliation then asked the broker to do."""

    name = "answers"
    capabilities = BrokerCapabilities(synchronous=False)

    def __init__(self, orders: Mapping[str, dict[str, Any]], open_orders: list[dict[str, Any]]) -> None:
        self.orders = dict(orders)
        self.open_orders = open_orders
        self.adopted: list[tuple[str, list[str]]] = []
        self.absorbed: list[str] = []
        self.trades_asked: list[str] = []
        self.cancelled_foreign: list[str] = []

    async def find_order(self, symbol: str, client_id: str, exchange_id: str = "",
                         *, attempts: int = 20) -> dict[str, Any] | None:
        return self.orders.get(client_id)

    def adopt(self, order: Order, trade_ids: Iterable[str] = ()) -> None:
        self.adopted.append((order.client_id, list(trade_ids)))

    async def absorb(self, client_id: str, raw: Mapping[str, Any], *, priority: bool = False) -> None:
        self.absorbed.append(client_id)

    async def fetch_order_trades(self, client_id: str) -> None:
        self.trades_asked.append(client_id)

    async def fetch_open_orders(self, symbol: str | None = None, *, priority: bool = False) -> list[dict[str, Any]]:
        return [raw for raw in self.open_orders if raw["symbol"] == symbol]

    async def cancel_foreign(self, raw: Mapping[str, Any]) -> None:
        self.cancelled_foreign.append(raw["id"])


def _order(client_id: str, qty: float = 0.004) -> Order:
    return Order(client_id, BTC, Side.BUY, OrderType.LIMIT, qty, 50_000.0, T0, strategy="trend")


def _fill(client_id: str, trade_id: str, qty: float) -> FillBooked:
    return FillBooked.of(Fill(client_id, BTC, Side.BUY, qty, 50_000.0, 0.05, Liquidity.MAKER, T0 + 1,
                              strategy="trend", trade_id=trade_id), 0.0)


def _journal(*records: Record) -> list[WalRecord]:
    return [WalRecord(seq, "2026-01-01T00:00:00.000000Z", r.TYPE, r.to_payload()) for seq, r in enumerate(records, 1)]


def _raw(client_id: str, exchange_id: str, status: str, filled: float) -> dict[str, Any]:
    return {"id": exchange_id, "clientOrderId": exchange_client_id(client_id), "symbol": BTC,
            "status": status, "filled": filled, "side": "buy", "amount": 0.004, "price": 50_000.0}


def _restored(tmp_path: Path, exchange: ExchangeAnswers) -> tuple[TradingCore, WalWriter, RecoveredState]:
    """A LIVE core the journal's state was restored into, its WAL, and that state."""
    resting = _order("s1o1")
    journal = _journal(
        SessionStarted(mode="LIVE", exchange="x", symbols=[BTC], source="ccxt", session=1),
        # s1o1: acknowledged, partly filled (t1), resting; s1o2: an intent that never left;
        # s1o3: acknowledged, filled on the exchange while the engine was away.
        OrderPlaced.of(resting, "TREND_STRONG_UP", 50_000.0, None),
        OrderUpdate.acknowledged(replace(resting, status=OrderStatus.OPEN, exchange_id="x1")),
        _fill("s1o1", "t1", 0.001),
        OrderPlaced.of(_order("s1o2"), "TREND_STRONG_UP", 50_000.0, None),
        OrderPlaced.of(_order("s1o3"), "TREND_STRONG_UP", 50_000.0, None),
        OrderUpdate.acknowledged(replace(_order("s1o3"), status=OrderStatus.OPEN, exchange_id="x3")),
    )
    clock = FrozenClock(T0 + 10)
    wal = WalWriter(tmp_path / "wal", clock)
    core = TradingCore(load_settings(None, {}), clock=clock, wal=wal, rules=RULES, exchange_id="binance",
                       broker=exchange)  # type: ignore[arg-type] - answers only what reconciliation asks
    recovered = recover_state(journal)
    restore_state(core, recovered)
    return core, wal, recovered


def _reconcile(tmp_path: Path, exchange: ExchangeAnswers, *, cancel_orphans: bool = False,
               ) -> tuple[TradingCore, list[str], list[WalRecord], list[TradingState]]:
    """Restore the journal's state into a LIVE core, reconcile; the core, the differences, what
    reconciliation journaled and the trading state it held while the exchange answered."""
    core, wal, _ = _restored(tmp_path, exchange)
    states: list[TradingState] = []
    find_order = exchange.find_order

    async def watched(symbol: str, client_id: str, exchange_id: str = "", *, attempts: int = 20) -> Any:
        states.append(core.state.state)
        return await find_order(symbol, client_id, exchange_id, attempts=attempts)
    exchange.find_order = watched  # type: ignore[method-assign]
    before = wal.last_seq
    differences = asyncio.run(reconcile_with_exchange(core, exchange, cancel_orphans=cancel_orphans))  # type: ignore[arg-type]
    written = [r for r in wal.tail(1000) if r.seq > before]
    wal.close_sync()
    return core, differences, written, states


def _answers() -> ExchangeAnswers:
    return ExchangeAnswers({"s1o1": _raw("s1o1", "x1", "open", 0.001), "s1o3": _raw("s1o3", "x3", "closed", 0.004)},
                           [_raw("s1o1", "x1", "open", 0.001),
                            {"id": "f1", "clientOrderId": "someone-else", "symbol": BTC, "side": "sell",
                             "amount": 0.01, "price": 60_000.0, "status": "open"}])


def test_orders_are_adopted_with_their_trade_ids_or_recorded_not_found_never_resent(tmp_path: Path) -> None:
    exchange = _answers()
    core, differences, written, _ = _reconcile(tmp_path, exchange)

    assert exchange.adopted == [("s1o1", ["t1"]), ("s1o3", [])]
    adopted = core.orders["s1o1"]
    assert (adopted.exchange_id, adopted.filled_qty, adopted.status) == ("x1", 0.001, OrderStatus.NEW)
    assert core.bookkeeping.trade_ids["s1o1"] == ["t1"]
    assert exchange.absorbed == ["s1o1", "s1o3"], "the exchange's word on each order it knows is taken"
    assert exchange.trades_asked == ["s1o1", "s1o3"], "fills the journal may lack are fetched"
    assert "s1o2" not in core.orders and not core.bookkeeping.recovered
    assert core.take_orders() == [] and core.take_cancels() == [], "nothing is re-sent or cancelled"

    (not_found,) = [r for r in written if r.type == "order_update"]
    assert (not_found.payload["client_id"], not_found.payload["reason"]) == ("s1o2", "RECONCILED_NOT_FOUND")
    assert differences[0] == f"order s1o2 ({BTC}) never reached the exchange: recorded cancelled"
    assert differences[1].startswith(f"order s1o3 ({BTC}) was filled on the exchange while we were away")
    assert differences[2].startswith(f"open order on the exchange not sent by this engine: {BTC} sell 0.01")
    assert len(differences) == 3 and exchange.cancelled_foreign == []
    (reconciled,) = [r for r in written if r.type == "reconcile"]
    assert reconciled.payload["differences"] == differences


def test_the_engine_is_reducing_while_reconciling_and_active_after(tmp_path: Path) -> None:
    core, _, written, states = _reconcile(tmp_path, _answers())
    assert states == [TradingState.REDUCING] * 3
    assert core.state.state is TradingState.ACTIVE and not core.risk.holds
    holds = [r.payload for r in written if r.type == "hold"]
    assert [h["key"] for h in holds] == ["reconcile", "reconcile"] and holds[-1]["released"] is True
    assert not [r for r in written if r.type == "notice"], "a routine reconciliation is journaled, not a notice"


def test_a_foreign_open_order_is_cancelled_when_asked(tmp_path: Path) -> None:
    exchange = _answers()
    _, differences, _, _ = _reconcile(tmp_path, exchange, cancel_orphans=True)
    assert exchange.cancelled_foreign == ["f1"]
    assert differences[-1].endswith(": cancelled (exchange.cancel_orphans_on_start)")


def test_a_snapshot_keeps_every_open_order_in_the_shape_recovery_gave_before_and_after_reconciling(
        tmp_path: Path) -> None:
    exchange = _answers()
    core, wal, recovered = _restored(tmp_path, exchange)
    assert list(recovered.open_orders) == ["s1o1", "s1o2", "s1o3"]
    assert export_state(core).open_orders == recovered.open_orders, "awaiting reconciliation: as recovered"
    asyncio.run(reconcile_with_exchange(core, exchange))  # type: ignore[arg-type]
    wal.close_sync()
    after = export_state(core).open_orders
    # s1o2 never reached the exchange; s1o1 and s1o3 are working again, each with its placed
    # reason, exchange id, what was filled and its trade ids (what the exchange says next is the
    # broker's to report).
    assert after == {c: recovered.open_orders[c] for c in ("s1o1", "s1o3")}
    assert (after["s1o1"].reason, after["s1o1"].trade_ids, after["s1o1"].order.exchange_id) == (
        "TREND_STRONG_UP", ("t1",), "x1")
