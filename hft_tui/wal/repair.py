"""``hft-tui wal repair``: the explicit, journaled way past a corrupt WAL.

The engine refuses to start on corruption (a complete line whose crc or JSON does not hold,
or a seq gap) because cutting it would silently drop a record that was acknowledged. The
operator chooses to go on; repair then does the least damage it can and says so in the WAL:

* one damaged record whose neighbours are intact (a bit flip) is *replaced*, at its own
  seq, by a ``corrupt_record`` record holding the damaged bytes as text, so every record
  after it survives;
* anything else (a seq gap, several damaged lines) is *cut*: the WAL ends before it.

Either way the damaged bytes are first copied aside (0600, ``<segment>.corrupt-<seq>``),
and a ``wal_repair`` record appended at the end says what was done, where and to what.
An incomplete last line is not corruption (a torn write): the engine cuts that itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hft_tui.clock import Clock
from hft_tui.wal.lock import DirectoryLock
from hft_tui.wal.record import BadLineError, CorruptionReason, check_line, encode_line
from hft_tui.wal.record_types import CorruptRecord, WalRepaired
from hft_tui.wal.scan import WalProblem, WalScan
from hft_tui.wal.segments import fsync_directory, list_segments, write_private_file
from hft_tui.wal.timestamps import iso_utc_formatter
from hft_tui.wal.writer import WalWriter


class RepairAction(StrEnum):
    REPLACE = "replace"
    CUT = "cut"


@dataclass(frozen=True, slots=True)
class RepairPlan:
    """What repair would do about ``problem``, and how many records it gives up."""

    problem: WalProblem
    action: RepairAction
    lost_records: int

    def describe(self) -> str:
        """One line for the operator, before they confirm."""
        if self.action is RepairAction.REPLACE:
            return (f"replace the damaged record at {self.problem.describe()} with a {CorruptRecord.TYPE} "
                    "record at its seq; every record after it is kept")
        return (f"cut the WAL at {self.problem.describe()}: {self.lost_records} line(s) from there "
                "on are set aside")


@dataclass(frozen=True, slots=True)
class RepairResult:
    plan: RepairPlan
    copy_path: Path
    repair_seq: int  # the seq of the ``wal_repair`` record


def plan_repair(directory: Path) -> RepairPlan | None:
    """None when the WAL needs no repair (intact, or only a torn tail the engine cuts itself)."""
    scan = WalScan(directory, decode=False)
    for _ in scan:
        pass
    problem = scan.problem
    if problem is None or problem.recoverable:
        return None
    if problem.reason in (CorruptionReason.BAD_CHECKSUM, CorruptionReason.BAD_JSON) and problem.seq is not None:
        following = _line_after(problem)
        if following is None or _seq_of(following) == problem.seq + 1:
            return RepairPlan(problem, RepairAction.REPLACE, 1)
    return RepairPlan(problem, RepairAction.CUT, _lines_from(problem))


def repair(directory: Path, plan: RepairPlan, clock: Clock) -> RepairResult:
    """Carry out ``plan`` (the WAL must be as planned) and journal it; no engine may be running."""
    lock = DirectoryLock(directory)
    lock.acquire()
    try:
        problem = plan.problem
        if plan.action is RepairAction.REPLACE:
            copy_path = _replace_line(problem, clock)
        else:
            copy_path = _cut_from(problem)
    finally:
        lock.release()
    with WalWriter(directory, clock) as wal:
        record = wal.write(WalRepaired(
            action=plan.action.value, segment=problem.path.name, line=problem.line_no,
            offset=problem.offset, record_seq=problem.seq, reason=str(problem.reason),
            detail=problem.detail, records_lost=plan.lost_records, copy=copy_path.name))
    return RepairResult(plan, copy_path, record.seq)


def _segment_bytes(problem: WalProblem) -> tuple[bytes, bytes, bytes]:
    """The segment split into before the bad line, the bad line (newline included), after it."""
    data = problem.path.read_bytes()
    end = data.find(b"\n", problem.offset)
    end = len(data) if end < 0 else end + 1
    return data[: problem.offset], data[problem.offset : end], data[end:]


def _line_after(problem: WalProblem) -> bytes | None:
    """The first line after the bad one (in its segment or the next non-empty one), or None."""
    _, _, after = _segment_bytes(problem)
    if after:
        return after.split(b"\n", 1)[0]
    for path in list_segments(problem.path.parent):
        if path > problem.path and path.stat().st_size:
            return path.read_bytes().split(b"\n", 1)[0]
    return None


def _seq_of(line: bytes) -> int | None:
    try:
        return check_line(line)
    except (BadLineError, ValueError):
        return None


def _lines_from(problem: WalProblem) -> int:
    """Lines (a partial last one included) from the bad line to the end of the WAL."""
    _, bad, after = _segment_bytes(problem)
    rest = [bad + after] + [p.read_bytes() for p in list_segments(problem.path.parent) if p > problem.path]
    return sum(chunk.count(b"\n") + (0 if chunk.endswith(b"\n") or not chunk else 1) for chunk in rest)


def _keep_aside(problem: WalProblem, data: bytes) -> Path:
    """Write ``data`` to ``<segment>.corrupt-<seq>`` (0600, never over an earlier copy)."""
    base = problem.path.with_name(f"{problem.path.name}.corrupt-{problem.seq or 'unknown'}")
    path, n = base, 0
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}.{n}")
    write_private_file(path, data, exclusive=True)
    return path


def _replace_line(problem: WalProblem, clock: Clock) -> Path:
    before, bad, after = _segment_bytes(problem)
    copy_path = _keep_aside(problem, bad)
    assert problem.seq is not None
    placeholder = CorruptRecord(reason=str(problem.reason), detail=problem.detail, copy=copy_path.name,
                                original=bad.rstrip(b"\n").decode("utf-8", errors="replace"))
    line = encode_line(problem.seq, iso_utc_formatter()(clock.now_ns()), placeholder.TYPE, placeholder.to_payload())
    _rewrite(problem.path, before + line + after)
    return copy_path


def _cut_from(problem: WalProblem) -> Path:
    before, bad, after = _segment_bytes(problem)
    later = [p for p in list_segments(problem.path.parent) if p > problem.path]
    copy_path = _keep_aside(problem, bad + after + b"".join(p.read_bytes() for p in later))
    _rewrite(problem.path, before)
    for path in later:
        path.unlink()
    fsync_directory(problem.path.parent)
    return copy_path


def _rewrite(path: Path, data: bytes) -> None:
    """Replace ``path``'s content atomically: a crash leaves the old file or the new, whole."""
    tmp = path.with_name(f".{path.name}.repair.tmp")
    write_private_file(tmp, data)
    os.replace(tmp, path)
    fsync_directory(path.parent)
