"""The write-ahead log: an append-only JSON Lines journal with checksums and recovery.

Every decision, order, fill, parameter change, pause and kill is written here before it
takes effect. ``WalWriter`` appends (group-committed fsyncs); ``iter_records`` and
``verify`` read back; opening a writer recovers a torn tail or refuses a corrupt WAL.
"""

from hft_tui.wal.errors import WalClosedError, WalCorruptError, WalError, WalLockedError, WalUnavailableError, WalWriteError
from hft_tui.wal.reader import WalPosition, iter_records, read_last_records
from hft_tui.wal.record import CorruptionReason, WalRecord
from hft_tui.wal.scan import WalProblem
from hft_tui.wal.segments import wal_directory
from hft_tui.wal.torn_tail import RecoveryResult, TornTail, recover
from hft_tui.wal.verify import VerifyResult, verify
from hft_tui.wal.writer import WalWriter

__all__ = [
    "CorruptionReason",
    "RecoveryResult",
    "TornTail",
    "VerifyResult",
    "WalClosedError",
    "WalCorruptError",
    "WalError",
    "WalLockedError",
    "WalPosition",
    "WalProblem",
    "WalRecord",
    "WalUnavailableError",
    "WalWriteError",
    "WalWriter",
    "iter_records",
    "read_last_records",
    "recover",
    "verify",
    "wal_directory",
]
