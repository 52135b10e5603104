"""``hft-tui`` command line: parses, then dispatches each command to its module.

Precedence of settings: model defaults < ``--config FILE`` < command-line flags.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hft_tui import __version__, exit_codes
from hft_tui.alerts.one_shot import add_alert_parser, crash_text, send_alert
from hft_tui.backtest.cli import add_backtest_parsers
from hft_tui.cli.attach import add_attach_parser, run_attach_command
from hft_tui.cli.engine_start import EXIT_CONFIG_ERROR, add_run_options
from hft_tui.cli.fees import add_fees_parser
from hft_tui.cli.one_line_parser import OneLineParser
from hft_tui.cli.run import add_run_parser, run_command
from hft_tui.cli.serve import add_serve_parser, run_serve_command
from hft_tui.cli.strategy import add_strategy_parser
from hft_tui.compiled_build import stale_warning
from hft_tui.cli.trades import add_trades_parsers
from hft_tui.config.cli import (
    add_config_parser,
    add_override_arguments,
    overrides_from_args,
    print_config_error,
    run_config_command,
)
from hft_tui.config.loader import ConfigError, load_settings, read_toml
from hft_tui.config.paths import AppPaths, strategies_dir
from hft_tui.config.settings import Settings
from hft_tui.optimize.cli import add_optimize_parser
from hft_tui.redaction import install_redaction
from hft_tui.replay.cli import add_replay_parser
from hft_tui.serve.ctl import add_ctl_parser, run_ctl
from hft_tui.serve.service_unit import add_service_parser, unit_text
from hft_tui.strategies.catalogue import install
from hft_tui.strategies.user_strategies import UserStrategyError, load_catalogue
from hft_tui.wal.cli import add_wal_parser, run_wal_command
from hft_tui.wal.errors import WalError, WalLockedError


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="hft-tui",
        description="Terminal trading workstation. With no command: run the workstation "
                    "(on the built-in simulated market unless --mode says otherwise).",
    )
    parser.add_argument("--version", action="version", version=f"hft-tui {__version__}")
    _add_global_options(parser)
    run_options = parser.add_argument_group("run options")
    add_run_options(run_options)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_run_parser(commands)
    add_config_parser(commands)
    add_wal_parser(commands)
    add_backtest_parsers(commands)
    add_optimize_parser(commands)
    add_replay_parser(commands)
    add_fees_parser(commands)
    add_trades_parsers(commands)
    add_serve_parser(commands)
    add_attach_parser(commands)
    add_ctl_parser(commands)
    add_service_parser(commands)
    add_alert_parser(commands)
    add_strategy_parser(commands)
    _accept_global_options_after_commands(parser)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, suppress_defaults: bool = False) -> None:
    default = argparse.SUPPRESS if suppress_defaults else None
    parser.add_argument("--config", type=Path, metavar="FILE", default=default, help="TOML settings file")
    parser.add_argument("--state-dir", type=Path, metavar="DIR", default=default,
                        help="where the WAL and state live (default: the user state dir)")
    parser.add_argument("--strategies-dir", type=Path, metavar="DIR", default=default,
                        help="your own strategies, one *.py file each (default: the user config dir's strategies)")
    add_override_arguments(parser, suppress_default=suppress_defaults)


def _accept_global_options_after_commands(parser: argparse.ArgumentParser) -> None:
    """``hft-tui wal verify --state-dir D`` as well as ``hft-tui --state-dir D wal verify``:
    every sub-command (at any depth) also takes the global options it does not define itself."""
    for action in parser._actions:  # noqa: SLF001 - argparse keeps sub-parsers nowhere public
        if not isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            continue
        for command in set(action.choices.values()):
            scratch = argparse.ArgumentParser(add_help=False)
            _add_global_options(scratch, suppress_defaults=True)
            add_run_options(scratch, suppress_defaults=True)
            taken = command._option_string_actions  # noqa: SLF001
            for option in scratch._actions:  # noqa: SLF001
                if option.option_strings and not any(o in taken for o in option.option_strings) \
                        and option.dest not in ("headless", "live"):
                    command._add_action(option)  # noqa: SLF001
            _accept_global_options_after_commands(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure a user can cause or meet ends in one line and its own
    exit status (``exit_codes``), never a traceback."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # `hft-tui fees --json | head`: the reader left; that is not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return exit_codes.OK
    except KeyboardInterrupt:
        print("\nhft-tui: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except WalLockedError as exc:
        print(f"hft-tui: {exc}: is another hft-tui running on this state dir? "
              "Stop it, or pass another --state-dir", file=sys.stderr)
        return exit_codes.STATE_IN_USE
    except WalError as exc:
        print(f"hft-tui: the WAL cannot be used: {exc}; `hft-tui wal verify` shows where",
              file=sys.stderr)
        return exit_codes.WAL_UNUSABLE


def _main(argv: Sequence[str] | None) -> int:
    install_redaction()
    stale = stale_warning()
    if stale is not None:
        print(stale, file=sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # what saved backtest runs record
    if getattr(args, "config", None) is not None:
        try:
            read_toml(args.config)  # missing, unreadable or not TOML: every command refuses it alike
        except ConfigError as exc:
            print_config_error(exc)
            return EXIT_CONFIG_ERROR
    try:
        # Writing a new strategy file needs none of the others (one of them may be half-written).
        if getattr(args, "strategy_command", None) != "new":
            install(load_catalogue(strategies_dir(getattr(args, "config", None),
                                                  getattr(args, "strategies_dir", None))))
    except UserStrategyError as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if args.command == "config":
        return run_config_command(args)
    if args.command in ("download", "record", "backtest", "optimize", "replay", "fees", "strategy"):
        return args.handler(args)
    try:
        settings = load_settings(args.config, overrides_from_args(args))
    except ConfigError as exc:
        print_config_error(exc)
        return EXIT_CONFIG_ERROR
    if args.command in ("wal", "ctl", "attach", "service", "trades", "pnl", "alert"):
        paths = AppPaths.resolve(settings, args.state_dir)
        args.state_dir = paths.state_dir
        return _run_state_dir_command(args, settings, paths)
    if args.command == "serve":
        return run_serve_command(args, settings)
    return run_command(args, settings)


def _run_state_dir_command(args: argparse.Namespace, settings: Settings, paths: AppPaths) -> int:
    """The commands that act on a state dir without starting an engine."""
    if args.command == "wal":
        return run_wal_command(args)
    if args.command in ("trades", "pnl"):
        return args.handler(args, settings)  # type: ignore[no-any-return]
    if args.command == "ctl":
        return run_ctl(args, paths.state_dir)
    if args.command == "alert":
        return send_alert(settings.alerts, "engine", crash_text() if args.crash else args.message)
    if args.command == "service":
        print(unit_text(paths.state_dir, args.config, paths.config_dir / "env"), end="")
        return 0
    return run_attach_command(args, settings, paths.state_dir)
