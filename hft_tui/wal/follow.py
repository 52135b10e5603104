"""Following a growing WAL (``wal tail -f``): poll for new complete lines, across rotations."""

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


def follow_records(
    directory: Path,
    start: WalPosition | None,
    *,
    poll_s: float = DEFAULT_POLL_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[WalRecord]:
    """Yield records appended after ``start`` as they appear; never returns on its own.

    Only complete lines are yielded (a writer mid-write is waited for). When the next
    segment exists the current one is finished - the writer fsyncs a segment before
    starting the next - so the rest of it is drained and reading moves on. A partial
    line that recovery cut off (a torn tail) is dropped, and reading resumes at the cut.
    """
    index, offset = (start.segment_index, start.offset) if start else (1, 0)
    carry = b""
    while True:
        path = directory / segment_name(index)
        if carry and _read_from(path, offset - len(carry), len(carry)) != carry:
            # The unfinished line we hold is gone: recovery cut it off as a torn tail and
            # the writer may have written over it since. Re-read from where it began.
            offset, carry = offset - len(carry), b""
        data = _read_from(path, offset)
        if data:
            offset += len(data)
            lines = (carry + data).split(b"\n")
            carry = lines.pop()
            for line in lines:
                try:
                    yield WalRecord.from_document(parse_line(line))
                except BadLineError as exc:
                    raise WalCorruptError(path, None, str(exc.reason), exc.detail) from None
            continue
        if (directory / segment_name(index + 1)).exists():
            # Drain anything written to this segment between our read and the check.
            if _read_from(path, offset):
                continue
            index, offset, carry = index + 1, 0, b""
            continue
        sleep(poll_s)


def _read_from(path: Path, offset: int, size: int = _READ_BYTES) -> bytes:
    """Up to ``size`` bytes of ``path`` from ``offset``; empty if none or the file is missing."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)
    except FileNotFoundError:
        return b""
