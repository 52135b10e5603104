"""Running ``hft-tui optimize`` on the shipped sample candles, in-process or as a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import optuna

from hft_tui.cli.main import main

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
# Candle strategies on the vectorised path: a trial is a fraction of a second.
DATA = ["--candles", "--data-dir", str(SAMPLE), "--symbols", "ETH/USDT", "--strategies", "trend,cvd",
        "--set", 'strategies.cvd.bar_mode="candles"', "--vectorised"]
TWO_PARAMS = ["--param", "strategies.trend.strong_spread_bps=5..60",
              "--param", "strategies.cvd.take_profit_ranges=1..6:0.5"]


def optimize(*argv: str) -> int:
    """``hft-tui optimize ...`` in this process; its exit code."""
    return main(["optimize", *argv])


def run_args(storage: str, *extra: str) -> list[str]:
    """``optimize run`` of the two-parameter study on the sample, with ``extra`` options."""
    return ["run", *DATA, *TWO_PARAMS, "--storage", storage, "--study", "s", *extra]


def spawn(argv: list[str]) -> subprocess.Popen[str]:
    """``hft-tui optimize ...`` as a process (and process group) of its own, stderr piped."""
    return subprocess.Popen([sys.executable, "-m", "hft_tui", "optimize", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "COLUMNS": "200"})


def trials(storage: str) -> list[optuna.trial.FrozenTrial]:
    """Every trial of study ``s`` in ``storage``."""
    return optuna.load_study(study_name="s", storage=storage).get_trials(deepcopy=False)


def wait_for_finished(process: subprocess.Popen[str], count: int) -> None:
    """Read the study's progress lines until ``count`` trials have finished (fails if it ends first)."""
    assert process.stderr is not None
    finished = 0
    for line in process.stderr:
        finished += ": complete" in line or ": pruned" in line
        if finished == count:
            return
    raise AssertionError(f"the study ended before {count} trials finished")
