"""The WAL is readable by its owner only: directories 0700, files 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hft_tui.clock import FrozenClock
from hft_tui.wal.writer import WalWriter


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_wal_is_owner_only(wal_dir: Path, clock: FrozenClock) -> None:
    old_umask = os.umask(0o022)
    try:
        with WalWriter(wal_dir, clock, rotate_bytes=300) as wal:
            for i in range(5):
                wal.append("fill", {"order_id": f"o-{i}", "note": "x" * 100})
    finally:
        os.umask(old_umask)

    assert _mode(wal_dir) == 0o700
    assert _mode(wal_dir.parent) == 0o700  # the state dir we created on the way
    files = list(wal_dir.iterdir())
    assert len(files) > 2
    assert all(_mode(path) == 0o600 for path in files)


def test_existing_loose_permissions_are_tightened(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(3)
    segment = wal_dir / "wal-000001.jsonl"
    os.chmod(wal_dir, 0o755)
    os.chmod(segment, 0o644)

    WalWriter(wal_dir, clock).close_sync()

    assert _mode(wal_dir) == 0o700
    assert _mode(segment) == 0o600


def test_torn_tail_copy_is_owner_only(wal_dir: Path, write_wal, clock: FrozenClock) -> None:
    write_wal(3)
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes() + b'{"seq":4')

    with WalWriter(wal_dir, clock) as wal:
        copy = wal.recovery.torn_tail.copy_path  # type: ignore[union-attr]

    assert _mode(copy) == 0o600
