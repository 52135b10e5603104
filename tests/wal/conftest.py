"""Shared helpers for the WAL tests: a frozen clock and a way to write a small WAL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.wal.record import WalRecord
from hft_tui.wal.writer import WalWriter

START_NS = 1_767_225_600_123_456_000  # 2026-01-01T00:00:00.123456Z

WriteWal = Callable[..., list[WalRecord]]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START_NS)


@pytest.fixture
def wal_dir(tmp_path: Path) -> Path:
    return tmp_path / "state" / "wal"


def _fill_payload(i: int) -> dict[str, object]:
    """A realistic fill record's payload."""
    return {
        "order_id": f"sim-{i:06d}",
        "symbol": "BTC/USDT",
        "side": "buy" if i % 2 else "sell",
        "price": 64_000.0 + i * 0.5,
        "qty": 0.001 * (1 + i % 7),
        "fee_usd": 0.0123,
        "liquidity": "maker",
    }


@pytest.fixture
def write_wal(wal_dir: Path, clock: FrozenClock) -> WriteWal:
    """Write ``n`` fill records synchronously (no loop) and close; returns what was appended."""

    def write(n: int, *, rotate_bytes: int = 64 * 2**20) -> list[WalRecord]:
        records = []
        with WalWriter(wal_dir, clock, rotate_bytes=rotate_bytes) as wal:
            for _ in range(n):
                clock.advance(0.001)
                records.append(wal.append("fill", _fill_payload(wal.last_seq + 1)))
        return records

    return write
