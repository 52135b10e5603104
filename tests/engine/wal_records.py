"""Read a test's WAL back as plain dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hft_tui.wal.reader import iter_records


def wal_records(wal_dir: Path) -> list[dict[str, Any]]:
    return [{"seq": r.seq, "type": r.type, **r.payload} for r in iter_records(wal_dir)]
