"""What ``run`` and ``serve`` share to start an engine: the run options, the LIVE confirmation,
building the engine from the settings (the only importer of the composition root), and the
exit status a session that could not journal ends with."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from hft_tui import exit_codes
from hft_tui.config.credentials import credentials_from_env
from hft_tui.config.settings import Settings
from hft_tui.wal.errors import WalCorruptError, WalError, WalLockedError

if TYPE_CHECKING:
    from hft_tui.session.engine import Engine

EXIT_CONFIG_ERROR = exit_codes.CONFIG_ERROR
# The journal could not be opened, or a session ended FAILED because it could not be written.
EXIT_JOURNAL_FAILED = exit_codes.WAL_UNUSABLE


def add_run_options(group: Any, *, suppress_defaults: bool = False) -> None:
    """The options of a session: on the top-level parser, ``run`` and ``serve``."""
    # Sub-command copies must not overwrite values given before the sub-command.
    default = argparse.SUPPRESS if suppress_defaults else None
    group.add_argument("--headless", action="store_true",
                       default=argparse.SUPPRESS if suppress_defaults else False,
                       help="no UI: print a status line every few seconds")
    group.add_argument("--mode", choices=["sim", "paper", "live"], default=default,
                       help="sim (built-in market), paper (real data, simulated fills), live")
    group.add_argument("--symbols", default=default, metavar="SYM,SYM",
                       help="comma-separated symbols, e.g. BTC/USDT,ETH/USDT")
    group.add_argument("--seed", type=int, default=default, help="simulator seed")
    group.add_argument("--theme", default=default, help="UI theme name")
    group.add_argument("--exchange", default=default, metavar="ID", help="ccxt exchange id")
    group.add_argument("--reload", action="store_true", default=default,
                       help="reload a user strategy when its file is saved (between two events; a broken file "
                       "leaves the old code running)")
    group.add_argument("--live", action="store_true",
                       default=argparse.SUPPRESS if suppress_defaults else False,
                       help="confirm --mode live places real orders (else you are asked to type LIVE)")


def confirm_live(args: argparse.Namespace, settings: Settings) -> bool:
    """Real orders need ``--live`` or the operator typing LIVE at a terminal; refused, it says so.
    Not LIVE: nothing to confirm."""
    if settings.engine.mode != "live" or getattr(args, "live", False):
        return True
    if not sys.stdin.isatty():
        print("hft-tui: --mode live needs --live when not run from a terminal; nothing was started",
              file=sys.stderr)
        return False
    answer = input(f"LIVE mode places REAL orders on {settings.exchange.id}. Type LIVE to continue: ")
    if answer.strip() != "LIVE":
        print("hft-tui: live mode not confirmed; nothing was started", file=sys.stderr)
        return False
    return True


def build_engine_or_exit(settings: Settings) -> Engine | int:
    """The engine the settings describe, or the exit status after one line saying why not."""
    from hft_tui.market.ccxt_rules_loader import MarketsUnavailable
    from hft_tui.market.sim_setup import UnknownSimSymbol
    from hft_tui.session.assembly import UnsupportedSetup, build_engine

    try:
        return build_engine(settings, credentials=credentials_from_env(settings.exchange.id))
    except (UnsupportedSetup, UnknownSimSymbol, MarketsUnavailable) as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except WalLockedError:
        raise  # not a journal failure: another instance (see cli.main)
    except WalError as exc:
        hint = ("; refusing to start: `hft-tui wal repair` sets the damaged record aside (journaled)"
                if isinstance(exc, WalCorruptError) else "")
        print(f"hft-tui: {exc}{hint}", file=sys.stderr)
        return EXIT_JOURNAL_FAILED


def session_exit(engine: Engine, code: int) -> int:
    """The exit status of a finished session: a journal failure outranks ``code``."""
    if engine.journal_failure:
        print(engine.failure_line(), file=sys.stderr)
        return EXIT_JOURNAL_FAILED
    return code
