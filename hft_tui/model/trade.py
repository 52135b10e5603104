"""A public trade print."""

from dataclasses import dataclass

from hft_tui.model.side import Side


@dataclass(frozen=True, slots=True)
class Trade:
    """A public trade print; ``side`` is the aggressor's side."""

    symbol: str
    ts_ns: int
    price: float
    qty: float
    side: Side
    trade_id: str = ""

    @property
    def notional(self) -> float:
        return self.price * self.qty
