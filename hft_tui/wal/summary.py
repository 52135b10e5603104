"""One-line, human-readable summaries of WAL payloads for the UI and ``wal tail``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_SUMMARY_CHARS = 160


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float: 63999.98, not 64000
    if isinstance(value, list | tuple):
        return ",".join(_format_value(v) for v in value)
    if isinstance(value, Mapping):
        return "{" + " ".join(f"{k}={_format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def summarize_record(record_type: str, payload: Mapping[str, Any]) -> str:
    """``key=value`` pairs of the payload, compact, cut to a screen-friendly length."""
    pieces: list[str] = []
    length = -1  # no separator before the first piece
    for key, value in payload.items():
        if value in ("", None):
            continue
        piece = f"{key}={_format_value(value)}"
        pieces.append(piece)
        length += len(piece) + 1
        if length > MAX_SUMMARY_CHARS:
            break  # the rest would be cut anyway (a risk record's budgets are ~2 KB of text)
    text = " ".join(pieces)
    if len(text) > MAX_SUMMARY_CHARS:
        text = text[: MAX_SUMMARY_CHARS - 1] + "…"
    return text
