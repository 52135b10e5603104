"""The one step: clock -> process -> make durable -> release, for a market event and for a
command.

The engine (sim, paper, live), the backtest runner and the replay run every market event
through :class:`EventStep`, and every command between two events (an operator's, or one the
replay re-applies from the journal) through its ``run_command``: for a command, "process" is
its record journaled and then its effect. Only the clock, the release (the paper broker in the
core's call, or the LIVE session's tasks) and the :class:`Durability` policy differ. A trading
session makes a record durable before the effects it permits (an event's order intents released
to the broker, a command applied): that is "WAL before effect". A backtest or a replay writes
the same records but fsyncs them in batches only, because a run that dies is simply run again;
the policy says so, the step is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hft_tui.trading.commands import Command, CommandResult, journal_record
from hft_tui.wal.errors import WalWriteError
from hft_tui.wal.record_types import ABSENT, Absent, CommandIssued, Record


class Journal(Protocol):
    """What a step asks of the journal (a ``WalWriter``)."""

    @property
    def last_seq(self) -> int: ...

    @property
    def durable_seq(self) -> int: ...

    def write(self, record: Record) -> object: ...

    def sync(self) -> None: ...

    async def flush(self) -> None: ...

    async def write_durable(self, record: Record) -> object: ...


class _Counters(Protocol):
    @property
    def events(self) -> int: ...


class _Decided(Protocol):
    def take_decided(self) -> Sequence[Command]: ...


class SteppedCore(Protocol):
    """What a step asks of the core (a ``TradingCore``): the step is compiled, and it takes any
    core that answers these (a test's stand-in)."""

    @property
    def wal(self) -> Journal: ...

    @property
    def counters(self) -> _Counters: ...

    @property
    def strategies(self) -> _Decided: ...

    @property
    def has_pending_orders(self) -> bool: ...

    def process(self, event: Any) -> None: ...

    def release_orders(self) -> None: ...

    def drop_entries(self) -> None: ...


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


async def wait_durable(wal: Journal) -> None:
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
    released intents and cancels to the broker (the paper broker by default). ``apply`` is a
    command's effect: of an operator's, and of one the core decides during an event (a strategy
    too slow to keep); a step without it takes no commands, which is right for a backtest, where
    no hook is timed on the data's clock and no operator is.
    """

    def __init__(self, core: SteppedCore, durability: Durability, *,
                 advance: Callable[[int], Any] | None = None,
                 latch: Callable[[], int] | None = None,
                 on_event: Callable[[Any], None] | None = None,
                 release: Callable[[], None] | None = None,
                 apply: Callable[[Command], CommandResult] | None = None) -> None:
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
        if self.apply is not None:
            for command in self.core.strategies.take_decided():
                self.journal(journal_record(command, self.core.counters.events))
                self.apply(command)
        self._release()
        self._counted()

    async def run_async(self, event: Any) -> None:
        """One whole step on the engine's loop: durability by awaiting the group commit."""
        self.take(event)
        if self.apply is not None:
            for command in self.core.strategies.take_decided():
                await self.journal_async(journal_record(command, self.core.counters.events))
                self.apply(command)
        if self.core.has_pending_orders:
            await self.release_async()
        self._counted()

    def run_command(self, command: Command, *, now_ns: int | None = None,
                    journaled: CommandIssued | None = None) -> CommandResult:
        """One command between two events, synchronously: the clock (a data clock moved to
        ``now_ns``, the time it acted at), its record (``journaled``: the session's own, which a
        replay re-applies) made durable as the policy says, its effect, the release."""
        effect = self._effect()
        clock_ns = self._command_clock(now_ns)
        self.journal(journaled if journaled is not None else
                     journal_record(command, self.core.counters.events, clock_ns))
        result = effect(command)
        self._release()
        return result

    async def run_command_async(self, command: Command) -> CommandResult:
        """One command between two events on the engine's loop: the clock, its record awaited
        durable as the policy says, its effect, the release (``release_async``)."""
        effect = self._effect()
        clock_ns = self._command_clock(None)
        await self.journal_async(journal_record(command, self.core.counters.events, clock_ns))
        result = effect(command)
        if self.core.has_pending_orders:
            await self.release_async()
        return result

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

    def _command_clock(self, now_ns: int | None) -> int | Absent:
        """The clock for a command: a data clock moved to ``now_ns`` when it is given; a latched
        clock read once, the reading journaled with the command (so a replay acts at it)."""
        if now_ns is not None and self.advance is not None:
            self.advance(now_ns)
        elif self.latch is not None:
            return self.latch()
        return ABSENT

    def journal(self, record: Record) -> None:
        """Write a record that permits an effect (a command's, a strategy reload's), durable
        before that effect where the policy says (synchronously)."""
        self.wal.write(record)
        if self.durability.before_effect:
            self.wal.sync()

    async def journal_async(self, record: Record) -> None:
        """``journal`` on the engine's loop: the group commit awaited where the policy says. A
        failed journal does not stop the effect: FAILED already refuses entries."""
        if not self.durability.before_effect:
            self.wal.write(record)
            return
        try:
            await self.wal.write_durable(record)
        except WalWriteError:
            pass  # FAILED now (the writer said so): the record is held; the effect comes all the same

    def _effect(self) -> Callable[[Command], CommandResult]:
        """What a command does; asked before anything is journaled."""
        if self.apply is None:
            raise RuntimeError("this step takes no commands (it was built without apply)")
        return self.apply

    def _release(self) -> None:
        """Release what the core holds, durable first where the policy says (synchronously)."""
        if self.core.has_pending_orders:
            if self.durability.before_effect:
                self.wal.sync()
            self.release()

    def _counted(self) -> None:
        self.events += 1
        every = self.durability.sync_every_events
        if every and self.events % every == 0:
            self.wal.sync()
