"""Live mode after a restart: compare what the WAL says is open with what the exchange says.

Orders the WAL has open and the exchange still has open are adopted again (so the kill
switch can cancel them); orders that are gone, orders on the exchange that we never sent,
and balances that disagree with the recovered positions are reported and journaled as
``reconcile`` differences. Nothing on the exchange is changed here: the operator decides.
"""

from __future__ import annotations

from typing import Any

from hft_tui.core import TradingCore
from hft_tui.execution.ccxt_broker import CcxtBroker, exchange_client_id, order_from_ccxt
from hft_tui.model import Order, OrderStatus, OrderType, Side

# A base balance within this many lots of the recovered position counts as equal.
BALANCE_TOLERANCE_LOTS = 1.0


async def reconcile_with_exchange(core: TradingCore, broker: CcxtBroker) -> list[str]:
    """Differences between the recovered state and the exchange, already journaled."""
    differences: list[str] = []
    on_exchange: dict[str, dict[str, Any]] = {}
    for symbol in core.symbols:
        for raw in await broker.fetch_open_orders(symbol):
            on_exchange[str(raw.get("clientOrderId") or raw.get("id"))] = raw
    ours = set()
    for client_id, record in core.recovered_open_orders.items():
        xid = exchange_client_id(client_id)
        ours.add(xid)
        raw = on_exchange.get(xid)
        if raw is None:
            differences.append(f"order {client_id} ({record['symbol']}) is no longer open on the exchange")
            core.wal.append("order_update", {"client_id": client_id, "symbol": record["symbol"],
                                             "status": "cancelled", "reason": "RECONCILED_NOT_OPEN"})
            continue
        order = order_from_ccxt(_order_from_record(record), raw)
        core.orders[client_id] = order
        broker.adopt(order)
    for xid, raw in on_exchange.items():
        if xid not in ours:
            differences.append(f"open order on the exchange not sent by this engine: {raw.get('symbol')} "
                               f"{raw.get('side')} {raw.get('amount')} @ {raw.get('price')} (id {raw.get('id')})")
    differences += await _balance_differences(core, broker)
    core.recovered_open_orders = {}
    core.wal.append("reconcile", {"differences": differences})
    return differences


def _order_from_record(record: dict[str, Any]) -> Order:
    return Order(
        client_id=record["client_id"], symbol=record["symbol"], side=Side(record["side"]),
        type=OrderType(record.get("order_type", "market")), qty=float(record["qty"]),
        price=record.get("price"), created_ts_ns=0, strategy=record.get("strategy", ""),
        reduce_only=bool(record.get("reduce_only", False)), status=OrderStatus.OPEN,
    )


async def _balance_differences(core: TradingCore, broker: CcxtBroker) -> list[str]:
    """Spot only: the base asset's balance should match the recovered position."""
    spot = {s: r for s, r in core.rules.items() if r.spot and r.base}
    if not spot:
        return []
    balances = await broker.fetch_balance()
    differences = []
    for symbol, rules in spot.items():
        held = balances.get(rules.base, (0.0, 0.0))[1]
        expected = core.portfolio.position(symbol).qty
        if abs(held - expected) > BALANCE_TOLERANCE_LOTS * rules.lot_size:
            differences.append(f"{rules.base} balance {held:g} but the recovered {symbol} position is {expected:g}")
    return differences
