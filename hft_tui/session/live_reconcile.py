"""LIVE after a restart or a reconnect: line the journal up with the exchange, never invent.

Every order the WAL says was sent and is not terminal is looked up on the exchange, by its
exchange id when the WAL has one, else by its client id (an intent that was durable but may
never have left the process is found this way, or not at all). Then:

- its executions the WAL does not have are booked (trade ids the WAL has are skipped);
- it is marked done only as the exchange reports it (filled, cancelled, expired, rejected);
- still open, it is followed again (so the kill switch and flatten can reach it);
- not known to the exchange, it never arrived: recorded cancelled ``RECONCILED_NOT_FOUND``
  (nothing is ever re-sent: a decision from before a crash is stale).

Open orders on the traded symbols that this engine did not send are reported (and cancelled
when ``exchange.cancel_orphans_on_start``). Lookups retry through 429s and timeouts; the
engine is held REDUCING until reconciliation has finished.
"""

from __future__ import annotations

from hft_tui.execution.broker import ExchangeBroker
from hft_tui.execution.ccxt_broker import exchange_client_id, order_report
from hft_tui.model import ReasonCode
from hft_tui.trading.core import TradingCore
from hft_tui.wal.record_types import OrderUpdate, Reconciled

RECONCILE_HOLD = "reconcile"


async def reconcile_with_exchange(core: TradingCore, broker: ExchangeBroker, *, cancel_orphans: bool = False) -> list[str]:
    """Differences between the recovered state and the exchange, already journaled; raises
    when the exchange cannot be asked (the caller retries; the hold stays)."""
    # Routine at every LIVE start: journaled, not a notice (a difference found is one).
    core.risk.hold(RECONCILE_HOLD, ReasonCode.LIVE_RECONCILING, "reconciling with the exchange", notify=False)
    differences: list[str] = []
    ours = set()
    for client_id, recovered in list(core.bookkeeping.recovered.items()):
        symbol = recovered.order.symbol
        ours.add(exchange_client_id(client_id))
        raw = await broker.find_order(symbol, client_id, recovered.order.exchange_id)
        if raw is None:
            differences.append(f"order {client_id} ({symbol}) never reached the exchange: recorded cancelled")
            core.wal.write(OrderUpdate.not_executed(client_id, symbol, ReasonCode.RECONCILED_NOT_FOUND.value))
            core.bookkeeping.gone(client_id)
            continue
        core.bookkeeping.adopt(recovered)
        broker.adopt(recovered.order, recovered.trade_ids)
        await broker.absorb(client_id, raw)
        if float(raw.get("filled") or 0.0) > 0:
            await broker.fetch_order_trades(client_id)
        report = order_report(raw)
        if report.status is not None and report.status.is_terminal:
            differences.append(f"order {client_id} ({symbol}) was {report.status.value} on the exchange while we "
                               f"were away (filled {report.filled_qty:g})")
    for symbol in core.symbols:
        for raw in await broker.fetch_open_orders(symbol):
            if raw.get("clientOrderId") in ours:
                continue
            text = (f"open order on the exchange not sent by this engine: {raw.get('symbol')} {raw.get('side')} "
                    f"{raw.get('amount')} @ {raw.get('price')} (id {raw.get('id')})")
            if cancel_orphans:
                await broker.cancel_foreign(raw)
                text += ": cancelled (exchange.cancel_orphans_on_start)"
            differences.append(text)
    core.wal.write(Reconciled(differences=differences))
    core.risk.release(RECONCILE_HOLD, "reconciled with the exchange", notify=False)
    return differences

