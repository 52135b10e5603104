"""The engine: owns the clock, the tasks and the journal around a :class:`TradingCore`, and
is the only thing the TUI talks to (commands in, immutable snapshots out).

Per event the core runs synchronously (``session/step.py``, the one event step, under the
policy ``BEFORE_EFFECT``): when it produced order intents the engine waits for the WAL's group
commit to cover them, then releases them to the broker (WAL before effect). Operator commands
take the same step's command path: journaled durably, then applied (``session/command_effects.py``),
then released.

The journal is the engine's heartbeat: the moment a record cannot be made durable the core
goes FAILED. No entry goes out from then on; kill and flatten still reach the broker, their
records held in memory until the disk takes them; market data is taken only while a
position is open or an exit works (stops and take-profits keep watching, reduce-only); and
the session ends with ``journal_failure`` set, for a non-zero exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from hft_tui.bus import EventBus, Metrics
from hft_tui.clock import Clock, LatchedClock
from hft_tui.execution.broker import is_exchange
from hft_tui.market.sources.protocol import MarketEvent, MarketSource
from hft_tui.redaction import describe_error
from hft_tui.session.begin_session import begin_session
from hft_tui.session.command_effects import apply_command
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.session.engine_snapshot_builder import build_snapshot
from hft_tui.session.live_session import LiveSession
from hft_tui.session.step import BEFORE_EFFECT, EventStep
from hft_tui.session.strategy_watch import changed_strategies
from hft_tui.strategies.user_strategies import UserStrategyError, read_source, source_sha256
from hft_tui.trading.commands import Command, CommandResult, Flatten, Kill, PreviewOrder, StopEngine
from hft_tui.trading.core import TradingCore
from hft_tui.trading.state import export_state
from hft_tui.trading.strategy_reload import apply_reload, prepare_reload
from hft_tui.wal.errors import WalWriteError
from hft_tui.wal.record_types import ComponentError, SessionStopped, StateSnapshot

LOOP_LAG_PROBE_S = 0.1
# How often the engine looks for feeds gone silent when no event arrives to show it.
FEED_WATCH_MAX_S = 0.25
# A ``snapshot`` record every this many records keeps recovery's fold short.
SNAPSHOT_EVERY_RECORDS = 5000


class Engine:
    """One trading session over one market source."""

    def __init__(
        self,
        *,
        core: TradingCore,
        source: MarketSource,
        mode: str,
        exchange: str,
        snapshot_hz: float = 10.0,
        wal_tail_lines: int = 200,
        bus: EventBus | None = None,
        clock_follows_data: bool = False,
    ) -> None:
        self.core = core
        core_clock = core.clock
        # A latched core clock is read once per event and per command (exact replay); the
        # engine's own reads (snapshot ages, the UI) take the live clock underneath.
        latch = core_clock.latch if isinstance(core_clock, LatchedClock) else None
        self.clock: Clock = core_clock.source if isinstance(core_clock, LatchedClock) else core_clock
        self.wal = core.wal
        self.metrics: Metrics = core.metrics
        self.source = source
        # Unpaced runs move a simulated clock with the data instead of reading the wall.
        self._advance_clock = core.clock.advance_to if clock_follows_data else None  # type: ignore[attr-defined]
        # Each market event (clock, input recorder, core, WAL before effect, release) and each
        # command (clock, its record durable, its effect, release).
        self.event_step = EventStep(core, BEFORE_EFFECT, advance=self._advance_clock, latch=latch,
                                    release=self._release_now, apply=self.apply)
        self._feed_watch_s = min(FEED_WATCH_MAX_S, core.settings.exchange.stale_after_ms / 5000.0)
        self.symbols = core.symbols
        self.mode = mode
        self.exchange = exchange
        self.bus = bus or EventBus()
        self._snapshot_period_s = 1.0 / snapshot_hz
        self._wal_tail_lines = wal_tail_lines
        self._first_mids: dict[str, float] = {}
        self._published_version: tuple[int, ...] = ()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped = asyncio.Event()
        self._stop_reason = ""
        self._running = False
        self._last_state_snapshot_seq = 0
        # Why the journal failed ("" while it has not): the header, the panes and the exit say it.
        self.journal_failure = ""
        self.wal.on_failure = self._journal_failed
        self.wal.on_recovered = self._journal_recovered
        # LIVE: the tasks around the exchange broker (orders, reconcile, account, kill, dead-man).
        self.live: LiveSession | None = None
        self._snapshot = self._build_snapshot(seq=0)
        # Called once the session takes no more events, while the WAL still takes records
        # (closes the input recording, which journals its own failure).
        self.on_stop: Callable[[], None] | None = None
        # Held for one whole event and for one whole command, so a command takes effect
        # exactly after the ``at_event`` events its record says (replay re-applies it there).
        self._step = asyncio.Lock()
        # The user strategies' files and the sha256 of the text each runs now (``--reload``).
        sources = core.settings.strategies.catalogue.sources
        self._strategy_files = {name: Path(sources[name].path) for name in core.strategies
                                if name in sources and sources[name].path}
        self._running_code = {name: sources[name].sha256 for name in self._strategy_files}

    # --- events -----------------------------------------------------------------------------

    @property
    def on_event(self) -> Callable[[MarketEvent], None] | None:
        """Called with every market event before the core sees it (session input recording)."""
        return self.event_step.on_event

    @on_event.setter
    def on_event(self, hook: Callable[[MarketEvent], None] | None) -> None:
        self.event_step.on_event = hook

    def process(self, event: MarketEvent) -> None:
        """Apply one event synchronously; intents are made durable (``wal.sync``) on this
        thread, then released.

        For tests and tools that drive the engine by hand with no loop; the running engine
        uses ``feed``, which awaits the group commit instead.
        """
        self.event_step.run(event)
        self._maybe_snapshot_state()

    async def feed(self, event: MarketEvent) -> None:
        """Apply one event on the running engine: intents wait for the group commit. A command
        the core decides (a strategy too slow to keep) is journaled as an operator's is, so a
        replay re-applies it after the same event instead of timing anything itself."""
        async with self._step:
            if self.journal_failure and not self.core.has_exit_work:
                return  # FAILED and flat: nothing to protect, nothing to journal
            await self.event_step.run_async(event)
            self._maybe_snapshot_state()

    async def _consume(self) -> None:
        try:
            async for event in self.source.stream():
                await self.feed(event)
        except Exception as exc:  # a dying source must not take the session down silently
            self.metrics.errors += 1
            self.wal.write(ComponentError(where="source", error=describe_error(exc)))
            self.request_stop(f"source failed: {type(exc).__name__}")
            return
        self.request_stop("source ended")

    def _maybe_snapshot_state(self) -> None:
        if self.wal.last_seq - self._last_state_snapshot_seq >= SNAPSHOT_EVERY_RECORDS:
            self.write_state_snapshot()

    def write_state_snapshot(self) -> None:
        """Journal the full recoverable state, so recovery folds only what comes after it."""
        self.wal.write(StateSnapshot(state=export_state(self.core).to_payload()))
        self._last_state_snapshot_seq = self.wal.last_seq

    # --- snapshots ----------------------------------------------------------------------------

    @property
    def snapshot(self) -> EngineSnapshot:
        """The latest published snapshot (cheap; safe to read from any thread)."""
        return self._snapshot

    def publish_snapshot(self) -> EngineSnapshot:
        """Build and publish a new snapshot if anything changed since the last one, or a period
        passed: during a stall the clock, the ages and the rates must still move."""
        period_ns = int(self._snapshot_period_s * 1e9)
        version = (self.core.counters.events, self.wal.last_seq, self.core.notices.version,
                   self.clock.now_ns() // period_ns)
        if version != self._published_version:
            self._published_version = version
            self._snapshot = self._build_snapshot(seq=self._snapshot.seq + 1)
            # Subscribers (a remote UI, a metrics exporter, benchmarks) get both on the bus.
            self.bus.publish(self._snapshot)
            self.bus.publish(self._snapshot.metrics)
        return self._snapshot

    def _build_snapshot(self, seq: int) -> EngineSnapshot:
        return build_snapshot(
            self.core,
            seq=seq,
            mode=self.mode,
            exchange=self.exchange,
            running=self._running,
            metrics=self.metrics.snapshot(),
            now_ns=self.clock.now_ns(),
            first_mids=self._first_mids,
            wal_tail_lines=self._wal_tail_lines,
            journal_failure=self.journal_failure,
            dead_man=self.live.dead_man_view() if self.live is not None else None,
            balances=self.live.account.balances() if self.live is not None else None,
            clock_offset_ms=self.live.broker.calls.time_offset_ms if self.live is not None else None,
        )

    # --- commands -------------------------------------------------------------------------------

    async def execute(self, command: Command) -> CommandResult:
        """Carry out an operator command: journaled durably first, then applied between events."""
        if isinstance(command, StopEngine):
            self.request_stop(command.reason)
            return CommandResult(True, "stopping")
        if isinstance(command, PreviewOrder):
            async with self._step:  # a question between two events: nothing journaled, nothing changed
                return self.apply(command)
        async with self._step:
            if self.journal_failure and not isinstance(command, (Kill, Flatten)):
                return CommandResult(False, f"{self.journal_failure}: only kill and flatten are taken")
            result = await self.event_step.run_command_async(command)
            if self.journal_failure:
                result = CommandResult(result.ok, f"{result.message}; NOT DURABLE: {self.wal.held_records} "
                                                  "journal record(s) held in memory until the disk takes them")
                self.core.add_notice("journal", result.message)
        self.publish_snapshot()
        return result

    def _release_now(self) -> None:
        """Hand the durable intents and cancels to the broker: the paper broker in this call,
        an exchange broker on the LIVE session's tasks."""
        core = self.core
        if self.live is None:
            core.release_orders()
            return
        self.live.dispatch(core.take_cancels(), core.take_orders())

    def apply(self, command: Command) -> CommandResult:
        """The command's effect on the core (its journal record is already written)."""
        return apply_command(self.core, self.live, command)

    # --- lifecycle ------------------------------------------------------------------------------

    def begin_session(self) -> None:
        """Recover from the WAL, journal ``session_start`` and what was recovered; the
        synchronous half of ``start`` (also used by tests that drive the engine by hand)."""
        begin_session(self.core, mode=self.mode, exchange=self.exchange, source=self.source.name)
        self._running = True

    async def start(self) -> None:
        """Open the session: journal it, then start consuming the source."""
        await self.wal.start()
        broker = self.core.broker
        if is_exchange(broker):
            exchange = self.core.settings.exchange
            self.live = LiveSession(self.core, broker, step=self._step,
                                    release=self.event_step.release_async,
                                    account_sync_s=exchange.account_sync_s,
                                    kill_deadline_s=exchange.kill_deadline_s,
                                    cancel_orphans=exchange.cancel_orphans_on_start,
                                    dead_man_s=exchange.dead_man_s,
                                    backoff_ms=(exchange.reconnect_backoff_ms, exchange.reconnect_backoff_max_ms),
                                    on_fatal=self.request_stop)
        await broker.start()
        self.begin_session()
        if self.live is not None:
            self.live.start()
        self._tasks = [
            asyncio.create_task(self._consume(), name="engine-consume"),
            asyncio.create_task(self._publish_snapshots(), name="engine-snapshots"),
            asyncio.create_task(self._probe_loop_lag(), name="engine-loop-lag"),
        ]
        if self.core.settings.strategies.reload and self._strategy_files:
            self._tasks.append(asyncio.create_task(self._reload_on_change(), name="engine-strategy-reload"))
        if self._advance_clock is None:  # on a data clock silence shows at the next event
            self._tasks.append(asyncio.create_task(self._watch_feeds(), name="engine-feed-watch"))

    async def _reload_on_change(self) -> None:
        async for names in changed_strategies(self._strategy_files):
            for name in names:
                await self.reload_strategy(name)

    async def reload_strategy(self, name: str) -> CommandResult:
        """Run the current text of user strategy ``name``'s file between two events, journaled
        first (``strategy_reload``); one that fails to load leaves the old code running and says
        why in a notice. A file whose text is the running one changes nothing."""
        path = self._strategy_files[name]
        async with self._step:
            try:
                source = read_source(path)
                if source_sha256(source) == self._running_code[name]:
                    return CommandResult(True, f"{name}: the code running is the file's")
                prepared = prepare_reload(self.core, name, path, source)
            except UserStrategyError as exc:
                note = f"reload of {name} failed, its old code runs on: {exc}"
                self.core.add_notice("strategy", note)
                return CommandResult(False, note)
            await self.event_step.journal_async(prepared.record)  # the reload takes effect even if FAILED
            self._running_code[name] = prepared.record.sha256
            result = apply_reload(self.core, prepared)
        self.publish_snapshot()
        return result

    def _journal_failed(self, error: WalWriteError) -> None:
        """The writer could not make a record durable: FAILED, at once and for good."""
        cause = error.__cause__ or error
        self.journal_failure = f"journal write failed ({cause}), durable up to seq {self.wal.durable_seq}"
        self.core.risk.fail(self.journal_failure)

    def _journal_recovered(self, durable_seq: int) -> None:
        self.core.add_notice("journal", f"FAILED: {self.journal_failure}; the disk took the held records "
                                        f"since (durable up to seq {durable_seq}); restart to trade")

    def failure_line(self) -> str:
        """One line for the operator once a FAILED session is over ("" if it never failed)."""
        if not self.journal_failure:
            return ""
        held = self.wal.held_records
        lost = (f"{held} record(s) after seq {self.wal.durable_seq} were never written" if held
                else "every held record was written later")
        return f"hft-tui: stopped FAILED: {self.journal_failure}; {lost}; WAL in {self.wal.directory}"

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
        # A step in flight finishes first: its event is recorded and its intents journaled,
        # so cancelling it while they wait for the group commit would leave a journaled order
        # that never reached the broker (and a replay that fills it).
        async with self._step:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks = []
        await self.source.close()
        if self.live is not None:
            await self.live.stop()
        await self.core.broker.close()
        if self.on_stop is not None:
            self.on_stop()
        self.write_state_snapshot()
        self.wal.write(SessionStopped(reason=self._stop_reason or "stop", events=self.core.counters.events))
        try:
            await self.wal.close()
        except WalWriteError:
            pass  # journal_failure holds why (the writer told us): the exit says it
        self.publish_snapshot()

    async def run(self) -> str:
        """Start, run until asked to stop, stop. Returns the stop reason."""
        await self.start()
        try:
            reason = await self.wait_stopped()
        finally:
            await self.stop()
        return reason

    async def _publish_snapshots(self) -> None:
        while True:
            self.publish_snapshot()
            await asyncio.sleep(self._snapshot_period_s)

    async def _watch_feeds(self) -> None:
        """A feed that goes silent sends nothing to say so: on the local clock, turn each
        symbol silent past the timeout into a STALE event, through the one event path (so it
        is journaled, recorded with the session's input and replayed at the same point)."""
        while True:
            await asyncio.sleep(self._feed_watch_s)
            for status in self.core.feed_health.silent_symbols(self.clock.now_ns()):
                await self.feed(status)

    async def _probe_loop_lag(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(LOOP_LAG_PROBE_S)
            lag = time.perf_counter() - started - LOOP_LAG_PROBE_S
            self.metrics.loop_lag_ms = max(lag, 0.0) * 1e3
