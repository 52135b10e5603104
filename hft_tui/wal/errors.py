"""What can go wrong with the write-ahead log, as exceptions the engine can catch by kind."""

from __future__ import annotations

from pathlib import Path


class WalError(Exception):
    """Base class for every WAL failure."""


class WalCorruptError(WalError):
    """The WAL on disk is damaged where recovery may not repair it: refuse to continue."""

    def __init__(self, path: Path, line_no: int | None, reason: str, detail: str = "", *,
                 offset: int | None = None, seq: int | None = None) -> None:
        self.path = path
        self.line_no = line_no
        self.reason = reason
        self.detail = detail
        self.offset = offset
        self.seq = seq
        where = f"{path}:{line_no}" if line_no is not None else str(path)
        place = ", ".join(part for part in (f"byte {offset}" if offset is not None else "",
                                            f"record seq {seq}" if seq is not None else "") if part)
        super().__init__(f"{where}" + (f" ({place})" if place else "") + f": {reason}"
                         + (f" ({detail})" if detail else ""))


class WalLockedError(WalError):
    """Another writer holds the WAL directory; two writers would interleave sequences."""


class WalClosedError(WalError):
    """An append after the writer was closed (or while it is closing)."""


class WalUnavailableError(WalError):
    """The WAL's directory cannot be opened or written at start-up (read-only, full, no access)."""


class WalWriteError(WalError):
    """Writing or syncing failed; nothing appended after it can be made durable."""
