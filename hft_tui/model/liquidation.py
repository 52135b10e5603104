"""A forced liquidation print."""

from dataclasses import dataclass

from hft_tui.model.side import Side


@dataclass(frozen=True, slots=True)
class Liquidation:
    """A forced liquidation print; ``side`` is the side of the liquidating order
    (a long being liquidated sells)."""

    symbol: str
    ts_ns: int
    price: float
    qty: float
    side: Side
