"""The data and settings options a backtest, a sweep and a study share (``--candles``,
``--recording``, ``--sim``, ``--symbols``, ``--set``, ``--from``/``--to``, ``--vectorised``...),
and turning them into a data spec, validated settings and the time range."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hft_tui import exit_codes
from hft_tui.backtest.runner import DataError, DataSpec, clip_window, data_range
from hft_tui.config.cli import overrides_from_args, print_config_error
from hft_tui.config.loader import ConfigError, load_settings
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings

EXIT_CONFIG_ERROR = 2


class DataOptionError(Exception):
    """The options cannot be run: ``message`` (already printed when empty) and the exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class ResolvedData:
    """The data, the settings over it, the overrides the options added, and its time range."""

    spec: DataSpec
    settings: Settings
    extra: dict[str, Any]
    start_ns: int
    end_ns: int


def add_data_arguments(parser: argparse.ArgumentParser, *, source_required: bool = True) -> None:
    """The data source, the settings overrides of a run and the date range (the source optional
    where the command also has sub-commands that need none: check ``source_given``)."""
    suppress = argparse.SUPPRESS
    source = parser.add_mutually_exclusive_group(required=source_required)
    source.add_argument("--candles", action="store_true", help="candles from the data dir (see download)")
    source.add_argument("--recording", type=Path, metavar="DIR", help="a session written by `record`")
    source.add_argument("--sim", type=float, metavar="SECONDS", help="the simulator for this many seconds")
    parser.add_argument("--vectorised", action="store_true",
                        help="with --candles, when every enabled strategy reads closed candles only (trend; cvd "
                             "with bar_mode \"candles\"): compute the strategies over whole candle columns and "
                             "hand the trading core only the bars that signal, exit or have an order working "
                             "(tens of times faster, same signals). The DRB guard then sees only those bars, so "
                             "its volatility budget can scale sizes differently; the report says so. Default: "
                             "every candle through the core")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="override the data directory")
    parser.add_argument("--exchange", default=suppress, metavar="ID",
                        help="exchange whose candles to use (default: the only one stored, else the configured one)")
    parser.add_argument("--symbols", default=suppress, metavar="SYM,SYM", help="symbols to trade")
    parser.add_argument("--timeframe", default="1m", help="candle timeframe (default %(default)s)")
    parser.add_argument("--seed", type=int, default=suppress, help="simulator seed (with --sim)")
    parser.add_argument("--strategies", metavar="NAME,NAME", help="strategies to run (default: the configured set)")
    parser.add_argument("--set", dest="backtest_set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a setting, e.g. --set strategies.cvd.timeframe='\"5m\"'")
    parser.add_argument("--capital", type=float, metavar="USD", help="initial equity")
    parser.add_argument("--maker-fee-bps", type=float, metavar="BPS", help="maker fee override")
    parser.add_argument("--taker-fee-bps", type=float, metavar="BPS", help="taker fee override")
    parser.add_argument("--latency-ms", type=float, metavar="MS", help="order latency of the paper broker")
    parser.add_argument("--from", dest="date_from", type=parse_utc, metavar="DATE", help="start, UTC")
    parser.add_argument("--to", dest="date_to", type=parse_utc, metavar="DATE", help="end (exclusive), UTC")


def source_given(args: argparse.Namespace) -> bool:
    """Whether one of ``--candles``, ``--recording``, ``--sim`` was given."""
    return bool(args.candles) or args.recording is not None or args.sim is not None


def parse_utc(text: str) -> int:
    """An ISO date or date-time (UTC unless it says otherwise) as ns since the epoch."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def load_run_settings(args: argparse.Namespace, extra: dict[str, Any] | None = None) -> Settings | None:
    """Settings from --config, the global flags and ``extra``; None after printing the problems."""
    overrides = {**overrides_from_args(args), **(extra or {})}
    try:
        return load_settings(getattr(args, "config", None), overrides)
    except ConfigError as exc:
        print_config_error(exc)
        return None


def data_dir_of(args: argparse.Namespace, settings: Settings) -> Path:
    """--data-dir, else the settings' data directory."""
    return args.data_dir if args.data_dir is not None else AppPaths.resolve(settings).data_dir


def resolve_data(args: argparse.Namespace, varied: Iterable[str] = ()) -> ResolvedData:
    """The options as a data spec, validated settings and the clipped time range. ``varied``: the
    keys the run sweeps or searches, checked with the config and ``--set`` for ``[exits]`` levels
    that no enabled strategy would take (a config error naming the settings that win)."""
    from hft_tui.data.recording import RecordedSession

    base = load_run_settings(args)
    if base is None:
        raise DataOptionError("", EXIT_CONFIG_ERROR)
    data_dir = data_dir_of(args, base)
    if args.candles:
        exchange_id = _candle_exchange(args, base, data_dir)
        spec = DataSpec("candles", data_dir=data_dir, exchange=exchange_id,
                        symbols=tuple(base.engine.symbols), timeframe=args.timeframe)
    elif args.recording is not None:
        try:
            meta = RecordedSession(args.recording).meta
        except (FileNotFoundError, ValueError) as exc:
            raise DataOptionError(str(exc), exit_codes.FAILED) from None
        exchange_id = "sim" if meta.source == "sim" else meta.source
        spec = DataSpec("recording", path=args.recording, exchange=exchange_id, symbols=meta.symbols)
    else:
        exchange_id = "sim"
        spec = DataSpec("sim", duration_s=args.sim, symbols=tuple(base.engine.symbols))
    try:
        extra = _run_overrides(args, exchange_id)
    except argparse.ArgumentTypeError as exc:
        raise DataOptionError(str(exc), EXIT_CONFIG_ERROR) from None
    if spec.kind == "recording":
        extra["engine.symbols"] = list(spec.symbols)
    settings = load_run_settings(args, extra)
    if settings is None:
        raise DataOptionError("", EXIT_CONFIG_ERROR)
    try:
        start, end = clip_window(*data_range(spec), args.date_from, args.date_to)
    except (DataError, ValueError) as exc:
        raise DataOptionError(str(exc), exit_codes.FAILED) from None
    if args.vectorised:
        problem = _vectorised_problem(args, settings)
        if problem is not None:
            raise DataOptionError(f"--vectorised: {problem}", EXIT_CONFIG_ERROR)
    problems = _exits_problems(args, settings, varied)
    if problems:
        raise DataOptionError("\nhft-tui: ".join(problems), EXIT_CONFIG_ERROR)
    return ResolvedData(spec, settings, extra, start, end)


def _exits_problems(args: argparse.Namespace, settings: Settings, varied: Iterable[str]) -> list[str]:
    """``[exits]`` levels given (away from their defaults in the config, with --set, or ``varied``)
    that no enabled strategy would take."""
    from hft_tui.backtest.exit_precedence import exits_problems
    from hft_tui.signals.exit_settings import ExitSettings

    defaults = ExitSettings()
    given = {f"exits.{name}" for name in type(defaults).model_fields
             if getattr(settings.exits, name) != getattr(defaults, name)}
    given |= {item.partition("=")[0].strip() for item in args.backtest_set}
    return exits_problems(settings, given | set(varied))


def _run_overrides(args: argparse.Namespace, exchange_id: str) -> dict[str, Any]:
    from hft_tui.backtest.sweep import parse_value

    extra: dict[str, Any] = {}
    for item in args.backtest_set:
        key, sep, raw = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--set expects KEY=VALUE, got {item!r}")
        extra[key.strip()] = parse_value(raw)
    if args.strategies:
        extra["strategies.enabled"] = [s.strip() for s in args.strategies.split(",") if s.strip()]
    if args.capital is not None:
        extra["risk.initial_equity"] = args.capital
    if args.latency_ms is not None:
        extra["execution.latency_ms"] = args.latency_ms
    if args.maker_fee_bps is not None or args.taker_fee_bps is not None:
        maker = args.maker_fee_bps if args.maker_fee_bps is not None else args.taker_fee_bps
        taker = args.taker_fee_bps if args.taker_fee_bps is not None else args.maker_fee_bps
        extra[f"execution.fee_overrides.{exchange_id}"] = {"maker": maker / 1e4, "taker": taker / 1e4}
    return extra


def _candle_exchange(args: argparse.Namespace, settings: Settings, data_dir: Path) -> str:
    if getattr(args, "exchange", None):
        return str(args.exchange)
    root = data_dir / "candles"
    stored = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    return stored[0] if len(stored) == 1 else settings.exchange.id


def _vectorised_problem(args: argparse.Namespace, settings: Settings) -> str | None:
    """Why ``--vectorised`` cannot apply to this run, or None."""
    from hft_tui.backtest.vectorised_candles import fast_path_blocker

    if not args.candles:
        return "it applies to candle backtests (--candles) only"
    blocker = fast_path_blocker(settings)
    if blocker is not None:
        return (f"{blocker}. Run candle strategies only, e.g. --strategies trend,cvd "
                "--set strategies.cvd.bar_mode='\"candles\"'")
    return None
