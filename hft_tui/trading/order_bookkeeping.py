"""The core's book-keeping of its own orders, apart from what they mean for a position:

- client ids: a per-install prefix (live: no two state dirs, machines or restarts on one
  account ever send the same id), the session, a running number;
- the working orders by client id, from the journaled intent until the order ends, and for
  each the reason it was placed for and the trade ids booked for it (a state snapshot names
  them, so a live restart never books one of them again);
- live orders an earlier session left open, until reconciliation adopts them or finds them
  gone (until then they are open as far as the journal knows);
- the outboxes: intents journaled but not yet released to the broker, and cancels for the
  engine's cancel lane (an asynchronous broker's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from hft_tui.model import Fill, Order, RecoveredOrder


class OrderBookkeeping:
    """Which orders the core has sent, which are still working, and what waits to go out."""

    def __init__(self, session_id: str = "s1", client_id_prefix: str = "") -> None:
        self.session_id = session_id
        self.client_id_prefix = client_id_prefix
        self._seq = 0
        self._working: dict[str, Order] = {}
        self._reasons: dict[str, str] = {}
        self._trade_ids: dict[str, list[str]] = {}
        self._recovered: dict[str, RecoveredOrder] = {}
        self._intents: list[Order] = []
        self._cancels: list[str] = []
        self.working: Mapping[str, Order] = MappingProxyType(self._working)
        self.trade_ids: Mapping[str, list[str]] = MappingProxyType(self._trade_ids)
        self.recovered: Mapping[str, RecoveredOrder] = MappingProxyType(self._recovered)

    def next_client_id(self) -> str:
        self._seq += 1
        return f"{self.client_id_prefix}{self.session_id}o{self._seq}"

    # --- working orders ---------------------------------------------------------------------

    def sent(self, order: Order, reason: str, *, queue: bool) -> None:
        """A journaled intent, placed for ``reason``: working from now on, queued for release
        unless the caller hands it to the broker itself."""
        self._working[order.client_id] = order
        self._reasons[order.client_id] = reason
        if queue:
            self._intents.append(order)

    def updated(self, order: Order) -> Order | None:
        """The broker's latest state of ``order``; returns the state known before it. An
        order that ended is no longer working."""
        known = self._working.get(order.client_id)
        if order.status.is_terminal:
            self._working.pop(order.client_id, None)
            self._reasons.pop(order.client_id, None)
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

    def open_at_restart(self) -> dict[str, RecoveredOrder]:
        """Every order open as far as the journal knows, as a restart reads it: the working ones,
        then the live ones recovered but not yet reconciled."""
        recovered = {client_id: RecoveredOrder(order, self._reasons.get(client_id, ""),
                                               tuple(self._trade_ids.get(client_id, ())))
                     for client_id, order in self._working.items() if order.is_open}
        recovered.update(self._recovered)
        return recovered

    def expect(self, recovered: Mapping[str, RecoveredOrder]) -> None:
        """Live orders the journal says were open when the last session ended, to reconcile
        with the exchange."""
        self._recovered.update(recovered)

    def adopt(self, recovered: RecoveredOrder) -> None:
        """Reconciliation found a recovered order open on the exchange: working again, with
        the reason it was placed for and the trade ids an earlier session booked for it."""
        client_id = recovered.order.client_id
        self._recovered.pop(client_id, None)
        self._working[client_id] = recovered.order
        self._reasons[client_id] = recovered.reason
        self._trade_ids[client_id] = list(recovered.trade_ids)

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
