"""``hft-tui wal tail``, ``verify`` and ``repair``: the handlers the top-level CLI wires in.

The parent parser supplies ``args.state_dir`` (a Path); the WAL is ``<state_dir>/wal/``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hft_tui import exit_codes
from hft_tui.clock import WallClock
from hft_tui.wal.errors import WalCorruptError, WalError
from hft_tui.wal.follow import follow_records
from hft_tui.wal.format import TYPE_WIDTH, format_record, style_for
from hft_tui.wal.reader import read_last_records
from hft_tui.wal.record import WalRecord
from hft_tui.wal.repair import plan_repair, repair
from hft_tui.wal.segments import wal_directory
from hft_tui.wal.summary import summarize_record
from hft_tui.wal.verify import VerifyResult, verify

DEFAULT_TAIL_LINES = 20
REPAIR_CONFIRMATION = "REPAIR"


def add_wal_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``wal {tail,verify}`` to the top-level ``subparsers``; returns the ``wal`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "wal", help="inspect the write-ahead log", description="Inspect the write-ahead log in <state_dir>/wal/."
    )
    commands = parser.add_subparsers(dest="wal_command", required=True, metavar="{tail,verify,repair}")
    tail = commands.add_parser("tail", help="print the newest records", description="Print the newest WAL records.")
    tail.add_argument(
        "-n", "--lines", type=_non_negative_int, default=DEFAULT_TAIL_LINES, help="how many records (default %(default)s)"
    )
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new records until Ctrl-C")
    commands.add_parser(
        "verify",
        help="check checksums and sequence; exit 1 if corrupt",
        description="Check every record's checksum, JSON and sequence. Exit 0 if intact, 1 if not.",
    )
    repair_parser = commands.add_parser(
        "repair",
        help="get past a corrupt record (journaled; the damaged bytes are kept)",
        description="Replace one damaged record with a corrupt_record placeholder at its seq (when the "
                    "records around it are intact), or else cut the WAL where the damage starts. The "
                    "damaged bytes are copied aside first and a wal_repair record says what was done. "
                    "Stop the engine first.",
    )
    repair_parser.add_argument("--yes", action="store_true",
                               help=f"do not ask to type {REPAIR_CONFIRMATION} (for scripts)")
    return parser


def run_wal_command(args: argparse.Namespace) -> int:
    """Run the ``wal`` subcommand in ``args``; returns the process exit code."""
    directory = wal_directory(args.state_dir)
    if not directory.is_dir():
        missing = "no state dir" if not Path(args.state_dir).is_dir() else "no WAL in"
        print(f"hft-tui wal: {missing} {args.state_dir} (check --state-dir)", file=sys.stderr)
        return exit_codes.NO_STATE_DIR
    if args.wal_command == "tail":
        return _tail(directory, args.lines, args.follow)
    if args.wal_command == "verify":
        return _verify(directory)
    if args.wal_command == "repair":
        return _repair(directory, args.yes)
    raise ValueError(f"unknown wal command: {args.wal_command!r}")


def _tail(path: Path, lines: int, follow: bool) -> int:
    printer = _RecordPrinter(flush_each=follow)
    try:
        records, position = read_last_records(path, lines)
        printer.print_all(records)
        if follow:
            printer.print_all(follow_records(path, position))
    except WalCorruptError as exc:
        print(f"wal tail: {exc}; run `hft-tui wal verify` for details", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def _verify(directory: Path) -> int:
    result = verify(directory)
    print(_verify_report(directory, result))
    return 0 if result.ok else 1


def _repair(directory: Path, confirmed: bool) -> int:
    try:
        plan = plan_repair(directory)
    except OSError as exc:
        print(f"wal repair: {exc}", file=sys.stderr)
        return 1
    if plan is None:
        print(f"WAL {directory}: nothing to repair (`hft-tui wal verify` says what is there)")
        return 0
    print(f"WAL {directory}: will {plan.describe()}")
    if not confirmed:
        if not sys.stdin.isatty():
            print("wal repair: not confirmed; give --yes when not at a terminal", file=sys.stderr)
            return 1
        if input(f"Type {REPAIR_CONFIRMATION} to go ahead: ").strip() != REPAIR_CONFIRMATION:
            print("wal repair: not confirmed; nothing changed", file=sys.stderr)
            return 1
    try:
        result = repair(directory, plan, WallClock())
    except (WalError, OSError) as exc:
        print(f"wal repair: {exc}", file=sys.stderr)
        return 1
    print(f"repaired: damaged bytes kept in {result.copy_path.name}; journaled as seq {result.repair_seq}")
    return 0


def _verify_report(directory: Path, result: VerifyResult) -> str:
    """The human summary of a verification."""
    lines = [f"WAL {directory}"]
    if result.segments:
        span = result.segments[0].name
        if len(result.segments) > 1:
            span += f" .. {result.segments[-1].name}"
        lines.append(f"segments: {len(result.segments)} ({span}), {_human_bytes(result.total_bytes)}")
    else:
        lines.append("segments: none")
    if result.records:
        lines.append(f"records:  {result.records} (seq {result.first_seq} .. {result.last_seq})")
        lines.append(f"time:     {result.first_ts} .. {result.last_ts}")
    else:
        lines.append("records:  0")
    problem = result.problem
    if problem is None:
        lines.append("status:   OK")
    elif problem.recoverable:
        lines.append(f"status:   TORN TAIL at {problem.describe()}")
        lines.append(f"          {problem.path}")
        lines.append("          recoverable: the engine cuts it off, keeping a copy, when it next opens the WAL")
    else:
        lines.append(f"status:   CORRUPT at {problem.describe()}")
        lines.append(f"          {problem.path}")
        lines.append("          the engine refuses to start on this WAL: `hft-tui wal repair` sets the damage "
                     "aside, keeps its bytes and journals what it did")
    return "\n".join(lines)


def _human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


class _RecordPrinter:
    """Plain lines for pipes; coloured by record type on a terminal."""

    def __init__(self, *, flush_each: bool) -> None:
        self._flush_each = flush_each
        self._console = None
        if sys.stdout.isatty():
            from rich.console import Console

            self._console = Console(highlight=False, soft_wrap=True)

    def print_all(self, records: Iterable[WalRecord]) -> None:
        for record in records:
            if self._console is None:
                sys.stdout.write(format_record(record) + "\n")
                if self._flush_each:
                    sys.stdout.flush()
            else:
                self._console.print(self._styled(record))

    @staticmethod
    def _styled(record: WalRecord) -> Any:
        from rich.text import Text

        text = Text()
        text.append(f"{record.seq:>9} ", style="dim")
        text.append(f"{record.ts} ")
        text.append(f"{record.type:<{TYPE_WIDTH}}", style=style_for(record.type))
        text.append(" " + summarize_record(record.type, record.payload))
        return text


def _non_negative_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number
