"""What a live broker told the engine and the operator, in order, for tests to read."""

from __future__ import annotations

from hft_tui.execution.ccxt_broker import CcxtBroker
from hft_tui.model import Fill, Order


class Recorder:
    """What the broker told the engine and the operator."""

    def __init__(self, broker: CcxtBroker) -> None:
        self.orders: list[Order] = []
        self.fills: list[Fill] = []
        self.notices: list[str] = []
        broker.on_order = self.orders.append
        broker.on_fill = self.fills.append
        broker.on_notice = self.notices.append

    def last(self, client_id: str) -> Order:
        return [o for o in self.orders if o.client_id == client_id][-1]

    def trade_ids(self) -> list[str]:
        return [f.trade_id for f in self.fills]
