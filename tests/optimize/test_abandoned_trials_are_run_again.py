from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import optuna
from optuna.trial import TrialState
from optimize_driver import optimize, run_args, trials

from hft_tui.optimize.abandoned_trials import WORKER_ATTR


def test_a_trial_left_running_by_a_dead_process_of_this_host_is_failed_and_run_again(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert optimize(*run_args(storage, "--trials", "1", "--sampler-seed", "1")) == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    study = optuna.load_study(study_name="s", storage=storage)
    orphan = study.ask()
    params = {"strategies.trend.strong_spread_bps": 12.5, "strategies.cvd.take_profit_ranges": 2.0}
    for key, value in params.items():
        orphan.suggest_float(key, value, value)
    orphan.set_user_attr(WORKER_ATTR, f"{socket.gethostname()}/{dead.stdout.strip()}/0")

    assert optimize(*run_args(storage, "--trials", "1", "--sampler-seed", "1")) == 0
    held = {t.number: t for t in trials(storage)}
    assert held[orphan.number].state == TrialState.FAIL
    repeat = next(t for t in held.values() if t.user_attrs.get("retry_of") == orphan.number)
    assert repeat.params == params and repeat.state in (TrialState.COMPLETE, TrialState.PRUNED)
