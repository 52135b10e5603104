"""``hft-tui config check|show|default``, and command-line flags as settings overrides.

The global parser owns its flags (--config, --mode, --seed, --symbols, --theme, --exchange,
--state-dir); ``add_override_arguments`` adds the generic ``--set KEY=VALUE``, and
``overrides_from_args`` is the one mapping from all of them to dotted settings keys.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any, Final

from hft_tui.config.errors import COMMAND_LINE, ConfigError
from hft_tui.config.loader import load_settings
from hft_tui.config.toml_render import render_default_toml, render_toml

EXIT_OK: Final = 0
EXIT_CONFIG_ERROR: Final = 2

# argparse dest of a dedicated global flag -> dotted settings key.
FLAG_KEYS: Final = {
    "mode": "engine.mode",
    "seed": "engine.seed",
    "symbols": "engine.symbols",
    "theme": "ui.theme",
    "exchange": "exchange.id",
    "state_dir": "paths.state_dir",
    "strategies_dir": "paths.strategies_dir",
    "reload": "strategies.reload",
}


def print_config_error(exc: ConfigError, prefix: str = "hft-tui: invalid configuration") -> None:
    """One line per problem, each naming the file (or the command line) and the key."""
    for problem in exc.problems:
        print(f"{prefix}: {problem}", file=sys.stderr)


def add_override_arguments(parser: argparse.ArgumentParser, *, suppress_default: bool = False) -> None:
    """Add ``--set KEY=VALUE`` (repeatable): override any setting by its dotted key.
    ``suppress_default``: for a sub-command's copy, which must not reset values given before it."""
    parser.add_argument(
        "--set",
        dest="set_overrides",
        metavar="KEY=VALUE",
        action="append",
        type=parse_assignment,
        default=argparse.SUPPRESS if suppress_default else [],
        help="override a setting, e.g. --set sim.depth=50 or --set 'engine.symbols=[\"BTC/USDT\"]' "
        "(VALUE is read as TOML, else taken as a string)",
    )


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The ``load_settings`` overrides given on the command line; dedicated flags win over --set."""
    overrides: dict[str, Any] = dict(getattr(args, "set_overrides", None) or [])
    for dest, key in FLAG_KEYS.items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if dest == "symbols" and isinstance(value, str):
            # --symbols BTC/USDT,ETH/USDT
            value = [symbol.strip() for symbol in value.split(",") if symbol.strip()]
        overrides[key] = value
    return overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text[:40]!r}{'…' if len(text) > 40 else ''}")
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError):
        # Bare words (live, BTC/USDT, /srv/state) are meant as strings.
        value = raw
    return key.strip(), value


def add_config_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    """Add ``config {check,show,default}``; the global parser supplies ``args.config``."""
    parser = subparsers.add_parser("config", help="check, show or print the default configuration")
    commands = parser.add_subparsers(dest="config_command", metavar="{check,show,default}", required=True)
    check = commands.add_parser("check", help="validate a config file and list every problem")
    check.add_argument(
        "file", nargs="?", type=Path, help="file to check (default: the --config file, else the built-in defaults)"
    )
    commands.add_parser("show", help="print the effective settings as TOML (defaults < --config < flags)")
    commands.add_parser("default", help="print the documented default configuration")
    parser.set_defaults(handler=run_config_command)
    return parser


def run_config_command(args: argparse.Namespace) -> int:
    """Run ``config check|show|default``; 0 on success, 2 on any configuration problem."""
    command = args.config_command
    if command == "default":
        print(render_default_toml(), end="")
        return EXIT_OK
    config_file: Path | None = getattr(args, "config", None)
    if command == "check" and args.file is not None:
        config_file = args.file
    try:
        settings = load_settings(config_file, overrides_from_args(args))
    except ConfigError as exc:
        # stderr, so that `config show > my.toml` never writes problems into the file.
        print(exc, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} {_places(exc)}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if command == "check":
        print(f"OK: {_describe(config_file)} is valid")
    else:
        print(render_toml(settings), end="")
    return EXIT_OK


def _places(exc: ConfigError) -> str:
    """Where the problems are, in the order first met: ``on the command line and in my.toml``."""
    places = {"on the command line" if problem.file == COMMAND_LINE else f"in {problem.file}": None
              for problem in exc.problems}
    return " and ".join(places)


def _describe(config_file: Path | None) -> str:
    return str(config_file) if config_file is not None else "the built-in defaults (no config file)"
