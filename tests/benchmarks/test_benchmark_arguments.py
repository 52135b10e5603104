"""A benchmark's options are parsed, not looked for: ``--quik`` or a shortened ``--prof`` is
refused in one line (exit 2) instead of quietly running the full workload or being guessed."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from benchmarks.arguments import benchmark_parser, quick_option

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_quick_is_the_only_option_and_a_near_miss_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert quick_option("bench_x.py", ["--quick"]) is True
    assert quick_option("bench_x.py", []) is False
    for wrong in (["--quik"], ["--qui"], ["--quick", "extra"]):
        with pytest.raises(SystemExit) as exited:
            quick_option("bench_x.py", wrong)
        assert exited.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("python -m benchmarks.bench_x: unknown option --quik")


def test_an_option_is_never_taken_for_the_longer_one_it_starts() -> None:
    parser = benchmark_parser("bench_y.py")
    parser.add_argument("--profile", action="store_true")
    with pytest.raises(SystemExit):
        parser.parse_args(["--prof"])


def test_every_benchmark_parses_its_command_line() -> None:
    looking = {path.name for path in BENCHMARKS.glob("*.py")
               if re.search(r"in sys\.argv|argparse\.ArgumentParser\(", path.read_text())}
    assert not looking, f"read through benchmarks/arguments.py instead: {sorted(looking)}"


@pytest.mark.parametrize("module", ["instructions_per_update", "instructions_per_read", "instructions_per_take"])
def test_an_instruction_count_takes_a_whole_number_and_refuses_anything_else_in_one_line(
        module: str, capsys: pytest.CaptureFixture[str]) -> None:
    main = importlib.import_module(f"benchmarks.{module}").main
    for wrong in (["--quick"], ["20k"], ["0"], ["5", "6"]):
        with pytest.raises(SystemExit) as exited:
            main(wrong)
        assert exited.value.code == 2, wrong
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"python -m benchmarks.{module}: "), err
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert "[N]" in shown and "--child" not in shown  # the child run is the benchmark's own business
