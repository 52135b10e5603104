"""One streaming pass over a WAL directory: every line's crc, JSON and seq continuity.

Verification, recovery and ``iter_records`` all stand on this pass, so "what counts as
corrupt" is decided in one place. Segments are read in chunks, never whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hft_tui.wal.errors import WalCorruptError
from hft_tui.wal.record import BadLineError, CorruptionReason, check_line, parse_line
from hft_tui.wal.segments import list_segments, segment_index

CHUNK_BYTES = 4 * 2**20


@dataclass(frozen=True, slots=True)
class WalProblem:
    """The first bad line found: where it is, why, and whether anything follows it."""

    path: Path
    line_no: int
    offset: int  # byte offset of the bad line's start within its segment
    reason: CorruptionReason
    detail: str
    at_tail: bool  # nothing follows it anywhere in the WAL
    seq: int | None = None  # the seq the record at this line should have (None: unknown)

    @property
    def recoverable(self) -> bool:
        """A crash's torn final write: cutting it loses only a record never acknowledged.

        Only an incomplete last line is a torn write. A complete, newline-terminated line
        whose crc or JSON does not hold was written whole and damaged since (a bit flip, a
        bad sector): that is corruption, even on the last line, and so is a seq gap.
        """
        return self.at_tail and self.reason is CorruptionReason.TORN_TAIL

    def describe(self) -> str:
        """One line for an operator: file, line number, reason, byte offset and seq."""
        where = f"byte {self.offset}" + (f", record seq {self.seq}" if self.seq is not None else "")
        return f"{self.path.name} line {self.line_no}: {self.reason} ({self.detail}) at {where}"

    def to_error(self) -> WalCorruptError:
        """The exception that refuses to continue past this problem."""
        return WalCorruptError(self.path, self.line_no, str(self.reason), self.detail,
                               offset=self.offset, seq=self.seq)


class WalScan:
    """Iterate to get each good record's decoded document; stops at the first problem.

    After iteration ``problem`` is set (or None) and the counters describe the good prefix.
    """

    def __init__(self, directory: Path, chunk_bytes: int = CHUNK_BYTES, *, decode: bool = True) -> None:
        """``decode=False`` checks crc and seq only and yields nothing (verification)."""
        self.directory = directory
        self._decode = decode
        self.segments: list[Path] = list_segments(directory)
        self.problem: WalProblem | None = None
        self.records = 0
        self.first_doc: dict[str, Any] | None = None
        self.last_doc: dict[str, Any] | None = None
        self._chunk_bytes = chunk_bytes

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # Hot loop (a million lines must verify in well under 3 s): counters live in locals
        # and are published in ``finally``; a bad line's offset is worked out only on failure.
        records = 0
        first: bytes | None = None
        last: bytes | None = None
        decode = self._decode
        expected_seq: int | None = None
        try:
            for position, path in enumerate(self.segments):
                if position == 0 and segment_index(path) == 1:
                    expected_seq = 1
                lines_before = 0  # complete lines in earlier chunks of this segment
                chunk_offset = 0  # file offset where ``carry + chunk`` begins
                carry = b""
                with open(path, "rb") as handle:
                    while chunk := handle.read(self._chunk_bytes):
                        data = carry + chunk if carry else chunk
                        lines = data.split(b"\n")
                        carry = lines.pop()
                        for line in lines:
                            try:
                                if decode:
                                    doc = parse_line(line)
                                    seq = doc["seq"]
                                else:
                                    seq = check_line(line)
                            except BadLineError as exc:
                                self._fail_at(position, lines_before, chunk_offset, lines, line, exc.reason,
                                              exc.detail, expected_seq)
                                return
                            if seq != expected_seq and expected_seq is not None:
                                detail = f"expected seq {expected_seq}, found {seq}"
                                self._fail_at(position, lines_before, chunk_offset, lines, line,
                                              CorruptionReason.SEQ_GAP, detail, expected_seq)
                                return
                            expected_seq = seq + 1
                            if first is None:
                                first = line
                            last = line
                            records += 1
                            if decode:
                                yield doc
                        lines_before += len(lines)
                        chunk_offset += len(data) - len(carry)
                if carry:
                    detail = f"{len(carry)} bytes without a trailing newline"
                    self._fail(position, lines_before + 1, chunk_offset, len(carry), CorruptionReason.TORN_TAIL,
                               detail, expected_seq)
                    return
        finally:
            self.records = records
            self.first_doc = parse_line(first) if first is not None else None
            self.last_doc = parse_line(last) if last is not None else None

    def _fail_at(
        self,
        position: int,
        lines_before: int,
        chunk_offset: int,
        lines: list[bytes],
        line: bytes,
        reason: CorruptionReason,
        detail: str,
        seq: int | None,
    ) -> None:
        index = next(i for i, candidate in enumerate(lines) if candidate is line)
        offset = chunk_offset + sum(len(earlier) + 1 for earlier in lines[:index])
        self._fail(position, lines_before + index + 1, offset, len(line) + 1, reason, detail, seq)

    def _fail(
        self, position: int, line_no: int, offset: int, length: int, reason: CorruptionReason, detail: str,
        seq: int | None,
    ) -> None:
        path = self.segments[position]
        at_tail = offset + length >= os.path.getsize(path) and all(
            os.path.getsize(later) == 0 for later in self.segments[position + 1 :]
        )
        self.problem = WalProblem(path, line_no, offset, reason, detail, at_tail, seq)
