"""Recovery on open: verify every segment, cut a torn final line, refuse anything worse."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hft_tui.wal.reader import read_last_records
from hft_tui.wal.record import CorruptionReason, WalRecord
from hft_tui.wal.scan import WalProblem, WalScan
from hft_tui.wal.segments import fsync_directory, open_private, segment_index, write_private_file


@dataclass(frozen=True, slots=True)
class TornTail:
    """A torn final line that recovery cut off, and where its bytes were kept."""

    path: Path
    line_no: int
    cut_bytes: int
    copy_path: Path
    reason: CorruptionReason
    detail: str


@dataclass(frozen=True, slots=True)
class RecoveryResult:
    """Where the writer continues: after ``last_seq``, in segment ``segment_index``."""

    records: int
    last_seq: int  # 0 when the WAL is empty
    last_ts: str | None
    segment_index: int
    segment_bytes: int
    torn_tail: TornTail | None
    tail: tuple[WalRecord, ...]  # the newest records, oldest first, for the UI


def recover(directory: Path, *, keep_tail: int = 500) -> RecoveryResult:
    """Verify the WAL and make it appendable; raises WalCorruptError on damage before the end."""
    scan = WalScan(directory, decode=False)
    for _ in scan:
        pass
    last = scan.last_doc
    torn: TornTail | None = None
    problem = scan.problem
    if problem is not None:
        if not problem.recoverable:
            raise problem.to_error()
        torn = _cut_torn_tail(problem, next_seq=last["seq"] + 1 if last else 1)
        # The writer continues right where the good prefix ends, in the same segment.
        index, size = segment_index(problem.path), problem.offset
    elif scan.segments:
        index, size = segment_index(scan.segments[-1]), os.path.getsize(scan.segments[-1])
    else:
        index, size = 1, 0
    return RecoveryResult(
        records=scan.records,
        last_seq=last["seq"] if last else 0,
        last_ts=last["ts"] if last else None,
        segment_index=index,
        segment_bytes=size,
        torn_tail=torn,
        # After any torn tail was cut: the newest records, decoded for the UI.
        tail=tuple(read_last_records(directory, keep_tail)[0]) if keep_tail > 0 else (),
    )


def _cut_torn_tail(problem: WalProblem, next_seq: int) -> TornTail:
    """Copy the bytes from the bad line to the end aside (0600), then truncate them off."""
    path = problem.path
    with open(path, "rb") as handle:
        handle.seek(problem.offset)
        cut = handle.read()
    copy_path = _unused_path(path.with_name(f"{path.name}.torn-{next_seq}"))
    write_private_file(copy_path, cut, exclusive=True)
    fd = open_private(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, problem.offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_directory(path.parent)
    return TornTail(path, problem.line_no, len(cut), copy_path, problem.reason, problem.detail)


def _unused_path(path: Path) -> Path:
    """``path`` itself, or ``path.1``, ``path.2``... if a crash at the same seq left one before."""
    candidate, n = path, 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate
