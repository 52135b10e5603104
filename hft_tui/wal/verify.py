"""Check a whole WAL without changing it: the ``wal verify`` answer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hft_tui.wal.scan import WalProblem, WalScan


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Summary of the good prefix and the first problem, if any."""

    ok: bool
    records: int
    segments: tuple[Path, ...]
    total_bytes: int
    first_seq: int | None
    last_seq: int | None
    first_ts: str | None
    last_ts: str | None
    problem: WalProblem | None


def verify(directory: Path) -> VerifyResult:
    """Stream every segment checking crc, JSON and seq continuity; stops at the first problem."""
    scan = WalScan(directory, decode=False)
    for _ in scan:
        pass
    first, last = scan.first_doc, scan.last_doc
    return VerifyResult(
        ok=scan.problem is None,
        records=scan.records,
        segments=tuple(scan.segments),
        total_bytes=sum(os.path.getsize(path) for path in scan.segments),
        first_seq=first["seq"] if first else None,
        last_seq=last["seq"] if last else None,
        first_ts=first["ts"] if first else None,
        last_ts=last["ts"] if last else None,
        problem=scan.problem,
    )
