"""The engine: wires the pipeline, owns the clock and the tasks, and is the only thing the
TUI talks to (commands in, immutable snapshots out).

The per-event path is synchronous (``process``) so that backtest, replay and live share one
code path and one order of effects; the async shell around it only moves events in,
publishes snapshots out and journals.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from hft_tui.bus import EventBus, Metrics
from hft_tui.clock import Clock
from hft_tui.commands import Command, CommandResult, StopEngine
from hft_tui.market.source import MarketEvent, MarketSource
from hft_tui.model import (
    FeedState,
    FeedStatus,
    Liquidation,
    MarketRejection,
    MarketRules,
    OrderBook,
    Trade,
)
from hft_tui.snapshot import EngineSnapshot, SymbolView, WalLine
from hft_tui.wal.summary import summarize_record
from hft_tui.wal.writer import WalWriter

LOOP_LAG_PROBE_S = 0.1


class Engine:
    """One trading session over one market source."""

    def __init__(
        self,
        *,
        clock: Clock,
        source: MarketSource,
        wal: WalWriter,
        symbols: tuple[str, ...],
        rules: dict[str, MarketRules],
        mode: str,
        exchange: str,
        snapshot_hz: float = 10.0,
        wal_tail_lines: int = 200,
        metrics: Metrics | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.clock = clock
        self.source = source
        self.wal = wal
        self.symbols = symbols
        self.rules = rules
        self.mode = mode
        self.exchange = exchange
        self.metrics = metrics or Metrics()
        self.bus = bus or EventBus()
        self._snapshot_period_s = 1.0 / snapshot_hz
        self._wal_tail_lines = wal_tail_lines
        self._books: dict[str, OrderBook | None] = {s: None for s in symbols}
        self._last_trades: dict[str, Trade | None] = {s: None for s in symbols}
        self._first_mids: dict[str, float] = {}
        self._feed_states: dict[str, FeedState] = {s: FeedState.CONNECTING for s in symbols}
        self._state_version = 0
        self._published_version = -1
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped = asyncio.Event()
        self._stop_reason = ""
        self._running = False
        self._snapshot = self._build_snapshot(seq=0)
        self.on_snapshot: Callable[[EngineSnapshot], None] | None = None

    # --- the synchronous core -------------------------------------------------------------

    def process(self, event: MarketEvent) -> None:
        """Apply one market event to the engine's state; every source ends up here."""
        self.metrics.count_event()
        if isinstance(event, OrderBook):
            self._on_book(event)
        elif isinstance(event, Trade):
            if event.symbol in self._last_trades:
                self._last_trades[event.symbol] = event
        elif isinstance(event, FeedStatus):
            self._on_feed_status(event)
        elif isinstance(event, MarketRejection):
            self.metrics.count_rejection(event.code.value)
        elif isinstance(event, Liquidation):
            pass
        self._state_version += 1

    def _on_book(self, book: OrderBook) -> None:
        if book.symbol not in self._books:
            return
        self._books[book.symbol] = book
        mid = book.mid
        if mid is not None:
            self._first_mids.setdefault(book.symbol, mid)
        self.metrics.feed_latency_ms[book.symbol] = max(
            (self.clock.now_ns() - book.ts_ns) / 1e6, 0.0
        )
        if self._feed_states[book.symbol] is FeedState.CONNECTING:
            self._on_feed_status(FeedStatus(book.symbol, book.ts_ns, FeedState.LIVE))

    def _on_feed_status(self, status: FeedStatus) -> None:
        if status.symbol not in self._feed_states:
            return
        if self._feed_states[status.symbol] is status.state:
            return
        self._feed_states[status.symbol] = status.state
        self.wal.append("feed", {"symbol": status.symbol, "state": status.state.value,
                                 "detail": status.detail})

    # --- snapshots ----------------------------------------------------------------------------

    @property
    def snapshot(self) -> EngineSnapshot:
        """The latest published snapshot (cheap; safe to read from any thread)."""
        return self._snapshot

    def publish_snapshot(self) -> EngineSnapshot:
        """Build and publish a new snapshot if anything changed since the last one."""
        version = self._state_version + self.wal.last_seq
        if version != self._published_version:
            self._published_version = version
            self._snapshot = self._build_snapshot(seq=self._snapshot.seq + 1)
            if self.on_snapshot is not None:
                self.on_snapshot(self._snapshot)
        return self._snapshot

    def _build_snapshot(self, seq: int) -> EngineSnapshot:
        views = {}
        for symbol in self.symbols:
            book = self._books[symbol]
            first = self._first_mids.get(symbol)
            mid = book.mid if book is not None else None
            change = (mid / first - 1.0) * 100.0 if mid is not None and first else None
            views[symbol] = SymbolView(symbol, book, self._last_trades[symbol],
                                       self._feed_states[symbol], self.rules[symbol].tick_size,
                                       change)
        tail = tuple(
            WalLine(r.seq, r.ts, r.type, summarize_record(r.type, r.payload))
            for r in self.wal.tail(self._wal_tail_lines)
        )
        return EngineSnapshot(
            seq=seq,
            ts_ns=self.clock.now_ns(),
            mode=self.mode,
            exchange=self.exchange,
            trading_state="ACTIVE",
            symbols=self.symbols,
            views=views,
            wal_tail=tail,
            wal_seq=self.wal.last_seq,
            metrics=self.metrics.snapshot(),
            running=self._running,
        )

    # --- commands -------------------------------------------------------------------------------

    async def execute(self, command: Command) -> CommandResult:
        """Carry out an operator command; the WAL records it before it takes effect."""
        if isinstance(command, StopEngine):
            self.request_stop(command.reason)
            return CommandResult(True, "stopping")
        return CommandResult(False, f"{type(command).__name__} is not available in this engine")

    # --- lifecycle ------------------------------------------------------------------------------

    def begin_session(self) -> None:
        """Journal ``session_start``; the synchronous half of ``start`` (backtests, tests)."""
        self.wal.append("session_start", {"mode": self.mode, "exchange": self.exchange,
                                          "symbols": list(self.symbols),
                                          "source": self.source.name})
        self._running = True

    async def start(self) -> None:
        """Open the session: journal it, then start consuming the source."""
        await self.wal.start()
        self.begin_session()
        self._tasks = [
            asyncio.create_task(self._consume(), name="engine-consume"),
            asyncio.create_task(self._publish_snapshots(), name="engine-snapshots"),
            asyncio.create_task(self._probe_loop_lag(), name="engine-loop-lag"),
        ]

    def request_stop(self, reason: str) -> None:
        """Ask the engine to stop (from a signal handler, a command or the UI)."""
        if not self._stop_reason:
            self._stop_reason = reason
        self._stopped.set()

    async def wait_stopped(self) -> str:
        await self._stopped.wait()
        return self._stop_reason

    async def stop(self, reason: str | None = None) -> None:
        """Stop consuming, journal ``session_stop`` and make the WAL durable. Idempotent."""
        if reason:
            self.request_stop(reason)
        if not self._running:
            return
        self._running = False
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.source.close()
        self.wal.append("session_stop", {"reason": self._stop_reason or "stop",
                                         "events": self.metrics.events_total})
        await self.wal.close()
        self.publish_snapshot()

    async def run(self) -> str:
        """Start, run until asked to stop, stop. Returns the stop reason."""
        await self.start()
        try:
            reason = await self.wait_stopped()
        finally:
            await self.stop()
        return reason

    async def _consume(self) -> None:
        try:
            async for event in self.source.stream():
                self.process(event)
        except Exception as exc:  # a dying source must not take the session down silently
            self.metrics.errors += 1
            self.wal.append("error", {"where": "source", "error": f"{type(exc).__name__}: {exc}"})
            self.request_stop(f"source failed: {type(exc).__name__}")
            return
        self.request_stop("source ended")

    async def _publish_snapshots(self) -> None:
        while True:
            self.publish_snapshot()
            await asyncio.sleep(self._snapshot_period_s)

    async def _probe_loop_lag(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(LOOP_LAG_PROBE_S)
            lag = time.perf_counter() - started - LOOP_LAG_PROBE_S
            self.metrics.loop_lag_ms = max(lag, 0.0) * 1e3
