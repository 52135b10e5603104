"""How a WAL record reads for a person: one line, and a colour per record type."""

from __future__ import annotations

from hft_tui.wal.record import WalRecord
from hft_tui.wal.summary import summarize_record

# Colours follow what the operator must not miss: kill and risk loudest, chatter dimmest.
TYPE_STYLES: dict[str, str] = {
    "kill": "bold white on red",
    "risk": "bold yellow",
    "pause": "yellow",
    "order": "cyan",
    "fill": "green",
    "signal": "blue",
    "param": "bright_cyan",
    "session_start": "bold",
    "session_stop": "bold",
    "snapshot": "dim",
    "wal_repair": "bold white on red",
    "corrupt_record": "bold red",
}
TYPE_WIDTH = 13


def format_record(record: WalRecord) -> str:
    """``seq ts type key=value ...`` with aligned columns."""
    return f"{record.seq:>9} {record.ts} {record.type:<{TYPE_WIDTH}} {summarize_record(record.type, record.payload)}"


def style_for(record_type: str) -> str:
    """Rich style for a record type ('' when it has none)."""
    return TYPE_STYLES.get(record_type, "")
