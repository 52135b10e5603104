"""The core's book-keeping of its own orders, apart from what they mean for a position:

- client ids: a per-install prefix (live: no two state dirs, machines or restarts on one
  account ever send the same id), the session, a running number;
- the working orders by client id, from the journaled intent until the order ends, and for
  each the trade ids booked for it (a state snapshot names them, so a live restart never
  books one of them again);
- live orders an earlier session left open, until reconciliation adopts them or finds them
  gone (until then they are open as far as the journal knows);
- the outboxes: intents journaled but not yet released to the broker, and cancels for the
  engine's cancel lane (an asynchronous broker's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from hft_tui.model import Fill, Order


class OrderBookkeeping:
    """Which orders the core has sent, which are still working, and what waits to go out."""

    def __init__(self, session_id: str = "s1", client_id_prefix: str = "") -> None:
        self.session_id = session_id
        self.client_id_prefix = client_id_prefix
        self._seq = 0
        self._working: dict[str, Order] = {}
        self._trade_ids: dict[str, list[str]] = {}
        self._recovered: dict[str, dict[str, Any]] = {}
        self._intents: list[Order] = []
        self._cancels: list[str] = []
        self.working: Mapping[str, Order] = MappingProxyType(self._working)
        self.trade_ids: Mapping[str, list[str]] = MappingProxyType(self._trade_ids)
        self.recovered: Mapping[str, dict[str, Any]] = MappingProxyType(self._recovered)

    def next_client_id(self) -> str:
        self._seq += 1
        return f"{self.client_id_prefix}{self.session_id}o{self._seq}"

    # --- working orders ---------------------------------------------------------------------

    def sent(self, order: Order, *, queue: bool) -> None:
        """A journaled intent: working from now on, queued for release unless the caller
        hands it to the broker itself."""
        self._working[order.client_id] = order
        if queue:
            self._intents.append(order)

    def updated(self, order: Order) -> Order | None:
        """The broker's latest state of ``order``; returns the state known before it. An
        order that ended is no longer working."""
        known = self._working.get(order.client_id)
        if order.status.is_terminal:
            self._working.pop(order.client_id, None)
            self._trade_ids.pop(order.client_id, None)
        else:
            self._working[order.client_id] = order
        return known

    def booked(self, fill: Fill) -> None:
        """A fill booked: its trade id belongs to its order while the order works."""
        if fill.trade_id and fill.client_id in self._working:
            self._trade_ids.setdefault(fill.client_id, []).append(fill.trade_id)

    def open_orders(self) -> list[Order]:
        return [o for o in self._working.values() if o.is_open]

    def has_open(self, symbol: str, *, reduce_only: bool = False) -> bool:
        """An open order on ``symbol`` (with ``reduce_only``: a reduce-only one)."""
        return any(o.symbol == symbol and o.is_open and (o.reduce_only or not reduce_only)
                   for o in self._working.values())

    # --- live restarts ----------------------------------------------------------------------

    def expect(self, recovered: Mapping[str, Mapping[str, Any]]) -> None:
        """Live orders the journal says were open when the last session ended (records as
        the state snapshot holds them), to reconcile with the exchange."""
        self._recovered.update({client_id: dict(record) for client_id, record in recovered.items()})

    def adopt(self, order: Order, trade_ids: Iterable[str]) -> None:
        """Reconciliation found a recovered order open on the exchange: working again, with
        the trade ids an earlier session booked for it."""
        self._recovered.pop(order.client_id, None)
        self._working[order.client_id] = order
        self._trade_ids[order.client_id] = list(trade_ids)

    def gone(self, client_id: str) -> None:
        """Reconciliation found a recovered order unknown to the exchange (journaled by it)."""
        self._recovered.pop(client_id, None)

    # --- outboxes ---------------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        return bool(self._intents) or bool(self._cancels)

    @property
    def has_intents(self) -> bool:
        return bool(self._intents)

    def take_intents(self) -> list[Order]:
        """The journaled intents, handed over once."""
        intents, self._intents = self._intents, []
        return intents

    def requeue(self, intents: Iterable[Order]) -> None:
        """Intents taken but kept for the broker after all (the journal failed: exits only)."""
        self._intents.extend(intents)

    def cancel(self, client_id: str) -> None:
        """Queue a journaled cancel for the engine's cancel lane."""
        self._cancels.append(client_id)

    def take_cancels(self) -> list[str]:
        cancels, self._cancels = self._cancels, []
        return cancels
