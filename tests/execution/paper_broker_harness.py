"""Shared set-up for the paper broker tests: markets, books and a recording broker."""

from __future__ import annotations

from hft_tui.clock import FrozenClock
from hft_tui.execution.paper_broker import PaperBroker
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.model import Fill, MarketRules, Order, OrderBook, OrderType, Side

T0 = 1_700_000_000_000_000_000
MS = 1_000_000
PERP = "BTC/USDT:USDT"
SPOT = "ETH/USDT"
RULES = {
    PERP: MarketRules(PERP, tick_size=0.1, lot_size=0.001, min_notional=5.0,
                      maker_fee=0.0002, taker_fee=0.0005),
    SPOT: MarketRules(SPOT, tick_size=0.1, lot_size=0.001, maker_fee=0.001, taker_fee=0.001, spot=True),
}
BIDS = [(100.0, 1.0), (99.9, 2.0), (99.8, 3.0)]
ASKS = [(100.1, 0.5), (100.2, 1.0), (100.3, 2.0)]


def make_book(symbol: str = PERP, bids=BIDS, asks=ASKS, ts_ns: int = T0, seq: int = 1) -> OrderBook:
    return OrderBook.from_levels(symbol, ts_ns, seq, bids, asks)


def make_order(client_id: str, side: Side, qty: float, price: float | None = None, *,
               symbol: str = PERP, reduce_only: bool = False, strategy: str = "test") -> Order:
    order_type = OrderType.MARKET if price is None else OrderType.LIMIT
    return Order(client_id, symbol, side, order_type, qty, price, T0, strategy=strategy,
                 reduce_only=reduce_only)


class Recorder:
    """Collects what the broker reports, in order."""

    def __init__(self) -> None:
        self.orders: list[Order] = []
        self.fills: list[Fill] = []
        self.events: list[Order | Fill] = []

    def on_order(self, order: Order) -> None:
        self.orders.append(order)
        self.events.append(order)

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        self.events.append(fill)

    def statuses(self, client_id: str) -> list[str]:
        return [o.status.value for o in self.orders if o.client_id == client_id]

    def last(self, client_id: str) -> Order:
        return [o for o in self.orders if o.client_id == client_id][-1]


def make_broker(**settings: object) -> tuple[PaperBroker, Recorder, FrozenClock]:
    clock = FrozenClock(T0)
    broker = PaperBroker(RULES, clock, ExecutionSettings(**settings))
    recorder = Recorder()
    broker.on_order = recorder.on_order
    broker.on_fill = recorder.on_fill
    return broker, recorder, clock
