"""``hft-tui serve``: the engine with no UI and a control socket, for as long as it is needed.

It outlives the SSH session that started it (SIGHUP is ignored), stops gracefully on
SIGTERM and SIGINT (``session_stop`` journaled, WAL flushed), holds the state dir's lock
through its journal, beats a heartbeat into the state dir, and sends alerts from a task
of its own (``[alerts]``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import TextIO

from hft_tui import exit_codes
from hft_tui.alerts.dispatcher import AlertDispatcher
from hft_tui.alerts.targets import TargetError, targets_from_env
from hft_tui.alerts.watch import AlertWatch
from hft_tui.config.alerts_settings import AlertsSettings
from hft_tui.serve.control_server import ControlServer
from hft_tui.serve.heartbeat import Heartbeat
from hft_tui.serve.protocol import socket_path
from hft_tui.session.engine import Engine
from hft_tui.session.engine_snapshot import EngineSnapshot

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_ALERTS_MISCONFIGURED = exit_codes.CONFIG_ERROR


async def run_served(engine: Engine, state_dir: Path, alerts: AlertsSettings | None = None,
                     out: TextIO = sys.stdout) -> int:
    """Serve ``engine`` on the state dir's socket until SIGTERM/SIGINT or a stop; the exit code."""
    alerts = alerts or AlertsSettings()
    try:
        targets = targets_from_env(alerts)
    except TargetError as exc:
        print(f"hft-tui serve: {exc}", file=sys.stderr)
        return EXIT_ALERTS_MISCONFIGURED
    dispatcher = AlertDispatcher(alerts, targets, lambda text: engine.core.add_notice("alerts", text),
                                 source=f"hft-tui {engine.mode}")
    watch = AlertWatch(dispatcher.emit, alerts.stale_after_s, engine.core.fill_feed)
    loop = asyncio.get_running_loop()
    previous_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, engine.request_stop, signal.Signals(sig).name)
    server = ControlServer(engine, socket_path(state_dir))
    heartbeat = Heartbeat(engine, state_dir)
    reason = "failed to start"
    try:
        await engine.start()
        await server.start()
        heartbeat.start()
        dispatcher.start()
        watch.observe(engine.snapshot)  # the baseline: a command from the first client is news
        engine.bus.subscribe(EngineSnapshot, watch.observe)
        dispatcher.emit("engine", f"engine started: {engine.mode} on {engine.exchange}, "
                                  f"{', '.join(engine.symbols)}")
        print(f"hft-tui serve: {engine.mode} on {engine.exchange}; control socket {server.path}; "
              f"WAL in {engine.wal.directory}; {len(targets)} alert target(s)", file=out, flush=True)
        reason = await engine.wait_stopped()
    finally:
        with contextlib.suppress(ValueError):  # not subscribed if the start failed
            engine.bus.unsubscribe(EngineSnapshot, watch.observe)
        await server.close()
        await heartbeat.stop()
        dispatcher.emit("engine", f"engine stopping ({reason}); trading state {engine.snapshot.trading_state}")
        await dispatcher.close()  # before the journal closes: a failed send is a journaled notice
        await engine.stop()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
        signal.signal(signal.SIGHUP, previous_hup)
    print(f"stopped ({reason}); WAL seq {engine.wal.last_seq}", file=out, flush=True)
    return 0
