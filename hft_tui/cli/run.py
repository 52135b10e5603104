"""``hft-tui [run]``: the workstation (or ``--headless``, a status line) on an engine of its own;
plain ``hft-tui`` on a state dir a served engine holds offers to attach to it instead."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from hft_tui.cli.engine_start import EXIT_CONFIG_ERROR, add_run_options, build_engine_or_exit, confirm_live, session_exit
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings


def add_run_parser(subparsers: Any) -> None:
    """Add ``run`` to the top-level ``subparsers`` (no command runs it too)."""
    run = subparsers.add_parser("run", help="run the workstation (the default command)")
    add_run_options(run, suppress_defaults=True)


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run the workstation (or headless) until the operator quits; the exit status."""
    if not confirm_live(args, settings):
        return EXIT_CONFIG_ERROR
    headless = getattr(args, "headless", False)
    if not headless:
        from hft_tui.tui.attach import offer_attach

        attached = offer_attach(settings, AppPaths.resolve(settings).state_dir)
        if attached is not None:
            return attached
    engine = build_engine_or_exit(settings)
    if isinstance(engine, int):
        return engine
    if headless:
        from hft_tui.session.headless import run_headless

        asyncio.run(run_headless(engine, settings.engine.status_interval_s))
        code = 0
    else:
        from hft_tui.tui.run import run_app

        code = run_app(engine, settings)
    return session_exit(engine, code)
