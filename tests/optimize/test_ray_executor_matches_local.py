"""The Ray executor gives the local executor's results, byte for byte: a study's trials, a
sweep's rows and a per-symbol batch, with the built-in strategies and with a user strategy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from optimize_driver import DATA, SAMPLE, run_args, spawn
from ray_cluster import LOOPBACK_RAY_ENV, ray_cluster  # noqa: F401 - fixture

SESSION = SAMPLE / "session"
# A user strategy: Ray workers run it from the text each task carries (checked by its sha256),
# with no strategies directory and nothing forked from the caller.
BREAKOUT = """
from collections import deque
from typing import ClassVar

from pydantic import Field

from hft_tui.model import Priority, Side, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams


class BreakoutParams(StrategyParams):
    window: int = Field(200, ge=10, le=10_000, description="Trades in the range.")


class Breakout(Strategy[BreakoutParams]):
    name: ClassVar[str] = "breakout"
    params_model: ClassVar[type[StrategyParams]] = BreakoutParams
    reason_codes: ClassVar[dict[str, str]] = {"NEW_HIGH": "A new high.", "NEW_LOW": "A new low."}

    def __init__(self, params=None):
        super().__init__(params)
        self._prices = {}

    def on_trade(self, trade):
        prices = self._prices.setdefault(trade.symbol, deque(maxlen=self.params.window))
        full = len(prices) == prices.maxlen
        low, high = (min(prices), max(prices)) if prices else (0.0, 0.0)
        prices.append(trade.price)
        if not full or low < trade.price < high:
            return NO_SIGNALS
        side, code = (Side.BUY, "NEW_HIGH") if trade.price >= high else (Side.SELL, "NEW_LOW")
        return (Signal(trade.symbol, side, 0.7, Priority.MEDIUM, (self.reason(code),), self.name,
                       trade.ts_ns, trade.ts_ns + 2_000_000_000),)
"""




def _hft_tui(*argv: str) -> bytes:
    done = subprocess.run([sys.executable, "-m", "hft_tui", *argv], capture_output=True, check=False,
                          env={**LOOPBACK_RAY_ENV, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return done.stdout


def _study(storage: str, *executor: str) -> bytes:
    worker = spawn(run_args(storage, "--trials", "8", "--batch", "4", "--walk-forward", "2",
                            "--sampler-seed", "5", *executor))
    _, err = worker.communicate()
    assert worker.returncode == 0, err
    return _hft_tui("optimize", "show", "--storage", storage, "--study", "s", "--json")


def test_a_study_on_a_local_ray_instance_has_the_trials_of_the_local_executor(tmp_path: Path) -> None:
    local = _study(f"sqlite:///{tmp_path / 'local.db'}", "--workers", "2")
    on_ray = _study(f"sqlite:///{tmp_path / 'ray.db'}", "--ray", "--workers", "2")
    assert on_ray == local and b'"COMPLETE"' in local


@pytest.mark.slow
def test_a_sweep_on_a_ray_cluster_writes_the_local_sweep_byte_for_byte(tmp_path: Path, ray_cluster: str) -> None:
    sweep = ["backtest", *DATA, "--split", "0.6", "--sweep", "strategies.trend.strong_spread_bps=10,25,40"]
    _hft_tui(*sweep, "--workers", "2", "--out", str(tmp_path / "local"))
    _hft_tui(*sweep, "--ray", ray_cluster, "--out", str(tmp_path / "ray"))
    local = (tmp_path / "local" / "sweep.json").read_bytes()
    assert (tmp_path / "ray" / "sweep.json").read_bytes() == local and local.count(b'"params"') == 3


@pytest.mark.slow
def test_a_per_symbol_batch_on_a_ray_cluster_reports_what_local_processes_report(ray_cluster: str) -> None:
    batch = ["backtest", "--candles", "--data-dir", str(SAMPLE), "--symbols", "BTC/USDT,ETH/USDT",
             "--strategies", "trend,cvd", "--set", 'strategies.cvd.bar_mode="candles"', "--vectorised",
             "--per-symbol", "--json"]
    local = _hft_tui(*batch, "--workers", "2")
    assert _hft_tui(*batch, "--ray", ray_cluster) == local
    assert b'"BTC/USDT"' in local and b'"ETH/USDT"' in local


@pytest.mark.slow
def test_a_user_strategy_sweep_and_study_on_a_ray_cluster_match_local_processes(
        tmp_path: Path, ray_cluster: str) -> None:
    strategies = tmp_path / "strategies"
    strategies.mkdir()
    (strategies / "breakout.py").write_text(BREAKOUT)
    own = ["--strategies-dir", str(strategies)]
    data = ["--recording", str(SESSION), "--strategies", "trend,breakout"]

    sweep = ["backtest", *data, "--split", "0.6", "--sweep", "strategies.breakout.window=50,150"]
    _hft_tui(*own, *sweep, "--workers", "2", "--out", str(tmp_path / "local"))
    _hft_tui(*own, *sweep, "--ray", ray_cluster, "--out", str(tmp_path / "ray"))
    local = (tmp_path / "local" / "sweep.json").read_bytes()
    assert (tmp_path / "ray" / "sweep.json").read_bytes() == local
    assert local.count(b'"params"') == 2 and b"breakout.NEW_" in local, "the user strategy must trade"

    def study(storage: str, *executor: str) -> bytes:
        _hft_tui(*own, "optimize", "run", *data, "--param", "strategies.breakout.window=20..400",
                 "--objective", "trades", "--trials", "2", "--batch", "2", "--sampler-seed", "3",
                 "--storage", storage, "--study", "s", *executor)
        return _hft_tui(*own, "optimize", "show", "--storage", storage, "--study", "s", "--json")

    local_study = study(f"sqlite:///{tmp_path / 'local.db'}", "--workers", "2")
    assert study(f"sqlite:///{tmp_path / 'ray.db'}", "--ray", ray_cluster) == local_study
    assert local_study.count(b'"COMPLETE"') == 2
