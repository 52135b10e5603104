"""``hft-tui serve``: the engine with no UI and a control socket, until SIGTERM/SIGINT or a stop."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from hft_tui.cli.engine_start import EXIT_CONFIG_ERROR, add_run_options, build_engine_or_exit, confirm_live, session_exit
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings


def add_serve_parser(subparsers: Any) -> None:
    """Add ``serve`` to the top-level ``subparsers``."""
    serve = subparsers.add_parser("serve", help="the engine with no UI and a control socket; outlives the SSH session")
    add_run_options(serve, suppress_defaults=True)


def run_serve_command(args: argparse.Namespace, settings: Settings) -> int:
    """Serve an engine on the state dir's socket until it is stopped; the exit status."""
    if not confirm_live(args, settings):
        return EXIT_CONFIG_ERROR
    state_dir = AppPaths.resolve(settings).state_dir
    engine = build_engine_or_exit(settings)
    if isinstance(engine, int):
        return engine
    from hft_tui.serve.served import run_served

    code = asyncio.run(run_served(engine, state_dir, settings.alerts))
    return session_exit(engine, code)
