"""``hft-tui attach [--view-only]``: the workstation over the socket of the engine serving the
state dir (q detaches; the engine keeps running)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hft_tui.config.settings import Settings


def add_attach_parser(subparsers: Any) -> None:
    """Add ``attach`` to the top-level ``subparsers``."""
    attach = subparsers.add_parser("attach", help="the workstation over a served engine's socket (q detaches)")
    attach.add_argument("--view-only", action="store_true", help="watch only: no key sends a command")


def run_attach_command(args: argparse.Namespace, settings: Settings, state_dir: Path) -> int:
    """Attach until the operator detaches; the exit status."""
    from hft_tui.tui.attach import run_attached

    return run_attached(settings, state_dir, view_only=args.view_only)
