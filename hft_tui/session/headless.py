"""``hft-tui --headless``: the engine with no UI, one status line every few seconds.

This is how the engine runs under tmux, systemd or a test. SIGTERM, SIGINT and SIGHUP
(an SSH drop) all stop it gracefully: ``session_stop`` written and the WAL flushed.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TextIO

from hft_tui.session.engine import Engine
from hft_tui.session.engine_snapshot import EngineSnapshot

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def status_line(snapshot: EngineSnapshot) -> str:
    """Mode, each symbol's mid and spread, WAL seq and event rate on one line."""
    parts = [snapshot.mode, snapshot.trading_state]
    if snapshot.journal_failure:
        parts.append(snapshot.journal_failure)
    for symbol in snapshot.symbols:
        book = snapshot.view(symbol).book
        if book is None or book.mid is None:
            parts.append(f"{symbol} -")
            continue
        parts.append(f"{symbol} mid {book.mid:.2f} spread {book.spread:.2f} ({book.spread_bps:.2f} bps)")
    parts.append(f"wal seq {snapshot.wal_seq}")
    parts.append(f"{snapshot.metrics.events_per_s:.0f} ev/s")
    return " | ".join(parts)


async def run_headless(engine: Engine, status_interval_s: float, out: TextIO = sys.stdout) -> str:
    """Run ``engine`` until a stop signal or a stop command; print status lines meanwhile."""
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, engine.request_stop, signal.Signals(sig).name)
    await engine.start()
    print(f"hft-tui headless: {engine.mode} on {engine.exchange}, WAL in {engine.wal.directory}",
          file=out, flush=True)
    try:
        while True:
            try:
                reason = await asyncio.wait_for(engine.wait_stopped(), timeout=status_interval_s)
                break
            except TimeoutError:
                print(status_line(engine.publish_snapshot()), file=out, flush=True)
    finally:
        await engine.stop()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    print(f"stopped ({reason}); WAL seq {engine.wal.last_seq}", file=out, flush=True)
    return reason
