from __future__ import annotations

import os
import signal
from pathlib import Path

from optimize_driver import run_args, spawn, trials, wait_for_finished
from optuna.trial import TrialState


def test_ctrl_c_stops_the_study_keeping_finished_trials_and_queueing_the_running_ones(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    study = spawn(run_args(storage, "--trials", "40", "--batch", "4", "--workers", "2", "--sampler-seed", "4"))
    wait_for_finished(study, 2)
    os.killpg(study.pid, signal.SIGINT)  # what a terminal sends the foreground group on Ctrl+C
    rest = study.stderr.read()
    assert study.wait() == 130, rest
    assert "interrupted; finished trials are kept" in rest
    held = trials(storage)
    assert not [t for t in held if t.state == TrialState.RUNNING]
    assert len([t for t in held if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]) >= 2
    interrupted = [t for t in held if t.user_attrs.get("error", "").startswith("interrupted")]
    assert interrupted and all(t.state == TrialState.FAIL for t in interrupted)
    queued = {t.user_attrs["retry_of"]: t for t in held if t.state == TrialState.WAITING}
    assert sorted(queued) == sorted(t.number for t in interrupted)
    assert all(queued[t.number].system_attrs["fixed_params"] == t.params for t in interrupted)
