"""Running the download/record/backtest commands the way the CLI wires them, in-process."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from hft_tui.backtest.cli import add_backtest_parsers

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def run_backtest_cli(argv: list[str]) -> int:
    """Parse ``argv`` as the top-level parser does for these commands; the handler's exit code."""
    parser = argparse.ArgumentParser(prog="hft-tui")
    parser.add_argument("--config", type=Path)
    add_backtest_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables at 200 columns, so assertions see whole rows."""
    monkeypatch.setenv("COLUMNS", "200")
