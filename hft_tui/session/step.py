"""The one event step: clock -> process -> make durable -> release.

The engine (sim, paper, live), the backtest runner and the replay run every market event
through :class:`EventStep`; only the clock, the release (the paper broker in the core's call,
or the LIVE session's tasks) and the :class:`Durability` policy differ. A trading session
makes an event's records durable before the effects they permit (its order intents released
to the broker, a command the core decided applied): that is "WAL before effect". A backtest or
a replay writes the same records but fsyncs them in batches only, because a run that dies is
simply run again; the policy says so, the step is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hft_tui.trading.commands import Command, journal_record
from hft_tui.trading.core import TradingCore
from hft_tui.wal.errors import WalWriteError
from hft_tui.wal.writer import WalWriter


@dataclass(frozen=True, slots=True)
class Durability:
    """When the records of an event are made durable, relative to what they permit."""

    # Durable (fsync, or the group commit awaited) before intents are released or a decided
    # command is applied.
    before_effect: bool
    # Besides, fsync after every this many events (0: never).
    sync_every_events: int = 0

    def __post_init__(self) -> None:
        if self.sync_every_events < 0:
            raise ValueError(f"sync_every_events must be >= 0, got {self.sync_every_events}")


# A trading session: nothing goes out, nothing changes, before its record is durable.
BEFORE_EFFECT = Durability(before_effect=True)


def batched(every_events: int) -> Durability:
    """A backtest's or a replay's policy: effects at once, an fsync every ``every_events`` events."""
    if every_events < 1:
        raise ValueError(f"every_events must be >= 1, got {every_events}")
    return Durability(before_effect=False, sync_every_events=every_events)


async def wait_durable(wal: WalWriter) -> None:
    """Until every record appended so far is durable (records that broker callbacks append
    while this waits are covered too: nothing is taken out in between). WalWriteError if the
    journal failed."""
    while True:
        await wal.flush()
        if wal.durable_seq >= wal.last_seq:
            return


class EventStep:
    """Runs one event at a time through ``core`` under ``durability``.

    ``advance(ts_ns)`` sets a data clock to the event's time (or the ``now_ns`` given with it);
    ``latch()`` reads a latched wall clock once for the event; ``on_event`` sees each event
    before the core does (the session's input recording). ``release`` hands the core's
    released intents and cancels to the broker (the paper broker by default). ``apply`` is the
    effect of a command the core decides during an event (a strategy too slow to keep); a step
    without it never asks, which is right on a data clock, where no hook is timed.
    """

    def __init__(self, core: TradingCore, durability: Durability, *,
                 advance: Callable[[int], Any] | None = None,
                 latch: Callable[[], int] | None = None,
                 on_event: Callable[[Any], None] | None = None,
                 release: Callable[[], None] | None = None,
                 apply: Callable[[Command], object] | None = None) -> None:
        self.core = core
        self.wal = core.wal
        self.durability = durability
        self.advance = advance
        self.latch = latch
        self.on_event = on_event
        self.release = release if release is not None else core.release_orders
        self.apply = apply
        self.events = 0

    def take(self, event: Any, now_ns: int | None = None) -> None:
        """The first half of a step: the clock, the input recorder, the core."""
        if self.advance is not None:
            self.advance(event.ts_ns if now_ns is None else now_ns)
        elif self.latch is not None:
            self.latch()
        if self.on_event is not None:
            self.on_event(event)
        self.core.process(event)

    def run(self, event: Any, now_ns: int | None = None) -> None:
        """One whole step, synchronously: an fsync where the policy wants the records durable."""
        self.take(event, now_ns)
        core = self.core
        before_effect = self.durability.before_effect
        if self.apply is not None:
            for command in core.strategies.take_decided():
                self.wal.write(journal_record(command, core.counters.events))
                if before_effect:
                    self.wal.sync()
                self.apply(command)
        if core.has_pending_orders:
            if before_effect:
                self.wal.sync()
            self.release()
        self._counted()

    async def run_async(self, event: Any) -> None:
        """One whole step on the engine's loop: durability by awaiting the group commit."""
        self.take(event)
        core = self.core
        if self.apply is not None:
            for command in core.strategies.take_decided():
                record = journal_record(command, core.counters.events)
                if self.durability.before_effect:
                    try:
                        await self.wal.write_durable(record)
                    except WalWriteError:
                        pass  # FAILED now: the record is held; the decision takes effect all the same
                else:
                    self.wal.write(record)
                self.apply(command)
        if core.has_pending_orders:
            await self.release_async()
        self._counted()

    async def release_async(self) -> None:
        """Make the intents durable as the policy says, then release them. If the journal
        failed, entries never go out on a record that is not durable; exits and cancels do
        (kill and flatten must reach the broker), their records held in memory."""
        if self.durability.before_effect:
            try:
                await wait_durable(self.wal)
            except WalWriteError:
                self.core.drop_entries()
        self.release()

    def _counted(self) -> None:
        self.events += 1
        every = self.durability.sync_every_events
        if every and self.events % every == 0:
            self.wal.sync()
