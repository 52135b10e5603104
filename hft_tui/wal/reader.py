"""Reading the WAL back: every record in order (verified), or just the newest few."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hft_tui.wal.errors import WalCorruptError
from hft_tui.wal.record import BadLineError, WalRecord, parse_line
from hft_tui.wal.scan import WalScan
from hft_tui.wal.segments import list_segments, segment_index

_BACKWARD_BLOCK_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class WalPosition:
    """A byte position just after a complete line: where a follower resumes reading."""

    segment_index: int
    offset: int


def iter_records(directory: Path, *, tolerate_torn_tail: bool = False) -> Iterator[WalRecord]:
    """Every record, oldest first, crc- and seq-checked; raises WalCorruptError on damage.

    With ``tolerate_torn_tail`` a damaged final line (a writer mid-write, or a crash not yet
    recovered) ends the iteration quietly instead.
    """
    scan = WalScan(directory)
    for doc in scan:
        yield WalRecord.from_document(doc)
    problem = scan.problem
    if problem is not None and not (tolerate_torn_tail and problem.recoverable):
        raise problem.to_error()


def read_last_records(directory: Path, n: int) -> tuple[list[WalRecord], WalPosition | None]:
    """The newest ``n`` complete records (reading segments backwards) and the position after them.

    Each line's crc is checked; a partial final line (a write in progress) is skipped. The
    position is None when the WAL has no segment yet.
    """
    segments = list_segments(directory)
    if not segments:
        return [], None
    found: list[tuple[Path, bytes]] = []
    position: WalPosition | None = None
    for path in reversed(segments):
        wanted = max(n - len(found), 0)
        segment_lines, end = _last_complete_lines(path, wanted)
        if position is None:
            position = WalPosition(segment_index(path), end)
        found[:0] = [(path, line) for line in segment_lines]
        if len(found) >= n:
            break
    records: list[WalRecord] = []
    for path, line in found:
        try:
            records.append(WalRecord.from_document(parse_line(line)))
        except BadLineError as exc:
            raise WalCorruptError(path, None, str(exc.reason), exc.detail) from None
    return records, position


def _last_complete_lines(path: Path, wanted: int) -> tuple[list[bytes], int]:
    """Up to ``wanted`` last complete lines of one segment, and the offset just after the last one."""
    with open(path, "rb") as handle:
        start = handle.seek(0, os.SEEK_END)
        blocks: list[bytes] = []
        newlines = 0
        # One newline more than wanted: the earliest piece read may begin mid-line.
        while start > 0 and newlines <= wanted:
            step = min(_BACKWARD_BLOCK_BYTES, start)
            start -= step
            handle.seek(start)
            block = handle.read(step)
            newlines += block.count(b"\n")
            blocks.append(block)
    data = b"".join(reversed(blocks))
    last_newline = data.rfind(b"\n")
    if last_newline < 0:
        return [], start
    pieces = data[:last_newline].split(b"\n")
    if start > 0:
        pieces = pieces[1:]
    return pieces[max(len(pieces) - wanted, 0) :], start + last_newline + 1
