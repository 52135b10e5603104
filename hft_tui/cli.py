"""``hft-tui`` command line: run (default), config, wal, download, record, backtest, replay, fees.

Precedence of settings: model defaults < ``--config FILE`` < command-line flags.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hft_tui import __version__
from hft_tui.backtest.cli import add_backtest_parsers
from hft_tui.config.cli import (
    add_config_parser,
    add_override_arguments,
    overrides_from_args,
    run_config_command,
)
from hft_tui.config.credentials import credentials_from_env
from hft_tui.config.loader import ConfigError, load_settings
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings
from hft_tui.execution.fee_comparison import add_fees_parser
from hft_tui.redaction import install_redaction
from hft_tui.replay.cli import add_replay_parser
from hft_tui.wal.cli import add_wal_parser, run_wal_command
from hft_tui.wal.errors import WalCorruptError, WalError

EXIT_CONFIG_ERROR = 2
# The journal could not be opened, or a session ended FAILED because it could not be written.
EXIT_JOURNAL_FAILED = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hft-tui",
        description="Terminal trading workstation. With no command: run the workstation "
                    "(on the built-in simulated market unless --mode says otherwise).",
    )
    parser.add_argument("--version", action="version", version=f"hft-tui {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML settings file")
    parser.add_argument("--state-dir", type=Path, metavar="DIR",
                        help="where the WAL and state live (default: the user state dir)")
    add_override_arguments(parser)
    run_options = parser.add_argument_group("run options")
    _add_run_options(run_options)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run the workstation (the default command)")
    _add_run_options(run, suppress_defaults=True)
    add_config_parser(commands)
    add_wal_parser(commands)
    add_backtest_parsers(commands)
    add_replay_parser(commands)
    add_fees_parser(commands)
    return parser


def _add_run_options(group: Any, *, suppress_defaults: bool = False) -> None:
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
    group.add_argument("--live", action="store_true",
                       default=argparse.SUPPRESS if suppress_defaults else False,
                       help="confirm --mode live places real orders (else you are asked to type LIVE)")


def main(argv: Sequence[str] | None = None) -> int:
    install_redaction()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "config":
        return run_config_command(args)
    if args.command in ("download", "record", "backtest", "replay", "fees"):
        return args.handler(args)
    if args.command == "wal":
        try:
            settings = load_settings(args.config, overrides_from_args(args))
        except ConfigError as exc:
            print(f"hft-tui: invalid configuration\n{exc}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        args.state_dir = AppPaths.resolve(settings, args.state_dir).state_dir
        return run_wal_command(args)
    try:
        settings = load_settings(args.config, overrides_from_args(args))
    except ConfigError as exc:
        print(f"hft-tui: invalid configuration\n{exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if settings.engine.mode == "live" and not confirm_live(settings, getattr(args, "live", False)):
        print("hft-tui: live mode not confirmed; nothing was started", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    from hft_tui.assembly import UnsupportedSetup, build_engine
    from hft_tui.market.ccxt_rules_loader import MarketsUnavailable

    try:
        engine = build_engine(settings, credentials=credentials_from_env(settings.exchange.id))
    except (UnsupportedSetup, MarketsUnavailable) as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except WalError as exc:
        hint = ("; refusing to start: `hft-tui wal repair` sets the damaged record aside (journaled)"
                if isinstance(exc, WalCorruptError) else "")
        print(f"hft-tui: {exc}{hint}", file=sys.stderr)
        return EXIT_JOURNAL_FAILED
    if getattr(args, "headless", False):
        from hft_tui.headless import run_headless

        asyncio.run(run_headless(engine, settings.engine.status_interval_s))
        code = 0
    else:
        from hft_tui.tui.run import run_app

        code = run_app(engine, settings)
    if engine.journal_failure:
        print(engine.failure_line(), file=sys.stderr)
        return EXIT_JOURNAL_FAILED
    return code


def confirm_live(settings: Settings, flag: bool) -> bool:
    """Real orders need ``--live`` or the operator typing LIVE at a terminal."""
    if flag:
        return True
    if not sys.stdin.isatty():
        print("hft-tui: --mode live needs --live when not run from a terminal", file=sys.stderr)
        return False
    answer = input(f"LIVE mode places REAL orders on {settings.exchange.id}. Type LIVE to continue: ")
    return answer.strip() == "LIVE"
