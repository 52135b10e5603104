from __future__ import annotations

from pathlib import Path

import pytest
from optimize_driver import optimize, run_args, trials
from optuna.trial import TrialState


def test_a_trial_below_the_median_at_a_walk_forward_fold_stops_there(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert optimize(*run_args(storage, "--trials", "12", "--batch", "4", "--walk-forward", "3",
                              "--sampler-seed", "3", "--workers", "2")) == 0
    held = trials(storage)
    pruned = [t for t in held if t.state == TrialState.PRUNED]
    assert pruned, "no trial was pruned"
    for trial in pruned:
        assert max(trial.intermediate_values) < 2  # stopped before the last fold
        assert all(v is None for v in trial.user_attrs["out_of_sample"].values())  # never run out of sample
    complete = [t for t in held if t.state == TrialState.COMPLETE]
    assert complete and all(len(t.intermediate_values) == 3 for t in complete)

    # A pruned trial was tried too: the search's bias counts it.
    capsys.readouterr()
    assert optimize("show", "--storage", storage, "--study", "s") == 0
    assert f"12 trials were tried ({len(pruned)} of them stopped early by pruning)" in capsys.readouterr().out
