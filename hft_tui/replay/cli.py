"""``hft-tui replay --verify``: re-run a recorded session and check every decision against the WAL.

The top-level parser supplies ``--config``, ``--state-dir`` and its ``--set``; defaults are
the newest recording under ``<state_dir>/recordings`` and the state dir's WAL.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hft_tui.config.cli import overrides_from_args, print_config_error
from hft_tui.config.errors import ConfigError
from hft_tui.config.loader import load_settings
from hft_tui.config.paths import AppPaths

EXIT_VERIFIED = 0
EXIT_DIVERGED = 1
EXIT_SETUP_ERROR = 2


def add_replay_parser(subparsers: Any) -> None:
    """Add ``replay`` to the top-level ``subparsers``."""
    replay = subparsers.add_parser(
        "replay", help="re-run a recorded session and check its decisions against the WAL",
        description="Run a recorded session's market events (and its operator commands, at the "
                    "events they came after) through a freshly built core, and compare the "
                    "decisions it journals with the session's WAL. Works for sim and paper "
                    "sessions (recorded into <state_dir>/recordings) and for backtests run with "
                    "--wal-dir over a recording.")
    replay.add_argument("--verify", action="store_true",
                        help="compare the replay's decisions with the WAL's; exit 1 at the first divergence")
    replay.add_argument("--recording", type=Path, metavar="DIR",
                        help="recorded session (default: the newest under <state_dir>/recordings)")
    replay.add_argument("--wal", type=Path, metavar="DIR",
                        help="the session's WAL directory (default: <state_dir>/wal)")
    replay.add_argument("--set", dest="replay_set", action="append", default=[], metavar="KEY=VALUE",
                        help="change a setting for the replay, e.g. --set strategies.cvd.cooldown_s=5 "
                             "(the first divergence shows what it would have changed)")
    replay.add_argument("--keep-wal", type=Path, metavar="DIR",
                        help="write the replay's WAL here (an empty or new directory) and keep it")
    replay.set_defaults(handler=run_replay_command)


def run_replay_command(args: argparse.Namespace) -> int:
    """Replay, compare, print the verdict; 0 verified, 1 diverged, 2 nothing to replay."""
    from hft_tui.backtest.sweep import parse_value
    from hft_tui.replay.session_replay import ReplayError, plan_replay, run_replay, session_settings
    from hft_tui.replay.verify import compare_streams
    from hft_tui.session.input_recording import newest_recording, recordings_dir

    if not args.verify and args.keep_wal is None:
        print("hft-tui replay: nothing to do; give --verify (and/or --keep-wal DIR)", file=sys.stderr)
        return EXIT_SETUP_ERROR
    overrides = dict(overrides_from_args(args))
    for item in args.replay_set:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            print(f"hft-tui replay: --set expects KEY=VALUE, got {item!r}", file=sys.stderr)
            return EXIT_SETUP_ERROR
        overrides[key.strip()] = parse_value(raw)
    config_file = getattr(args, "config", None)
    try:
        paths = AppPaths.resolve(load_settings(config_file, overrides_from_args(args)))
    except ConfigError as exc:
        print_config_error(exc)
        return EXIT_SETUP_ERROR
    recording = args.recording or newest_recording(recordings_dir(paths.state_dir))
    if recording is None:
        print(f"hft-tui replay: no recording under {recordings_dir(paths.state_dir)}; "
              f"give --recording DIR", file=sys.stderr)
        return EXIT_SETUP_ERROR
    wal_dir = args.wal or paths.wal_dir
    try:
        plan = plan_replay(recording, wal_dir)
        settings = session_settings(plan, config_file, overrides)
    except ReplayError as exc:
        print(f"hft-tui replay: {exc}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    except ConfigError as exc:
        print_config_error(exc, "hft-tui replay: invalid settings for the replay")
        return EXIT_SETUP_ERROR
    scratch = None if args.keep_wal is not None else Path(tempfile.mkdtemp(prefix="hft-tui-replay-"))
    out_wal = args.keep_wal if args.keep_wal is not None else scratch / "wal"  # type: ignore[operator]
    try:
        run = run_replay(plan, settings, out_wal)
    except ReplayError as exc:
        print(f"hft-tui replay: {exc}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    kind = "backtest" if plan.session.is_backtest else f"session {plan.session.number}"
    for change in settings.strategies.code_changes(dict(plan.session.start.payload)):
        print(f"warning: {change}")
    print(f"replayed {kind} from {plan.recording.directory}: {run.events} events, "
          f"{run.commands_applied} operator command(s) re-applied, {len(run.decisions)} decisions")
    if not plan.recording.meta.complete:
        print("note: the recording was not closed (the session died?): only the decisions its "
              "recorded events explain are compared")
    if not args.verify:
        print(f"replay WAL: {out_wal}")
        return EXIT_VERIFIED
    expected = plan.session.decisions()
    if not plan.recording.meta.complete:
        expected = expected[:len(run.decisions)]
    result = compare_streams(expected, run.decisions, compare_clock_fields=not plan.wall_clock,
                             event_of=run.event_of)
    if plan.wall_clock:
        print("note: a wall-clock session: timestamps and latencies are not compared (see docs/replay.md)")
    print(result.summary())
    return EXIT_VERIFIED if result.ok else EXIT_DIVERGED
