"""Transaction cost analysis: what a trade should cost before, and what it cost after.

Pre-trade is the fee model's estimate (fee + half spread + visible-book impact).
Post-trade measures each order against its arrival price (the mid when the engine decided
to trade): implementation shortfall in bps, signed so that worse = positive, plus fees,
maker share and the latency to the first fill. ``TcaAggregator`` folds every fill into
per-strategy and per-reason-code aggregates; its ``to_payload()`` goes into the WAL with
each fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hft_tui.execution.fee_model import CostEstimate, FeeModel
from hft_tui.model import Fill, Liquidity, Order, OrderBook, Side


def pre_trade(
    book: OrderBook,
    side: Side,
    qty: float,
    fee_model: FeeModel,
    liquidity: Liquidity = Liquidity.TAKER,
) -> CostEstimate | None:
    """Expected cost of trading ``qty`` now; None without a two-sided book."""
    return fee_model.estimate_cost(book, side, qty, liquidity)


@dataclass(frozen=True, slots=True)
class TcaRecord:
    """Post-trade costs of one order so far (``complete`` once the order is final)."""

    client_id: str
    symbol: str
    strategy: str
    reason: str
    side: Side
    ordered_qty: float
    filled_qty: float
    arrival_price: float
    avg_fill_price: float
    shortfall_bps: float
    fees_quote: float
    fee_bps: float
    maker_share: float
    fill_latency_ms: float | None
    decision_ts_ns: int
    complete: bool

    @property
    def total_cost_bps(self) -> float:
        """Shortfall plus fees, in bps of the arrival notional."""
        return self.shortfall_bps + self.fee_bps

    def to_payload(self) -> dict[str, Any]:
        """The record as a plain dict for the WAL."""
        return {
            "client_id": self.client_id,
            "symbol": self.symbol,
            "strategy": self.strategy,
            "reason": self.reason,
            "side": self.side.value,
            "ordered_qty": self.ordered_qty,
            "filled_qty": self.filled_qty,
            "arrival_price": self.arrival_price,
            "avg_fill_price": self.avg_fill_price,
            "shortfall_bps": self.shortfall_bps,
            "fees_quote": self.fees_quote,
            "fee_bps": self.fee_bps,
            "maker_share": self.maker_share,
            "fill_latency_ms": self.fill_latency_ms,
            "decision_ts_ns": self.decision_ts_ns,
            "complete": self.complete,
        }


@dataclass(frozen=True, slots=True)
class TcaAggregate:
    """Costs over many orders; averages are weighted by arrival notional (or by quantity)."""

    orders: int
    filled_qty: float
    arrival_notional_quote: float
    avg_shortfall_bps: float
    fees_quote: float
    maker_share: float

    def to_payload(self) -> dict[str, Any]:
        """The aggregate as a plain dict for the WAL."""
        return {
            "orders": self.orders,
            "filled_qty": self.filled_qty,
            "arrival_notional_quote": self.arrival_notional_quote,
            "avg_shortfall_bps": self.avg_shortfall_bps,
            "fees_quote": self.fees_quote,
            "maker_share": self.maker_share,
        }


class _OrderCosts:
    """Running sums of one order's fills."""

    __slots__ = ("order", "reason", "arrival_price", "decision_ts_ns", "filled_qty",
                 "fill_notional", "fees", "maker_qty", "first_fill_ts_ns")

    def __init__(self, order: Order, reason: str, arrival_price: float, decision_ts_ns: int) -> None:
        self.order = order
        self.reason = reason
        self.arrival_price = arrival_price
        self.decision_ts_ns = decision_ts_ns
        self.filled_qty = 0.0
        self.fill_notional = 0.0
        self.fees = 0.0
        self.maker_qty = 0.0
        self.first_fill_ts_ns: int | None = None

    def record(self, complete: bool) -> TcaRecord:
        order = self.order
        filled = self.filled_qty
        arrival = self.arrival_price
        avg = self.fill_notional / filled if filled > 0.0 else 0.0
        arrival_notional = arrival * filled
        if arrival_notional > 0.0:
            shortfall_bps = (avg - arrival) * order.side.sign / arrival * 1e4
            fee_bps = self.fees / arrival_notional * 1e4
        else:
            shortfall_bps = fee_bps = 0.0
        latency_ms = (None if self.first_fill_ts_ns is None
                      else (self.first_fill_ts_ns - self.decision_ts_ns) / 1e6)
        return TcaRecord(
            client_id=order.client_id,
            symbol=order.symbol,
            strategy=order.strategy,
            reason=self.reason,
            side=order.side,
            ordered_qty=order.qty,
            filled_qty=filled,
            arrival_price=arrival,
            avg_fill_price=avg,
            shortfall_bps=shortfall_bps,
            fees_quote=self.fees,
            fee_bps=fee_bps,
            maker_share=self.maker_qty / filled if filled > 0.0 else 0.0,
            fill_latency_ms=latency_ms,
            decision_ts_ns=self.decision_ts_ns,
            complete=complete,
        )


class _Totals:
    """Running sums behind one ``TcaAggregate``."""

    __slots__ = ("orders", "filled_qty", "arrival_notional", "shortfall_quote", "fees", "maker_qty")

    def __init__(self) -> None:
        self.orders = 0
        self.filled_qty = 0.0
        self.arrival_notional = 0.0
        self.shortfall_quote = 0.0
        self.fees = 0.0
        self.maker_qty = 0.0

    def snapshot(self) -> TcaAggregate:
        notional = self.arrival_notional
        return TcaAggregate(
            orders=self.orders,
            filled_qty=self.filled_qty,
            arrival_notional_quote=notional,
            avg_shortfall_bps=self.shortfall_quote / notional * 1e4 if notional > 0.0 else 0.0,
            fees_quote=self.fees,
            maker_share=self.maker_qty / self.filled_qty if self.filled_qty > 0.0 else 0.0,
        )


class TcaAggregator:
    """Per-order TCA records and their per-strategy and per-reason-code aggregates.

    The engine calls ``on_decision`` when it sends an order (with the mid it decided on and
    the signal's reason code), then forwards the broker's fills and order updates. Fills of
    orders it was never told about (e.g. from before a restart) have no arrival price and
    are ignored. An order counts in the aggregates from its first fill.
    """

    def __init__(self) -> None:
        self._open: dict[str, _OrderCosts] = {}
        self._by_strategy: dict[str, _Totals] = {}
        self._by_reason: dict[str, _Totals] = {}

    def on_decision(self, order: Order, arrival_price: float, reason: str, decision_ts_ns: int) -> None:
        """Start measuring ``order`` against ``arrival_price`` (the mid at decision time)."""
        self._open[order.client_id] = _OrderCosts(order, reason, arrival_price, decision_ts_ns)

    def on_fill(self, fill: Fill) -> TcaRecord | None:
        """Fold ``fill`` in; the order's updated record, or None if the order is unknown."""
        costs = self._open.get(fill.client_id)
        if costs is None:
            return None
        first = costs.first_fill_ts_ns is None
        if first:
            costs.first_fill_ts_ns = fill.ts_ns
        costs.filled_qty += fill.qty
        costs.fill_notional += fill.price * fill.qty
        costs.fees += fill.fee
        maker_qty = fill.qty if fill.liquidity is Liquidity.MAKER else 0.0
        costs.maker_qty += maker_qty
        arrival_notional = costs.arrival_price * fill.qty
        shortfall = (fill.price - costs.arrival_price) * fill.qty * fill.side.sign
        for totals in (self._totals(self._by_strategy, costs.order.strategy),
                       self._totals(self._by_reason, costs.reason)):
            if first:
                totals.orders += 1
            totals.filled_qty += fill.qty
            totals.arrival_notional += arrival_notional
            totals.shortfall_quote += shortfall
            totals.fees += fill.fee
            totals.maker_qty += maker_qty
        return costs.record(complete=False)

    def on_order(self, order: Order) -> TcaRecord | None:
        """Track the order's state; when it is final, its last record (and stop tracking it)."""
        costs = self._open.get(order.client_id)
        if costs is None:
            return None
        costs.order = order
        if not order.status.is_terminal:
            return None
        del self._open[order.client_id]
        return costs.record(complete=True)

    def record(self, client_id: str) -> TcaRecord | None:
        """The running record of an order still being tracked."""
        costs = self._open.get(client_id)
        return None if costs is None else costs.record(complete=False)

    def by_strategy(self) -> dict[str, TcaAggregate]:
        """Aggregates per strategy name."""
        return {name: totals.snapshot() for name, totals in sorted(self._by_strategy.items())}

    def by_reason(self) -> dict[str, TcaAggregate]:
        """Aggregates per decision reason code."""
        return {code: totals.snapshot() for code, totals in sorted(self._by_reason.items())}

    def to_payload(self) -> dict[str, Any]:
        """Both aggregate tables as plain dicts, keys sorted, for the WAL."""
        return {
            "by_strategy": {k: v.to_payload() for k, v in self.by_strategy().items()},
            "by_reason": {k: v.to_payload() for k, v in self.by_reason().items()},
        }

    @staticmethod
    def _totals(table: dict[str, _Totals], key: str) -> _Totals:
        totals = table.get(key)
        if totals is None:
            totals = table[key] = _Totals()
        return totals
