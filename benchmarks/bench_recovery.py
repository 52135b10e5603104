"""Crash recovery of a 1,000,000-record WAL: verify every checksum, then rebuild the state.

The records are the engine's own: a real sim session (100,000 events through the engine)
is journaled first, and its record mix (signals, orders, fills, exit rules, risk, state,
feed) is repeated to 1,000,000 records with a ``snapshot`` record every 5,000, as the
running engine writes them. ``--quick``: 100,000 records.

- ``recovery_verify_s``: ``hft_tui.wal.verify`` over every segment (checksums, seq order).
- ``recovery_rebuild_s``: ``recover_from_wal(dir)``, what ``Engine.begin_session`` runs at
  start-up (read back to the last snapshot record, decode and fold from there).
- ``recovery_total_s``: the two together, the target's figure.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.arguments import quick_option
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import SNAPSHOT_EVERY_RECORDS
from hft_tui.session.recovery import recover_from_wal
from hft_tui.wal.reader import iter_records
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter

SESSION_EVENTS = 100_000


def _session_records(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """The (type, payload) of every record a real sim session journals."""
    settings = load_settings(None, {})
    clock = SimulatedClock(DEFAULT_SIM_START_NS)
    engine = build_sim_engine(settings, clock=clock, wal_dir=root, paced=False)
    next_event = engine.source.market.next_event  # type: ignore[attr-defined]
    engine.begin_session()
    for _ in range(SESSION_EVENTS):
        engine.process(next_event())
    engine.write_state_snapshot()
    engine.wal.close_sync()
    return [(r.type, r.payload) for r in iter_records(root)]


def _write_wal(directory: Path, n: int, mix: list[tuple[str, dict[str, Any]]]) -> None:
    snapshot = next(payload for kind, payload in reversed(mix) if kind == "snapshot")
    body = [(kind, payload) for kind, payload in mix if kind not in ("snapshot", "session_start")]
    clock = SimulatedClock(DEFAULT_SIM_START_NS)
    wal = WalWriter(directory, clock, tail_size=10)
    wal.append("session_start", {"mode": "SIM", "exchange": "simulator", "symbols": [], "source": "sim",
                                 "session": 1})
    i = 0
    while wal.last_seq < n:
        clock.advance_to(clock.now_ns() + 1_000_000)
        if wal.last_seq % SNAPSHOT_EVERY_RECORDS == 0:
            wal.append("snapshot", snapshot)
        else:
            kind, payload = body[i % len(body)]
            wal.append(kind, payload)
            i += 1
        if wal.last_seq % 100_000 == 0:
            wal.sync()
    wal.close_sync()


def run(quick: bool = False) -> dict[str, float]:
    """Seconds to verify and rebuild the state from an ``n``-record WAL."""
    n = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench-recovery-") as tmp:
        root = Path(tmp)
        mix = _session_records(root / "session")
        _write_wal(root / "wal", n, mix)
        started = time.perf_counter()
        verified = verify(root / "wal")
        verified_at = time.perf_counter()
        if not verified.ok or verified.records != n:
            raise RuntimeError(f"benchmark WAL failed verification: {verified}")
        state = recover_from_wal(root / "wal")
        done = time.perf_counter()
        if state.last_seq != n:
            raise RuntimeError(f"recovery stopped at seq {state.last_seq}, expected {n}")
    return {
        "recovery_records": float(n),
        "recovery_wal_mib": verified.total_bytes / 2**20,
        "recovery_verify_s": verified_at - started,
        "recovery_rebuild_s": done - verified_at,
        "recovery_total_s": done - started,
    }


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:28s} {value:12,.3f}")
