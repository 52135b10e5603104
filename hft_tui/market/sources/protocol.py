"""What every market data source looks like to the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from hft_tui.model import FeedStatus, Liquidation, MarketRejection, OrderBook, Trade

MarketEvent = OrderBook | Trade | Liquidation | FeedStatus | MarketRejection


class MarketSource(Protocol):
    """An async stream of market events for the configured symbols.

    ``stream()`` yields events in the order they happened; a paced source sleeps between
    them, an unpaced one yields as fast as the consumer takes them. ``close()`` releases
    connections; it is safe to call more than once.
    """

    name: str

    def stream(self) -> AsyncIterator[MarketEvent]: ...

    async def close(self) -> None: ...
