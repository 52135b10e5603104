"""``hft-tui strategy new NAME`` (a runnable template and its test) and ``hft-tui strategy check
NAME`` (load, validate, run over a short seeded sim, show that it signals)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hft_tui.backtest.runner import DataSpec, Window, data_range, run_backtest
from hft_tui.config.cli import overrides_from_args, print_config_error
from hft_tui.config.errors import ConfigError
from hft_tui.config.loader import load_settings
from hft_tui.config.paths import strategies_dir
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, StrategyCatalogue, installed
from hft_tui.strategies.template import strategy_source, test_source
from hft_tui.strategies.user_strategies import RESERVED_NAMES
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record_types import OrderPlaced, Record, SignalVerdict, StrategyStatus, decode

EXIT_OK, EXIT_NO_SIGNAL, EXIT_USAGE = 0, 1, 2
CHECK_SECONDS = 600.0
_READ = frozenset({SignalVerdict.TYPE, OrderPlaced.TYPE, StrategyStatus.TYPE})  # the records a check reads


def add_strategy_parser(subparsers: Any) -> None:
    """Add ``strategy new|check`` to the top-level ``subparsers``."""
    parser = subparsers.add_parser("strategy", help="write a strategy from a template, or check one")
    commands = parser.add_subparsers(dest="strategy_command", metavar="{new,check}", required=True)
    new = commands.add_parser("new", help="write NAME.py (a runnable template) and tests/test_NAME.py "
                                          "into the strategies directory")
    new.add_argument("name", help="the strategy's name: lower case, letters, digits and _")
    check = commands.add_parser("check", help="load NAME, validate its parameters, run it over a short "
                                              "seeded sim and show what it signalled")
    check.add_argument("name", help="a strategy in the strategies directory or an installed package")
    check.add_argument("--seconds", type=float, default=CHECK_SECONDS,
                       help="simulated seconds to run (default %(default)g)")
    parser.set_defaults(handler=run_strategy_command)


def run_strategy_command(args: argparse.Namespace) -> int:
    if args.strategy_command == "new":
        return _new(args)
    return _check(args)


def _new(args: argparse.Namespace) -> int:
    name = args.name
    if not name.isidentifier() or name != name.lower() or name.startswith("_"):
        return _usage(f"{name!r} is not a strategy name: use lower case letters, digits and _ (e.g. my_breakout)")
    if name in BUILT_IN_CATALOGUE.classes or name in RESERVED_NAMES:
        return _usage(f"the name {name!r} is taken by hft-tui; choose another")
    directory = strategies_dir(getattr(args, "config", None), getattr(args, "strategies_dir", None))
    target, test = directory / f"{name}.py", directory / "tests" / f"test_{name}.py"
    for path in (target, test):
        if path.exists():
            return _usage(f"{path} exists; not overwriting it")
    try:
        test.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(strategy_source(name), encoding="utf-8")
        test.write_text(test_source(name, str(test)), encoding="utf-8")
    except OSError as exc:
        return _usage(f"cannot write into {directory}: {exc.strerror}")
    print(f"wrote {target}\nwrote {test}")
    print(f"next: hft-tui strategy check {name}    (and: python -m pytest {test})")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    catalogue = installed()
    name = args.name
    if name not in catalogue.sources:
        found = ", ".join(catalogue.sources) or "none"
        directory = strategies_dir(getattr(args, "config", None), getattr(args, "strategies_dir", None))
        return _usage(f"no user strategy {name!r} in {directory} or installed packages (found: {found})")
    try:
        settings = load_settings(getattr(args, "config", None),
                                 {**overrides_from_args(args), "strategies.enabled": _with_needs(catalogue, name)})
    except ConfigError as exc:
        print_config_error(exc)
        return EXIT_USAGE
    params = settings.strategies.params(name)
    print(f"{name}: {catalogue.sources[name].origin}")
    print(f"parameters valid: {', '.join(f'{k}={v!r}' for k, v in params.model_dump().items()) or '(none)'}")
    spec = DataSpec("sim", duration_s=args.seconds, symbols=tuple(settings.engine.symbols))
    start, end = data_range(spec)
    with tempfile.TemporaryDirectory(prefix="hft-tui-check-") as scratch:
        wal = Path(scratch) / "wal"
        run_backtest(settings, spec, Window("check", start, end), wal_dir=wal)
        records = [decode(r.type, r.payload) for r in iter_records(wal) if r.type in _READ]
    return _verdict(name, records, args.seconds, settings.engine.seed)


def _verdict(name: str, records: list[Record | None], seconds: float, seed: int) -> int:
    signals = [r for r in records if isinstance(r, SignalVerdict) and r.strategy == name]
    orders = sum(1 for r in records if isinstance(r, OrderPlaced) and r.strategy == name)
    codes = Counter(code for r in signals for code in r.signal_reasons)
    refused = Counter(r.outcome[0] for r in signals if not r.accepted and r.outcome)
    failed = [r for r in records if isinstance(r, StrategyStatus) and r.strategy == name and r.action == "disable"]
    print(f"{seconds:g} s of the seeded sim (seed {seed}): {len(signals)} signal(s), "
          f"{sum(1 for s in signals if s.accepted)} accepted, {orders} order(s)")
    for code, count in codes.most_common():
        print(f"  signalled {code}: {count}")
    for code, count in refused.most_common():
        print(f"  refused {code}: {count}")
    if failed:
        print(f"hft-tui: {name} was disabled: {failed[0].detail}", file=sys.stderr)
        return EXIT_NO_SIGNAL
    if not signals:
        print(f"hft-tui: {name} did not signal in {seconds:g} s; try --seconds or looser parameters",
              file=sys.stderr)
        return EXIT_NO_SIGNAL
    return EXIT_OK


def _with_needs(catalogue: StrategyCatalogue, name: str) -> list[str]:
    """``name`` and every strategy it needs, needs first."""
    return catalogue.build_order(_closure(catalogue, name))


def _closure(catalogue: StrategyCatalogue, name: str) -> set[str]:
    found = {name}
    for need in catalogue.classes[name].needs:
        found |= _closure(catalogue, need)
    return found


def _usage(message: str) -> int:
    print(f"hft-tui: {message}", file=sys.stderr)
    return EXIT_USAGE
