"""What the engine shows the outside world: immutable, seq-numbered snapshots.

The TUI (and later a remote client) only ever reads these; it never touches engine state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from typing import Any

from hft_tui.bus import MetricsSnapshot
from hft_tui.model import FeedState, Notice, OrderBook, Trade
from hft_tui.risk.drb_state import DrbState


@dataclass(frozen=True, slots=True)
class WalLine:
    """One WAL record as the UI shows it."""

    seq: int
    ts: str
    type: str
    summary: str


@dataclass(frozen=True, slots=True)
class PositionView:
    """An open position, marked to the latest mid."""

    symbol: str
    side: str  # "long" | "short"
    qty: float  # absolute
    entry_price: float
    mark_price: float
    unrealized_pnl: float
    realized_pnl: float
    take_profit: float | None
    stop_loss: float | None
    opened_ts_ns: int
    strategy: str = ""
    dust: bool = False  # less than one lot: nothing the exchange lets anyone trade (counts as flat)


@dataclass(frozen=True, slots=True)
class OrderView:
    """An open (working) order."""

    client_id: str
    symbol: str
    side: str
    type: str
    qty: float
    filled_qty: float
    price: float | None
    status: str
    strategy: str
    reduce_only: bool
    created_ts_ns: int


@dataclass(frozen=True, slots=True)
class SignalView:
    """A signal and what the engine decided about it (the full explanation included)."""

    ts_ns: int
    strategy: str
    symbol: str
    side: str
    confidence: float
    priority: str  # low | medium | high | critical
    reasons: tuple[str, ...]  # the strategy's reason codes
    accepted: bool
    outcome: tuple[str, ...]  # accepted: SIGNAL_ACCEPTED (+ order id); else the rejecting codes
    explanation: str  # multi-line, human readable: every code with its meaning, sizes, prices


@dataclass(frozen=True, slots=True)
class StrategyView:
    """A strategy's state, score and parameters (``params_model`` drives the tuning form)."""

    name: str
    status: str  # running | paused | disabled
    disabled_reason: str
    trades: int
    win_rate: float | None
    pnl: float
    expectancy: float | None
    signals: int
    params: dict[str, Any]
    defaults: dict[str, Any]
    tuned: tuple[str, ...]  # parameter names that differ from the defaults
    params_model: type


@dataclass(frozen=True, slots=True)
class AssetBalance:
    """One asset of a LIVE account as the exchange reported it; ``external`` is what of it
    was held outside the engine when the account was first read (never flattened)."""

    asset: str
    free: float
    locked: float
    total: float
    external: float


@dataclass(frozen=True, slots=True)
class BalancesView:
    """A LIVE account's balances as last read, and when (the engine's clock)."""

    read_ts_ns: int
    assets: tuple[AssetBalance, ...]


@dataclass(frozen=True, slots=True)
class AccountView:
    equity: float
    initial_equity: float
    day_pnl: float
    realized_pnl: float
    unrealized_pnl: float
    fees_paid: float
    gross_exposure: float
    net_exposure: float


@dataclass(frozen=True, slots=True)
class SymbolView:
    symbol: str
    book: OrderBook | None
    last_trade: Trade | None
    feed_state: FeedState
    tick_size: float
    change_pct: float | None = None
    whales: tuple[tuple[str, float, float, float], ...] = ()  # (side, price, qty, notional)
    feed_detail: str = ""  # why the feed is in its state (source's words, silence, reason code)
    last_book_ns: int | None = None  # local time the last accepted book arrived


@dataclass(frozen=True, slots=True)
class FeedSummary:
    """The worst feed of the traded symbols, for the header: a screen never looks live when
    one of them is not. Ages are measured by the reader against ``oldest_book_ns`` on its own
    timer, so they keep growing while nothing arrives."""

    state: FeedState
    symbol: str  # the symbol in the worst state ('' when every feed is live)
    detail: str
    oldest_book_ns: int | None  # local receipt time of the oldest of the symbols' last books
    code: str = ""  # REJECTING: the sanitizer's reason code (e.g. OFF_LOT)


@dataclass(frozen=True, slots=True)
class DeadManView:
    """LIVE: the exchange's dead-man's switch (cancel-all-after) as the engine keeps it."""

    timeout_s: int
    armed: bool = False  # the exchange took at least one refresh
    failure: str = ""  # why the last refresh failed, "" while they succeed


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
    positions: tuple[PositionView, ...] = ()
    orders: tuple[OrderView, ...] = ()
    signals: tuple[SignalView, ...] = ()  # newest last
    strategies: tuple[StrategyView, ...] = ()
    account: AccountView | None = None
    risk: DrbState | None = None
    sanitizer_rejections: dict[str, int] = field(default_factory=dict)
    notice: str = ""  # the latest notice's text (kill result, errors); every one is in ``notices``
    trading_state_reason: str = ""  # the reason code of the last state change (e.g. KILL)
    journal_failure: str = ""  # why the WAL could not be written (FAILED), "" while it can
    feed: FeedSummary | None = None
    notices: tuple[Notice, ...] = ()  # oldest first, kept until acknowledged (see NoticeLog)
    notices_unread: int = 0  # unacknowledged, including any that left memory (journal only)
    notices_evicted: int = 0  # unread notices no longer in ``notices`` (the WAL has them)
    balances: BalancesView | None = None  # LIVE: the account as last read; None in SIM/PAPER
    dead_man: DeadManView | None = None  # None: no dead-man's switch in this session
    clock_offset_ms: int | None = None  # LIVE: local clock minus the exchange's, as last resynced

    @property
    def open_positions(self) -> int:
        return len(self.positions)

    @property
    def open_orders(self) -> int:
        return len(self.orders)

    def view(self, symbol: str) -> SymbolView:
        return self.views[symbol]
