"""The engine's journal writer: synchronous appends, group-committed fsyncs.

``append`` encodes and buffers on the caller's (the loop's) thread and returns at once.
A commit task wakes every ``fsync_interval_ms`` - or at once when someone awaits
durability - takes everything buffered, and writes it in one ``write`` plus one fsync on a
dedicated thread, so the loop never blocks on the disk. Appends that arrive while an
fsync is in flight ride the next one: that is the group commit.

A write or fsync that fails (disk full, I/O error, read-only remount) makes the writer
*failed*: ``on_failure`` is told at once, every waiter gets WalWriteError, and nothing is
acknowledged from then on. Appends are still taken - held in memory, never acknowledged -
so the engine can journal what the kill switch does; every ``RETRY_INTERVAL_S`` the writer
cuts the segment back to its last durable byte and writes everything held again, and once
that succeeds the held records are durable and ``on_recovered`` is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from hft_tui.bus import Metrics
from hft_tui.clock import Clock
from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.appender import SegmentAppender
from hft_tui.wal.errors import WalClosedError, WalError, WalUnavailableError, WalWriteError
from hft_tui.wal.lock import DirectoryLock
from hft_tui.wal.orphans import remove_orphan_temp_files
from hft_tui.wal.probe import probe_writable
from hft_tui.wal.record import WalRecord, encode_line
from hft_tui.wal.record_types import Record
from hft_tui.wal.segments import FILE_MODE, list_segments
from hft_tui.wal.timestamps import iso_utc_formatter
from hft_tui.wal.torn_tail import RecoveryResult, recover

DEFAULT_ROTATE_BYTES = 64 * 2**20
DEFAULT_TAIL_SIZE = 500
# A failed writer tries to write what it holds again this often.
RETRY_INTERVAL_S = 1.0

# A batch is the lines bound for one segment; a commit writes a list of them in order.
_Batch = tuple[int, list[bytes]]
# WalRecord(...) goes through the NamedTuple's generated Python ``__new__``; building the
# tuple directly makes the same record at half the cost, once per append.
_new_tuple = tuple.__new__


class WalWriter:
    """Appends records to the WAL in ``directory``; opening it recovers what is on disk.

    Async use: ``await start()``, ``append``/``append_durable``/``flush``, ``await close()``.
    Without a loop (tools, backtests): ``append`` then ``sync()``, and ``close_sync()``.
    """

    def __init__(
        self,
        directory: Path,
        clock: Clock,
        *,
        fsync_interval_ms: float = 5.0,
        rotate_bytes: int = DEFAULT_ROTATE_BYTES,
        metrics: Metrics | None = None,
        tail_size: int = DEFAULT_TAIL_SIZE,
    ) -> None:
        if fsync_interval_ms <= 0:
            raise ValueError("fsync_interval_ms must be positive")
        if rotate_bytes <= 0:
            raise ValueError("rotate_bytes must be positive")
        self.directory = directory
        self._now_ns = clock.now_ns  # bound once: called per append
        self._format_ts = iso_utc_formatter()
        self._interval_s = fsync_interval_ms / 1e3
        self._rotate_bytes = rotate_bytes
        self._metrics = metrics

        self._lock = DirectoryLock(directory)
        created: list[Path] = []
        try:
            created = ensure_private_dir(directory)
            lock_existed = self._lock.path.exists()
            self._lock.acquire()
        except OSError as exc:
            _remove_created(created, [])
            raise WalUnavailableError(f"cannot open the WAL in {directory}: {exc}") from exc
        try:
            remove_orphan_temp_files(directory)
            probe_writable(directory)
            for path in list_segments(directory):
                if stat.S_IMODE(os.stat(path).st_mode) != FILE_MODE:
                    os.chmod(path, FILE_MODE)  # written by an older version, before files were born 0600
            self.recovery: RecoveryResult = recover(directory, keep_tail=tail_size)
        except BaseException as exc:
            self._lock.release()
            # A refused start leaves nothing behind that it made.
            _remove_created(created, [] if lock_existed else [self._lock.path])
            if isinstance(exc, OSError):
                raise WalUnavailableError(f"cannot write the WAL in {directory}: {exc}") from exc
            raise

        self._last_seq = self.recovery.last_seq
        self._durable_seq = self._last_seq
        self._taken_seq = self._last_seq  # highest seq handed to a commit
        self._segment_index = self.recovery.segment_index
        self._segment_bytes = self.recovery.segment_bytes  # includes bytes still buffered
        self._pending: list[bytes] = []
        self._batches: list[_Batch] = [(self._segment_index, self._pending)]
        self._tail: deque[WalRecord] = deque(self.recovery.tail, maxlen=tail_size)
        self._remember = self._tail.append
        self._appender = SegmentAppender(directory, self._segment_index, self._segment_bytes)
        # Batches a failed commit carried: written again, first, by the next attempt.
        self._held: list[_Batch] = []
        # Told (on the appending thread) when a commit fails, and when held records became durable.
        self.on_failure: Callable[[WalWriteError], None] | None = None
        self.on_recovered: Callable[[int], None] | None = None

        self._closed = False
        self._closing = False
        self._failure: BaseException | None = None
        # Set once appends must stop (closing); one check on the hot path. A failed write does
        # not stop appends: they are held in memory (see the module docstring).
        self._refusal: WalError | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._wake: asyncio.Event | None = None
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    # --- state -----------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """Highest seq appended (durable or not); 0 for an empty WAL."""
        return self._last_seq

    @property
    def durable_seq(self) -> int:
        """Highest seq known to be fsync'd."""
        return self._durable_seq

    @property
    def failed(self) -> bool:
        """True while the last commit failed: appends are held in memory, nothing is acknowledged."""
        return self._failure is not None

    @property
    def held_records(self) -> int:
        """Records appended but not durable (all of them held in memory while failed)."""
        return self._last_seq - self._durable_seq

    def tail(self, n: int) -> list[WalRecord]:
        """The newest ``n`` records, oldest first, from memory (includes not-yet-durable ones)."""
        if n <= 0:
            return []
        records = list(self._tail)
        return records[-n:]

    # --- appending -------------------------------------------------------------------

    def append(self, type: str, payload: dict[str, Any]) -> WalRecord:  # noqa: A002 - the record field's name
        """Stamp, encode and buffer one record; not durable until a commit covers it."""
        if self._refusal is not None:
            raise self._refusal.with_traceback(None)
        seq = self._last_seq + 1
        ts = self._format_ts(self._now_ns())
        line = encode_line(seq, ts, type, payload)
        segment_bytes = self._segment_bytes + len(line)
        if segment_bytes > self._rotate_bytes and self._segment_bytes:
            self._start_next_segment()
            segment_bytes = len(line)
        self._segment_bytes = segment_bytes
        self._pending.append(line)
        # Only now is the seq consumed: a payload that fails to encode leaves no gap.
        self._last_seq = seq
        record: WalRecord = _new_tuple(WalRecord, (seq, ts, type, payload))
        self._remember(record)
        return record

    def write(self, record: Record) -> WalRecord:
        """Append one typed record (``wal/record_types.py``): the way the session writes."""
        return self.append(record.TYPE, record.to_payload())

    async def write_durable(self, record: Record) -> WalRecord:
        """``write`` and return only once the record is fsync'd: WAL before effect."""
        return await self.append_durable(record.TYPE, record.to_payload())

    def _start_next_segment(self) -> None:
        self._segment_index += 1
        self._pending = []
        self._batches.append((self._segment_index, self._pending))

    async def append_durable(self, type: str, payload: dict[str, Any]) -> WalRecord:  # noqa: A002
        """Append and return only once the record is fsync'd: WAL before effect."""
        record = self.append(type, payload)
        await self._wait_durable(record.seq)
        return record

    async def flush(self) -> None:
        """Wait until everything appended so far is durable."""
        await self._wait_durable(self._last_seq)

    async def _wait_durable(self, seq: int) -> None:
        if self._durable_seq >= seq:
            return
        if self._failure is not None:
            raise self._write_error()
        if self._task is None or self._task.done() or self._wake is None:
            raise RuntimeError("the group-commit task is not running: await start() first, or use sync()")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((seq, future))
        self._wake.set()  # commit now rather than at the next tick: someone is waiting
        await future

    # --- async group commit ----------------------------------------------------------

    async def start(self) -> None:
        """Start the group-commit task on the running loop."""
        if self._refusal is not None:
            raise self._refusal.with_traceback(None)
        if self._task is not None:
            raise RuntimeError("the WAL writer is already started")
        self._wake = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wal-fsync")
        self._task = asyncio.create_task(self._run(), name="wal-group-commit")

    async def close(self) -> None:
        """Make everything durable, stop the commit task, close the file and the lock."""
        if self._closed:
            return
        if self._task is None:
            self.close_sync()
            return
        self._closing = True
        self._refuse(WalClosedError("the WAL writer is closed"))
        assert self._wake is not None and self._executor is not None
        self._wake.set()
        task = self._task
        try:
            # Shielded: if close() itself is cancelled the task still finishes the final commit.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
        loop = asyncio.get_running_loop()
        if self._failure is None and self._taken_seq < self._last_seq:
            # The task was cancelled from outside before committing everything.
            await self._commit(loop)
        # Queued behind any write still running on the executor.
        await loop.run_in_executor(self._executor, self._appender.close)
        self._executor.shutdown(wait=False)
        self._lock.release()
        self._closed = True
        if self._failure is not None:
            raise self._write_error()

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._wake.is_set():
                try:
                    async with asyncio.timeout(RETRY_INTERVAL_S if self._failure else self._interval_s):
                        await self._wake.wait()
                except TimeoutError:
                    pass
            self._wake.clear()
            if self._taken_seq < self._last_seq or self._failure is not None:
                await self._commit(loop)
            # Closing ends after one last attempt, whether or not a failed disk took it.
            if self._closing and (self._durable_seq >= self._last_seq or self._failure is not None):
                return

    async def _commit(self, loop: asyncio.AbstractEventLoop) -> None:
        """One group commit on the executor (after a failure: rewind, then everything held)."""
        rewind = self._failure is not None
        batches, upto, count = self._take_batches()
        try:
            fsync_ms = await loop.run_in_executor(self._executor, self._write_batches, batches, rewind)
        except Exception as exc:  # noqa: BLE001 - any I/O failure ends durability
            self._fail(exc, batches)
            return
        self._committed(upto, count, fsync_ms)

    def _fail(self, exc: BaseException, batches: list[_Batch]) -> None:
        """A write or fsync failed: what it carried is in doubt, so it is held for the next
        attempt and nothing is acknowledged until one succeeds."""
        first = self._failure is None
        self._failure = exc
        self._held = batches
        while self._waiters:
            _, future = self._waiters.popleft()
            if not future.done():
                future.set_exception(self._write_error())
        if first and self.on_failure is not None:
            self.on_failure(self._write_error())

    def _write_error(self) -> WalWriteError:
        error = WalWriteError(f"WAL write failed; nothing after seq {self._durable_seq} is durable: {self._failure}")
        error.__cause__ = self._failure
        return error

    def _refuse(self, error: WalError) -> None:
        self._refusal = error

    # --- shared commit steps ---------------------------------------------------------

    def _take_batches(self) -> tuple[list[_Batch], int, int]:
        """Detach everything held and buffered (on the appending thread, so no append is lost)."""
        batches = self._held + self._batches if self._held else self._batches
        self._held = []
        upto = self._last_seq
        count = upto - self._durable_seq
        self._pending = []
        self._batches = [(self._segment_index, self._pending)]
        self._taken_seq = upto
        return batches, upto, count

    def _write_batches(self, batches: list[_Batch], rewind: bool = False) -> float:
        """Blocking: one write per segment touched, then one fsync; returns fsync ms.

        ``rewind`` first cuts off whatever a failed attempt left after the last durable byte.
        """
        if rewind:
            self._appender.rewind()
        for index, lines in batches:
            if lines:
                self._appender.write(index, b"".join(lines))
        return self._appender.sync()

    def _committed(self, upto: int, count: int, fsync_ms: float) -> None:
        self._durable_seq = upto
        recovered = self._failure is not None
        self._failure = None
        if self._metrics is not None:
            self._metrics.wal_fsync_ms = fsync_ms
            self._metrics.count_wal_records(count)
        waiters = self._waiters
        while waiters and waiters[0][0] <= upto:
            _, future = waiters.popleft()
            if not future.done():  # the waiter may have been cancelled by a timeout
                future.set_result(None)
        if recovered and self.on_recovered is not None:
            self.on_recovered(upto)

    # --- synchronous path (no loop) ----------------------------------------------------

    def sync(self) -> None:
        """Write and fsync everything buffered now, on this thread; for use without a loop."""
        if self._task is not None and not self._task.done():
            raise RuntimeError("the group-commit task owns the file: await flush() instead")
        rewind = self._failure is not None
        if self._taken_seq == self._last_seq and not rewind:
            return
        batches, upto, count = self._take_batches()
        try:
            fsync_ms = self._write_batches(batches, rewind)
        except Exception as exc:
            self._fail(exc, batches)
            raise self._write_error() from exc
        self._committed(upto, count, fsync_ms)

    def close_sync(self) -> None:
        """``sync()``, then close the file and release the directory lock."""
        if self._closed:
            return
        self._refuse(WalClosedError("the WAL writer is closed"))
        try:
            self.sync()
        finally:
            self._appender.close()
            self._lock.release()
            self._closed = True

    def __enter__(self) -> WalWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close_sync()

    async def __aenter__(self) -> WalWriter:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _remove_created(directories: list[Path], files: list[Path]) -> None:
    """Undo what a refused open created: its files, then its (empty) directories, innermost first."""
    for path in files:
        with contextlib.suppress(OSError):
            path.unlink()
    for path in reversed(directories):
        with contextlib.suppress(OSError):
            path.rmdir()
