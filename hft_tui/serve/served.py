"""``hft-tui serve``: the engine with no UI and a control socket, for as long as it is needed.

It outlives the SSH session that started it (SIGHUP is ignored), stops gracefully on
SIGTERM and SIGINT (``session_stop`` journaled, WAL flushed), holds the state dir's lock
through its journal, and beats a heartbeat into the state dir.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import TextIO

from hft_tui.engine import Engine
from hft_tui.serve.control_server import ControlServer
from hft_tui.serve.heartbeat import Heartbeat
from hft_tui.serve.protocol import socket_path

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_served(engine: Engine, state_dir: Path, out: TextIO = sys.stdout) -> str:
    """Serve ``engine`` on the state dir's socket until SIGTERM/SIGINT or a stop; the reason."""
    loop = asyncio.get_running_loop()
    previous_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, engine.request_stop, signal.Signals(sig).name)
    server = ControlServer(engine, socket_path(state_dir))
    heartbeat = Heartbeat(engine, state_dir)
    try:
        await engine.start()
        await server.start()
        heartbeat.start()
        print(f"hft-tui serve: {engine.mode} on {engine.exchange}; control socket {server.path}; "
              f"WAL in {engine.wal.directory}", file=out, flush=True)
        reason = await engine.wait_stopped()
    finally:
        await server.close()
        await heartbeat.stop()
        await engine.stop()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
        signal.signal(signal.SIGHUP, previous_hup)
    print(f"stopped ({reason}); WAL seq {engine.wal.last_seq}", file=out, flush=True)
    return reason
