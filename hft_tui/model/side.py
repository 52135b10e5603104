"""Buy or sell."""

from enum import StrEnum


class Side(StrEnum):
    """Direction of an order, a trade's aggressor, a signal or a position."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for buy, -1 for sell: multiply a quantity by it to get signed exposure."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> "Side":
        return Side.SELL if self is Side.BUY else Side.BUY
