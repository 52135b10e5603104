"""Following a growing WAL (``wal tail -f``, the trades screen): read the complete lines
appended since the last read, across rotations."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from hft_tui.wal.errors import WalCorruptError
from hft_tui.wal.reader import WalPosition
from hft_tui.wal.record import BadLineError, WalRecord, parse_line
from hft_tui.wal.segments import segment_name

DEFAULT_POLL_S = 0.25
_READ_BYTES = 1 * 2**20


class WalFollower:
    """Where a reader of a growing WAL has got to; ``available`` reads on from there.

    Only complete lines are read (a writer mid-write is waited for). When the next segment
    exists the current one is finished - the writer fsyncs a segment before starting the
    next - so the rest of it is drained and reading moves on. A partial line that recovery
    cut off (a torn tail) is dropped, and reading resumes at the cut.
    """

    def __init__(self, directory: Path, start: WalPosition | None = None) -> None:
        self._directory = directory
        self._index, self._offset = (start.segment_index, start.offset) if start else (1, 0)
        self._carry = b""

    def available(self, only: bytes = b"") -> Iterator[WalRecord]:
        """The records appended since the last call, up to the end of what is written now.
        ``only`` (e.g. ``b'"trade_closed"'``) skips, unparsed, every line not containing it."""
        while True:
            path = self._directory / segment_name(self._index)
            carry = self._carry
            if carry and _read_from(path, self._offset - len(carry), len(carry)) != carry:
                # The unfinished line we hold is gone: recovery cut it off as a torn tail and
                # the writer may have written over it since. Re-read from where it began.
                self._offset, self._carry = self._offset - len(carry), b""
            data = _read_from(path, self._offset)
            if data:
                self._offset += len(data)
                lines = (self._carry + data).split(b"\n")
                self._carry = lines.pop()
                for line in lines:
                    if only not in line:
                        continue
                    try:
                        yield WalRecord.from_document(parse_line(line))
                    except BadLineError as exc:
                        raise WalCorruptError(path, None, str(exc.reason), exc.detail) from None
                continue
            if (self._directory / segment_name(self._index + 1)).exists():
                # Drain anything written to this segment between our read and the check.
                if _read_from(path, self._offset):
                    continue
                self._index, self._offset, self._carry = self._index + 1, 0, b""
                continue
            return


def follow_records(
    directory: Path,
    start: WalPosition | None,
    *,
    poll_s: float = DEFAULT_POLL_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[WalRecord]:
    """Yield records appended after ``start`` as they appear; never returns on its own."""
    follower = WalFollower(directory, start)
    while True:
        yield from follower.available()
        sleep(poll_s)


def _read_from(path: Path, offset: int, size: int = _READ_BYTES) -> bytes:
    """Up to ``size`` bytes of ``path`` from ``offset``; empty if none or the file is missing."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)
    except FileNotFoundError:
        return b""
