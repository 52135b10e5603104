"""The one step (session/step.py): clock, process, make durable, release, in that order, for an
event and for a command, with the durability the policy says: before every effect for a trading
session, in batches for a backtest or a replay."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.trading.commands import Command, CommandResult, DisableStrategy, Flatten, PauseStrategy, journal_record
from hft_tui.wal.errors import WalWriteError
from hft_tui.wal.record_types import CommandIssued, NoticeGiven, Record
from hft_tui.wal.writer import WalWriter
from hft_tui.session.step import BEFORE_EFFECT, Durability, EventStep, batched

START_NS = 1_767_225_600_000_000_000


@dataclass
class Journal:
    """A journal that says what was asked of it, and when a record became durable."""

    log: list[tuple[Any, ...]]
    last_seq: int = 0
    durable_seq: int = 0
    fail: bool = False
    records: list[Record] = field(default_factory=list)

    def write(self, record: Record) -> None:
        self.last_seq += 1
        self.records.append(record)
        self.log.append(("write", record.TYPE, self.last_seq))

    def sync(self) -> None:
        self.durable_seq = self.last_seq
        self.log.append(("sync", self.durable_seq))

    async def flush(self) -> None:
        if self.fail:
            raise WalWriteError("disk full")
        self.sync()

    async def write_durable(self, record: Record) -> None:
        self.write(record)
        await self.flush()


@dataclass
class Counters:
    events: int = 0


@dataclass
class Host:
    """The strategy host as the step sees it: the commands an event decided."""

    decided: list[Command] = field(default_factory=list)

    def take_decided(self) -> list[Command]:
        decided, self.decided = self.decided, []
        return decided


@dataclass
class Event:
    ts_ns: int
    intent: bool = False
    decides: Command | None = None


@dataclass
class Core:
    """The trading core as the step sees it: an event may journal an order intent (pending
    until released) or decide a command; a release records how durable the journal was."""

    wal: Any
    log: list[tuple[Any, ...]]
    counters: Counters = field(default_factory=Counters)
    pending: bool = False
    strategies: Host = field(default_factory=Host)

    def process(self, event: Event) -> None:
        self.counters.events += 1
        self.log.append(("process", event.ts_ns))
        if event.decides is not None:
            self.strategies.decided.append(event.decides)
        if event.intent:
            self.wal.write(NoticeGiven(source="order", text=f"intent at {event.ts_ns}"))
            self.pending = True

    @property
    def has_pending_orders(self) -> bool:
        return self.pending

    def release_orders(self) -> None:
        self.pending = False
        self.log.append(("release", self.wal.durable_seq, self.wal.last_seq))

    def drop_entries(self) -> None:
        self.log.append(("drop entries",))


def _step(durability: Durability, **hooks: Any) -> tuple[EventStep, Core, list[tuple[Any, ...]]]:
    log: list[tuple[Any, ...]] = []
    core = Core(Journal(log), log)
    hooks.setdefault("advance", lambda ts: log.append(("clock", ts)))
    hooks.setdefault("on_event", lambda event: log.append(("recorded", event.ts_ns)))
    return EventStep(core, durability, **hooks), core, log  # type: ignore[arg-type]


def test_a_trading_session_releases_an_intent_only_after_its_record_is_durable() -> None:
    step, _, log = _step(BEFORE_EFFECT)
    step.run(Event(1))
    step.run(Event(2, intent=True))
    assert log == [
        ("clock", 1), ("recorded", 1), ("process", 1),
        ("clock", 2), ("recorded", 2), ("process", 2), ("write", "notice", 1), ("sync", 1), ("release", 1, 1),
    ]


def test_the_clock_stands_where_the_caller_says_when_it_says() -> None:
    step, _, log = _step(BEFORE_EFFECT)
    step.run(Event(1_000), 1_060)  # a candle: the clock at its close, not its open
    assert log[0] == ("clock", 1_060)


def test_a_latched_clock_is_read_once_per_event_when_no_data_clock_is_given() -> None:
    readings: list[int] = []
    step, _, log = _step(BEFORE_EFFECT, advance=None, latch=lambda: readings.append(1) or 1)
    step.run(Event(1))
    step.run(Event(2))
    assert readings == [1, 1]
    assert ("clock", 1) not in log


def test_a_batched_run_releases_at_once_and_fsyncs_every_n_events() -> None:
    step, _, log = _step(batched(2), on_event=None, advance=None)
    for ts in range(1, 6):
        step.run(Event(ts, intent=True))
    releases = [entry for entry in log if entry[0] == "release"]
    syncs = [entry for entry in log if entry[0] == "sync"]
    # Released before any fsync covered the intent: nothing is made durable before the effect.
    assert [r[1] < r[2] for r in releases] == [True] * 5
    assert syncs == [("sync", 2), ("sync", 4)]
    assert step.events == 5


def test_a_decided_command_is_journaled_durably_before_it_takes_effect_and_before_the_release() -> None:
    applied: list[tuple[Command, int]] = []
    slow = DisableStrategy("cvd", "STRATEGY_SLOW")
    step, core, log = _step(BEFORE_EFFECT, on_event=None, advance=None,
                            apply=lambda command: applied.append((command, core.wal.durable_seq)))
    step.run(Event(7, intent=True, decides=slow))
    assert log == [("process", 7), ("write", "notice", 1), ("write", CommandIssued.TYPE, 2), ("sync", 2),
                   ("sync", 2), ("release", 2, 2)]
    assert applied == [(slow, 2)]


def test_a_step_without_an_effect_for_decided_commands_leaves_them_untaken() -> None:
    step, core, _ = _step(batched(100), on_event=None)
    step.run(Event(1, decides=DisableStrategy("cvd", "STRATEGY_SLOW")))
    assert len(core.strategies.decided) == 1


async def test_on_the_loop_a_release_waits_for_the_group_commit_of_the_real_journal(tmp_path: Path) -> None:
    log: list[tuple[Any, ...]] = []
    wal = WalWriter(tmp_path / "wal", FrozenClock(START_NS), fsync_interval_ms=60_000)  # no ticker commits
    await wal.start()
    try:
        core = Core(wal, log)
        step = EventStep(core, BEFORE_EFFECT)  # type: ignore[arg-type]
        await step.run_async(Event(1, intent=True))
        (release,) = [entry for entry in log if entry[0] == "release"]
        assert release[1] == release[2] == wal.last_seq == 1
    finally:
        await wal.close()


async def test_on_the_loop_a_batched_policy_releases_before_the_commit(tmp_path: Path) -> None:
    log: list[tuple[Any, ...]] = []
    wal = WalWriter(tmp_path / "wal", FrozenClock(START_NS), fsync_interval_ms=60_000)
    await wal.start()
    try:
        core = Core(wal, log)
        await EventStep(core, batched(1_000)).run_async(Event(1, intent=True))  # type: ignore[arg-type]
        assert [entry for entry in log if entry[0] == "release"] == [("release", 0, 1)]
    finally:
        await wal.close()


async def test_a_journal_that_fails_drops_the_entries_and_still_releases_the_exits() -> None:
    step, core, log = _step(BEFORE_EFFECT, on_event=None, advance=None)
    core.wal.fail = True
    await step.run_async(Event(3, intent=True))
    assert log[-2:] == [("drop entries",), ("release", 0, 1)]


def _flattening(core: Core, log: list[tuple[Any, ...]]) -> Any:
    """A command's effect that says how durable the journal was when it acted, and leaves an
    order (a flatten's) to release."""
    def effect(command: Command) -> CommandResult:
        log.append(("effect", type(command).__name__, core.wal.durable_seq, core.wal.last_seq))
        core.wal.write(NoticeGiven(source="order", text="flatten order"))
        core.pending = True
        return CommandResult(True, "flattening")
    return effect


async def test_an_operators_command_is_durable_with_its_latched_time_before_it_acts_and_its_order_after() -> None:
    step, core, log = _step(BEFORE_EFFECT, on_event=None, advance=None,
                            latch=lambda: log.append(("latch",)) or 1_234)
    step.apply = _flattening(core, log)
    step.run(Event(1))
    result = await step.run_command_async(Flatten(None))
    assert result == CommandResult(True, "flattening")
    assert log == [("latch",), ("process", 1),
                   ("latch",), ("write", CommandIssued.TYPE, 1), ("sync", 1), ("effect", "Flatten", 1, 1),
                   ("write", "notice", 2), ("sync", 2), ("release", 2, 2)]
    assert core.wal.records[0] == journal_record(Flatten(None), 1, 1_234)  # after 1 event, at the latch


def test_a_replayed_command_acts_at_its_time_under_the_sessions_record_and_releases_unsynced() -> None:
    step, core, log = _step(batched(100), on_event=None)
    step.apply = _flattening(core, log)
    journaled = journal_record(Flatten("BTC/USDT"), 0, 5_000)
    step.run_command(Flatten("BTC/USDT"), now_ns=5_000, journaled=journaled)
    assert log == [("clock", 5_000), ("write", CommandIssued.TYPE, 1), ("effect", "Flatten", 0, 1),
                   ("write", "notice", 2), ("release", 0, 2)]
    assert core.wal.records[0] is journaled


def test_a_command_on_a_trading_sessions_synchronous_step_is_synced_before_it_acts() -> None:
    step, core, log = _step(BEFORE_EFFECT, on_event=None, advance=None)
    step.apply = lambda command: log.append(("effect", core.wal.durable_seq)) or CommandResult(True, "paused")
    step.run_command(PauseStrategy("cvd"))
    assert log == [("write", CommandIssued.TYPE, 1), ("sync", 1), ("effect", 1)]


def test_a_step_without_an_effect_takes_no_command() -> None:
    step, _, log = _step(batched(100), on_event=None)
    with pytest.raises(RuntimeError, match="takes no commands"):
        step.run_command(PauseStrategy("cvd"))
    assert log == []  # nothing journaled that would not act


def test_a_batch_of_fewer_than_one_event_is_refused() -> None:
    with pytest.raises(ValueError, match="every_events"):
        batched(0)
