"""``hft-tui attach``: the workstation over a served engine's socket; and the offer to attach
that plain ``hft-tui`` makes when a served engine already holds the state dir."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from hft_tui import exit_codes
from hft_tui.config.settings import Settings
from hft_tui.serve.control_client import ControlClient, EngineUnreachable
from hft_tui.serve.protocol import socket_path
from hft_tui.tui.app import HftApp
from hft_tui.tui.remote_link import RemoteLink
from hft_tui.wal.segments import wal_directory

EXIT_UNREACHABLE = exit_codes.NO_SERVED_ENGINE
EXIT_NOT_STARTED = exit_codes.STATE_IN_USE  # the operator declined to attach to the engine holding it


def attached_link(settings: Settings, state_dir: Path, *, view_only: bool = False) -> RemoteLink:
    """The link to the engine serving ``state_dir``: its socket, and its WAL (on this host,
    as the socket is) for the trade history."""
    return RemoteLink(socket_path(state_dir), refresh_hz=settings.ui.refresh_hz, view_only=view_only,
                      wal_dir=wal_directory(state_dir))


def run_attached(settings: Settings, state_dir: Path, *, view_only: bool = False) -> int:
    """Attach to the engine serving ``state_dir`` until the operator quits (detaches)."""
    link = attached_link(settings, state_dir, view_only=view_only)
    try:
        link.start()
    except EngineUnreachable as exc:
        print(f"hft-tui attach: {exc}; start one with: hft-tui --state-dir {state_dir} serve", file=sys.stderr)
        return EXIT_UNREACHABLE
    app = HftApp.from_ui_settings(link, settings.ui)
    try:
        app.run()
    finally:
        link.stop("detach")
    print(f"hft-tui: detached; the engine keeps running (hft-tui --state-dir {state_dir} ctl status)",
          file=sys.stderr)
    return app.return_code or 0


def served_engine(state_dir: Path) -> dict[str, object] | None:
    """The welcome of the engine serving ``state_dir``, or None when none answers."""
    async def probe() -> dict[str, object] | None:
        try:
            client = await ControlClient.connect(socket_path(state_dir), client="probe")
        except EngineUnreachable:
            return None
        await client.close()
        return dict(client.welcome.get("engine", {}))

    if not socket_path(state_dir).exists():
        return None
    return asyncio.run(probe())


def offer_attach(settings: Settings, state_dir: Path) -> int | None:
    """When a served engine holds ``state_dir``: attach if the operator agrees, else an exit
    code; None when there is no served engine (start one embedded as usual)."""
    engine = served_engine(state_dir)
    if engine is None:
        return None
    what = f"a served engine ({engine.get('mode')} on {engine.get('exchange')}, pid {engine.get('pid')}) holds {state_dir}"
    if not sys.stdin.isatty():
        print(f"hft-tui: {what}; attach with: hft-tui --state-dir {state_dir} attach", file=sys.stderr)
        return EXIT_NOT_STARTED
    answer = input(f"hft-tui: {what}. Attach to it? [Y/n] ").strip().lower()
    if answer in ("", "y", "yes"):
        return run_attached(settings, state_dir)
    print("hft-tui: not started (the served engine keeps running)", file=sys.stderr)
    return EXIT_NOT_STARTED
