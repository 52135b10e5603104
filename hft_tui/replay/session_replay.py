"""Running a recorded session through a freshly built core: the same events, the same clock
readings, the same operator commands at the same positions, into a new WAL.

Two kinds of journal are replayed:

* an engine session (sim or paper, recorded by ``session_recording``): the WAL records
  before the session are copied into the replay's WAL, so ``begin_session`` recovers the
  state the session started from; each event is processed at the clock reading the session
  saw; each journaled command (``command``/``kill``) is re-applied after the ``at_event``
  events its record names;
* a backtest (``hft-tui backtest --recording DIR --wal-dir WAL``): the runner's loop on a
  simulated clock that follows the data from the recording's first event.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from hft_tui.bus import Metrics
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import Settings
from hft_tui.data.recording import RecordedSession
from hft_tui.market.sources.recording import RecordingSource
from hft_tui.replay.decision_stream import COMMAND_TYPES, DecisionRecord, JournalSession, split_sessions
from hft_tui.session.begin_session import begin_session
from hft_tui.session.command_effects import apply_command
from hft_tui.session.input_recording import SessionTape, read_clock_tape
from hft_tui.session.step import EventStep, batched
from hft_tui.trading.commands import Command, CommandError, journaled_command
from hft_tui.trading.core import TradingCore
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record import WalRecord
from hft_tui.strategies.catalogue import install, installed
from hft_tui.strategies.user_strategies import UserStrategyError, recorded_catalogue, source_sha256
from hft_tui.trading.strategy_reload import apply_reload, prepare_reload
from hft_tui.wal.record_types import ABSENT, RECORD_CLASSES, CommandIssued, SessionStarted, StrategyReloaded
from hft_tui.wal.writer import WalWriter

# The replay's WAL is written as a backtest's is: made durable in large batches (the step's
# policy ``batched``), not before each release.
SYNC_EVERY_EVENTS = 100_000


class ReplayError(ValueError):
    """The recording and the WAL cannot be replayed together; the message says why."""


@dataclass(frozen=True)
class ReplayPlan:
    """A recording, the journal session it fed, and what that session recovered from."""

    recording: RecordedSession
    session: JournalSession
    prefix: tuple[WalRecord, ...]
    tape: SessionTape | None

    @property
    def wall_clock(self) -> bool:
        """True when the session's core read the wall clock freely (paced sim or paper recorded
        before the core's clock was latched per event): its clock readings cannot be replayed."""
        return not self.session.is_backtest and self.tape is not None and self.tape.clock == "wall"


@dataclass(frozen=True)
class ReplayRun:
    """The replay's decision stream and where each market event's records ended in its WAL."""

    decisions: list[DecisionRecord]
    events: int
    commands_applied: int
    start_seq: int
    event_end_seqs: np.ndarray

    def event_of(self, decision: DecisionRecord) -> int:
        """The 1-based number of the market event whose processing journaled ``decision``
        (0: before the first event, i.e. recovery; ``events`` for what came after the last)."""
        if decision.seq <= self.start_seq:
            return 0
        return min(int(np.searchsorted(self.event_end_seqs, decision.seq, side="left")) + 1, self.events)


def plan_replay(recording_dir: Path, wal_dir: Path) -> ReplayPlan:
    """Pair a recording with its session in ``wal_dir``; ReplayError if they do not belong together."""
    try:
        recording = RecordedSession(recording_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise ReplayError(str(exc)) from None
    if not wal_dir.is_dir():
        raise ReplayError(f"no WAL at {wal_dir}")
    records = iter_records(wal_dir, tolerate_torn_tail=True)
    preamble, sessions = split_sessions(records)
    if not sessions:
        raise ReplayError(f"the WAL at {wal_dir} has no session")
    tape = SessionTape.read(recording_dir)
    if all(s.is_backtest for s in sessions):
        # A backtest over this recording: a fresh WAL holds that one run.
        session = sessions[-1]
    elif tape is None:
        raise ReplayError(f"{recording_dir} was not recorded by an engine session (no session.json) "
                          f"and {wal_dir} is not a backtest's WAL")
    else:
        if tape.session > len(sessions):
            raise ReplayError(f"the recording is of session {tape.session}, but the WAL at {wal_dir} "
                              f"has {len(sessions)} session(s): is it the WAL of the state dir it came from?")
        session = sessions[tape.session - 1]
    prefix = [*preamble, *(r for s in sessions[:session.number - 1] for r in s.records)]
    return ReplayPlan(recording, session, tuple(prefix), tape)


def session_settings(plan: ReplayPlan, config_file: Path | None, overrides: dict[str, Any]) -> Settings:
    """The settings the engine session ran with (a backtest: ``config_file``'s), with
    ``overrides`` on top, and the user strategies' code it started with installed where the
    session journaled it (reload on). Raises ConfigError when an override does not validate.
    """
    try:
        install(recorded_catalogue(plan.session.start.payload, installed()))
    except UserStrategyError as exc:
        raise ReplayError(f"the code the session started with does not load: {exc}") from None
    if plan.session.is_backtest or plan.tape is None:
        return load_settings(config_file, overrides)
    # Whole sections as table overrides, then the dotted ones: the loader validates and
    # reports both as it does for any command line.
    return load_settings(None, {**copy.deepcopy(plan.tape.settings), **overrides})


def run_replay(plan: ReplayPlan, settings: Settings, out_wal: Path) -> ReplayRun:
    """Replay the plan's session into a new WAL at ``out_wal`` (empty or absent)."""
    if out_wal.exists() and any(out_wal.iterdir()):
        raise ReplayError(f"{out_wal} is not empty: a replay writes a fresh WAL")
    meta = plan.recording.meta
    tape = plan.tape
    backtest = plan.session.is_backtest
    start_ns = meta.start_ts_ns if backtest or tape is None else tape.clock_start_ns
    clock = SimulatedClock(start_ns)
    wal = WalWriter(out_wal, clock, fsync_interval_ms=settings.wal.fsync_interval_ms,
                    rotate_bytes=settings.wal.rotate_mb * 2**20, tail_size=10)
    try:
        core = TradingCore(settings, clock=clock, wal=wal, rules=meta.rules, exchange_id=meta.source,
                           metrics=Metrics())
        if backtest:
            wal.write(SessionStarted.from_payload(plan.session.start.payload))
            core.strategies.report_start_failures()
        else:
            for record in plan.prefix:
                wal.append(record.type, record.payload)
            wal.sync()
            start = plan.session.start.payload
            begin_session(core, mode=str(start["mode"]), exchange=str(start["exchange"]),
                          source=RecordingSource.name)
        readings = None if backtest else read_clock_tape(plan.recording.directory)
        commands = [] if backtest else list(_commands(plan.session.records))
        start_seq = wal.last_seq
        events, applied, end_seqs = _drive(core, clock, plan.recording.events(), readings,
                                           commands, wall_clock=plan.wall_clock)
        wal.sync()
    finally:
        wal.close_sync()
    _, sessions = split_sessions(iter_records(out_wal))
    return ReplayRun(sessions[-1].decisions(), events, applied, start_seq, end_seqs)


def _drive(core: TradingCore, clock: SimulatedClock, events: Iterator[Any],
           readings: np.ndarray | None,
           commands: Sequence[tuple[int, WalRecord, CommandIssued | StrategyReloaded, Command | None]],
           *, wall_clock: bool) -> tuple[int, int, np.ndarray]:
    """The engine's step for each event (clock, process, release) and each command between
    events (clock, its record, its effect, release), with no LIVE session."""
    # On the data's clock the core times no hook, so it decides no command itself: the only
    # commands are the session's, re-applied where its journal has them.
    replay_step = EventStep(core, batched(SYNC_EVERY_EVENTS), advance=clock.advance_to,
                            apply=partial(apply_command, core, None))
    step = replay_step.run
    wal = core.wal
    tape = readings.tolist() if readings is not None else []
    end_seqs: list[int] = []
    pending = 0

    def apply_due(processed: int) -> int:
        nonlocal pending
        while pending < len(commands) and commands[pending][0] <= processed:
            _, record, issued, command = commands[pending]
            pending += 1
            if isinstance(issued, StrategyReloaded):
                _reload(replay_step, issued)
                continue
            assert command is not None
            if issued.clock_ns is not ABSENT:
                now_ns: int | None = int(issued.clock_ns)  # the latched time the command acted at
            else:  # the command's wall time, to the microsecond; on a data clock, the last event's
                now_ns = _ts_ns(record.ts) if wall_clock else None
            replay_step.run_command(command, now_ns=now_ns, journaled=issued)
        return pending

    count = 0
    for event in events:
        if pending < len(commands):
            apply_due(count)
        step(event, tape[count] if count < len(tape) else event.ts_ns)
        count += 1
        end_seqs.append(wal.last_seq)
    apply_due(count)
    return count, pending, np.asarray(end_seqs, dtype=np.int64)


def _commands(records: Sequence[WalRecord]) -> Iterator[tuple[int, WalRecord, CommandIssued | StrategyReloaded,
                                                              Command | None]]:
    """Each journaled command as (events processed before it, its record typed and as read,
    the command), and each strategy reload (with no command: the replay reloads it itself)."""
    for record in records:
        if record.type == StrategyReloaded.TYPE:
            reload = StrategyReloaded.from_payload(record.payload)
            yield reload.at_event, record, reload, None
            continue
        if record.type not in COMMAND_TYPES:
            continue
        issued = RECORD_CLASSES[record.type].from_payload(record.payload)
        assert isinstance(issued, CommandIssued)
        try:
            command = journaled_command(issued)
        except CommandError as exc:
            raise ReplayError(f"WAL seq {record.seq}: command {issued.command!r}: {exc}") from None
        yield int(issued.at_event), record, issued, command


def _reload(step: EventStep, reload: StrategyReloaded) -> None:
    """Reload the strategy from the text the session journaled, at the same point, as the
    engine did (journaled by the replay itself, so its record is compared too)."""
    if source_sha256(reload.source) != reload.sha256:
        raise ReplayError(f"the reload of {reload.strategy} holds a text that is not its sha256's")
    core = step.core
    try:
        prepared = prepare_reload(core, reload.strategy, Path(reload.path), reload.source)
    except UserStrategyError as exc:
        raise ReplayError(f"reloading {reload.strategy} again failed: {exc}") from None
    step.journal(prepared.record)
    apply_reload(core, prepared)


def _ts_ns(iso: str) -> int:
    """A WAL ``ts`` (ISO-8601 UTC, microseconds) as ns since the epoch."""
    moment = datetime.fromisoformat(iso)
    return (int(moment.timestamp()) * 1_000_000 + moment.microsecond) * 1_000
