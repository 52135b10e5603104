"""What the engine shows the outside world: immutable, seq-numbered snapshots.

The TUI (and later a remote client) only ever reads these; it never touches engine state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hft_tui.bus import MetricsSnapshot
from hft_tui.model import FeedState, OrderBook, Trade


@dataclass(frozen=True, slots=True)
class WalLine:
    """One WAL record as the UI shows it."""

    seq: int
    ts: str
    type: str
    summary: str


@dataclass(frozen=True, slots=True)
class SymbolView:
    symbol: str
    book: OrderBook | None
    last_trade: Trade | None
    feed_state: FeedState
    tick_size: float
    change_pct: float | None = None


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """The engine's state at one instant. ``seq`` grows by one per published snapshot."""

    seq: int
    ts_ns: int
    mode: str
    exchange: str
    trading_state: str
    symbols: tuple[str, ...]
    views: dict[str, SymbolView]
    wal_tail: tuple[WalLine, ...]
    wal_seq: int
    metrics: MetricsSnapshot = field(default_factory=MetricsSnapshot)
    running: bool = True
    open_positions: int = 0
    open_orders: int = 0

    def view(self, symbol: str) -> SymbolView:
        return self.views[symbol]
