"""Recording what a running engine's strategies saw, so that ``hft-tui replay --verify`` can
run the session again and check every decision against the WAL.

Each sim or paper session writes ``<state_dir>/recordings/session-<N>/`` (N: the number the
engine journals in ``session_start``): the market events as a :class:`SessionRecorder`
recording, plus two files of our own:

    session.json   the session number, mode, exchange, what kind of clock ran it, and the
                   effective settings (no secrets live in Settings)
    clock.i64      the engine clock's reading as each event reached the core (int64 ns,
                   native byte order, one per event)

The clock tape makes a replay see the same ``now`` per event as the session did: on a data
clock (unpaced sim, tests) that is the data's own time; on a latched wall clock (paced sim,
paper) it is the one wall reading the whole event saw, which no replay could otherwise know.
Sessions recorded before the core's clock was latched say ``wall``: their core read the wall
clock freely within an event, so only the first reading per event is on the tape.

Parts and the tape are flushed every ``part_events`` events, so a crash loses at most that
many and the part still being written (on the recorder's own thread, off the engine's loop;
the tape may then run ahead of the parts, never behind); directories are 0700 and files 0600 (market data is not secret, but the session's
existence and timing is the operator's business).
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hft_tui.clock import LatchedClock, SimulatedClock
from hft_tui.config.settings import Settings
from hft_tui.data.capture import SIM_LICENCE
from hft_tui.data.recording import META_FILE, RecordingMeta, SessionRecorder
from hft_tui.data.recording_retention import prune_recordings
from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.redaction import describe_error, redact_payload
from hft_tui.session.engine import Engine
from hft_tui.wal.orphans import remove_orphan_temp_files
from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.record_types import ComponentError, RecordingsPruned
from hft_tui.wal.segments import open_private

RECORDINGS_DIR = "recordings"
SESSION_FILE = "session.json"
CLOCK_FILE = "clock.i64"
SESSION_FORMAT = 1
# Small parts: a session that dies loses at most this many events of its recording.
SESSION_PART_EVENTS = 10_000
SIM_SOURCE = "sim"

ClockKind = Literal["data", "latched", "wall"]


@dataclass(frozen=True, slots=True)
class SessionTape:
    """What ``session.json`` says about a recorded engine session."""

    session: int
    mode: str
    exchange_id: str
    clock: ClockKind
    clock_start_ns: int
    settings: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The sidecar document."""
        return {"format": SESSION_FORMAT, "session": self.session, "mode": self.mode,
                "exchange_id": self.exchange_id, "clock": self.clock,
                "clock_start_ns": self.clock_start_ns, "settings": self.settings}

    @classmethod
    def read(cls, directory: Path) -> SessionTape | None:
        """The sidecar of a recording, or None for a recording made by ``hft-tui record``."""
        path = directory / SESSION_FILE
        if not path.exists():
            return None
        doc = json.loads(path.read_text())
        if doc.get("format") != SESSION_FORMAT:
            raise ValueError(f"{path}: unsupported session format {doc.get('format')!r}")
        return cls(session=int(doc["session"]), mode=str(doc["mode"]),
                   exchange_id=str(doc["exchange_id"]), clock=doc["clock"],
                   clock_start_ns=int(doc["clock_start_ns"]), settings=dict(doc["settings"]))


def read_clock_tape(directory: Path) -> np.ndarray:
    """The clock readings per event (empty when the recording has none)."""
    path = directory / CLOCK_FILE
    if not path.exists():
        return np.empty(0, dtype=np.int64)
    data = path.read_bytes()
    usable = len(data) - len(data) % 8  # a crash mid-write leaves a partial last reading
    return np.frombuffer(data[:usable], dtype=np.int64)


def recordings_dir(state_dir: Path) -> Path:
    """Where a state dir keeps its sessions' input recordings."""
    return state_dir / RECORDINGS_DIR


def newest_recording(directory: Path) -> Path | None:
    """The most recently written recording under ``directory`` (by its meta file)."""
    if not directory.is_dir():
        return None
    candidates = [p for p in directory.iterdir() if (p / META_FILE).is_file()]
    if not candidates:
        return None
    return max(candidates, key=lambda p: ((p / META_FILE).stat().st_mtime_ns, p.name))


def _clock_kind(clock: object) -> ClockKind:
    if isinstance(clock, SimulatedClock):
        return "data"
    return "latched" if isinstance(clock, LatchedClock) else "wall"


class InputRecorder:
    """Records every market event an engine's core sees, with the clock reading at that moment.

    Opened at the first event, when the engine has journaled ``session_start`` and knows its
    session number. A recorder that fails (disk full) journals an ``error`` and stops
    recording; it never takes the trading session down.
    """

    def __init__(self, engine: Engine, settings: Settings, directory: Path, *,
                 part_events: int = SESSION_PART_EVENTS) -> None:
        if part_events < 1:
            raise ValueError(f"part_events must be >= 1, got {part_events}")
        self._engine = engine
        self._settings = settings
        self._root = directory
        self._part_events = part_events
        self._max_bytes = settings.engine.recordings_max_mb * 2**20
        core_clock = engine.core.clock
        self._now: Callable[[], int] = core_clock.now_ns
        self._clock_kind: ClockKind = _clock_kind(core_clock)
        # The clock as begin_session will read it: recovery's DRB marks use this time.
        self._clock_start_ns = core_clock.now_ns()
        self._recorder: SessionRecorder | None = None
        self._tape = array("q")
        self._tape_fd = -1
        self.directory: Path | None = None
        self.meta: RecordingMeta | None = None

    def attach(self) -> None:
        """Start recording at the engine's next event; close when the engine stops."""
        self._engine.on_event = self._first_event
        self._engine.on_stop = self.close

    def _first_event(self, event: MarketEvent) -> None:
        try:
            self._open()
        except Exception as exc:  # noqa: BLE001 - recording is optional, trading is not
            self._fail(exc)
            return
        self._engine.on_event = self._record
        self._record(event)

    def _open(self) -> None:
        core = self._engine.core
        session = core.session_number
        settings = self._settings
        is_sim = settings.engine.mode == "sim"
        ensure_private_dir(self._root)
        directory = self._free_directory(session)
        ensure_private_dir(directory)
        tape = SessionTape(session=session, mode=settings.engine.mode,
                           exchange_id=SIM_SOURCE if is_sim else settings.exchange.id,
                           clock=self._clock_kind, clock_start_ns=self._clock_start_ns,
                           settings=redact_payload(core.settings.model_dump(mode="json")))
        _write_private(directory / SESSION_FILE, json.dumps(tape.to_json(), indent=2) + "\n")
        meta = RecordingMeta(
            source=tape.exchange_id,
            symbols=tuple(core.symbols),
            rules=dict(core.rules),
            seed=settings.engine.seed,
            sim=settings.sim.model_dump(mode="json") if is_sim else {},
            licence=SIM_LICENCE if is_sim else "",
        )
        self._recorder = SessionRecorder(directory, meta, part_events=self._part_events)
        self._tape_fd = open_private(directory / CLOCK_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        self.directory = directory
        self._keep_within_budget()

    def _free_directory(self, session: int) -> Path:
        """``session-<N>``, or ``session-<N>.<k>`` when a WAL was reset and N comes round again."""
        candidate = self._root / f"session-{session}"
        k = 1
        while candidate.exists() and any(candidate.iterdir()):
            candidate = self._root / f"session-{session}.{k}"
            k += 1
        return candidate

    def _record(self, event: MarketEvent) -> None:
        recorder = self._recorder
        assert recorder is not None
        try:
            recorder.write(event)
            self._tape.append(self._now())
            if len(self._tape) >= self._part_events:
                # SessionRecorder has just handed a part to its writer: keep the tape level with it.
                self._flush_tape()
                self._keep_within_budget()
        except Exception as exc:  # noqa: BLE001 - recording is optional, trading is not
            self._fail(exc)

    def _flush_tape(self) -> None:
        if self._tape:
            os.write(self._tape_fd, self._tape.tobytes())
            self._tape = array("q")

    def _keep_within_budget(self) -> None:
        """Delete the oldest other sessions' recordings once all of them pass the budget."""
        result = prune_recordings(self._root, self._max_bytes, self.directory)
        if result.removed:
            self._engine.wal.write(RecordingsPruned(
                sessions=list(result.removed), freed_mb=round(result.freed_bytes / 2**20, 1),
                max_mb=self._settings.engine.recordings_max_mb))

    def _fail(self, exc: Exception) -> None:
        self._engine.on_event = None
        self._engine.wal.write(ComponentError(where="input_recording", error=describe_error(exc)))
        self._engine.core.add_notice("recording", f"input recording stopped: {describe_error(exc)}")
        self._release()

    def _release(self) -> None:
        if self._tape_fd >= 0:
            os.close(self._tape_fd)
            self._tape_fd = -1

    def close(self) -> RecordingMeta | None:
        """Write what is buffered and the final meta (None if nothing was recorded). Idempotent."""
        if self._engine.on_event in (self._first_event, self._record):
            self._engine.on_event = None
        recorder = self._recorder
        if recorder is None:
            return None
        if self._tape_fd >= 0:
            try:
                self.meta = recorder.close()
                self._flush_tape()
            except Exception as exc:  # noqa: BLE001 - a part that could not be written, as in _record
                self._fail(exc)
            finally:
                self._release()
        return self.meta


def attach_input_recorder(engine: Engine, settings: Settings, state_dir: Path) -> InputRecorder:
    """Record ``engine``'s input into ``<state_dir>/recordings/session-<N>/`` from its next event.

    The parts a killed session was still writing (``.events-*.parquet.tmp``) are removed
    first: the engine holds the state dir's WAL lock, so no other process writes them.
    """
    root = recordings_dir(state_dir)
    if root.is_dir():
        for session in (p for p in root.iterdir() if p.is_dir()):
            remove_orphan_temp_files(session)
    recorder = InputRecorder(engine, settings, root)
    recorder.attach()
    return recorder


def _write_private(path: Path, text: str) -> None:
    with os.fdopen(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w") as handle:
        handle.write(text)

