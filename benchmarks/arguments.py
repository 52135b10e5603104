"""A benchmark's command line: a shortened, mistyped or unknown option is refused in one line
(exit 2), never guessed nor ignored, so ``--quik`` does not quietly run the full workload."""

from __future__ import annotations

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
