"""A benchmark's command line: a shortened, mistyped or unknown option is refused in one line
(exit 2), never guessed nor ignored, so ``--quik`` does not quietly run the full workload."""

from __future__ import annotations

import argparse
from pathlib import Path

from hft_tui.cli.one_line_parser import OneLineParser


def benchmark_parser(module_file: str, description: str | None = None) -> OneLineParser:
    """The parser of ``python -m benchmarks.<module>``, given the module's ``__file__``."""
    stem = Path(module_file).stem
    prog = "python -m benchmarks" if stem == "__main__" else f"python -m benchmarks.{stem}"
    return OneLineParser(prog=prog, description=description)


def quick_option(module_file: str, argv: list[str] | None = None) -> bool:
    """Whether the benchmark was asked for its ``--quick`` (smaller) workload, its only option."""
    parser = benchmark_parser(module_file)
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke run")
    return bool(parser.parse_args(argv).quick)


def counted_run_options(module_file: str, description: str, default_count: int,
                        argv: list[str] | None = None) -> argparse.Namespace:
    """The options of a benchmark that counts instructions under cachegrind: ``count`` (how many
    units to count, a whole number >= 1, ``default_count`` unless given) and ``child`` (the two
    arguments of the ``--child`` run it starts itself as under valgrind, else None; not shown)."""
    parser = benchmark_parser(module_file, description)
    parser.add_argument("count", nargs="?", type=_whole_number, default=default_count, metavar="N",
                        help=f"how many to count (default {default_count:,})")
    parser.add_argument("--child", nargs=2, metavar="ARG", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _whole_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"N must be a whole number >= 1, got {text!r}")
    return int(text)
