"""How a WAL record reads for a person: one line, and a colour per record type."""

from __future__ import annotations

from hft_tui.wal.record import WalRecord
from hft_tui.wal.record_types import Tone, tone_of
from hft_tui.wal.summary import summarize_record

# Colours follow what the operator must not miss: alarms and risk loudest, chatter dimmest.
TONE_STYLES: dict[Tone, str] = {
    Tone.ALARM: "bold white on red",
    Tone.RISK: "bold yellow",
    Tone.ORDER: "cyan",
    Tone.FILL: "green",
    Tone.SIGNAL: "blue",
    Tone.OPERATOR: "bright_cyan",
    Tone.SESSION: "bold",
    Tone.QUIET: "dim",
}
TYPE_WIDTH = 13


def format_record(record: WalRecord) -> str:
    """``seq ts type key=value ...`` with aligned columns."""
    return f"{record.seq:>9} {record.ts} {record.type:<{TYPE_WIDTH}} {summarize_record(record.type, record.payload)}"


def style_for(record_type: str) -> str:
    """Rich style for a record type ('' for a type this build does not know)."""
    tone = tone_of(record_type)
    return "" if tone is None else TONE_STYLES[tone]
