from __future__ import annotations

import os
import signal
from pathlib import Path

from optuna.trial import TrialState
from optimize_driver import run_args, spawn, trials, wait_for_finished


def test_a_study_killed_with_sigkill_resumes_with_every_finished_trial_kept(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    first = spawn(run_args(storage, "--trials", "40", "--batch", "2", "--workers", "2", "--sampler-seed", "1"))
    wait_for_finished(first, 3)
    os.killpg(first.pid, signal.SIGKILL)  # the whole process group, workers too: a crashed host
    first.wait()
    before = {t.number: t for t in trials(storage) if t.state.is_finished()}
    assert len(before) >= 3
    abandoned = [t.number for t in trials(storage) if t.state == TrialState.RUNNING]

    second = spawn(run_args(storage, "--trials", "4", "--batch", "2", "--workers", "2", "--sampler-seed", "1"))
    _, err = second.communicate()
    assert second.returncode == 0, err
    after = {t.number: t for t in trials(storage)}
    for number, trial in before.items():  # nothing finished was lost or changed
        assert after[number].state == trial.state and after[number].values == trial.values
        assert after[number].params == trial.params
    for number in abandoned:  # a trial the killed process was running is failed and run again
        assert after[number].state == TrialState.FAIL
        repeats = [t for t in after.values() if t.user_attrs.get("retry_of") == number]
        assert len(repeats) == 1 and repeats[0].params == after[number].params
        assert repeats[0].state.is_finished()
    new = [t for t in after.values() if t.number not in before and t.number not in abandoned]
    assert len(new) == 4 and all(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in new)
