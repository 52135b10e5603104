from __future__ import annotations

from collections import Counter
from pathlib import Path

from optuna.trial import TrialState
from optimize_driver import run_args, spawn, trials


def test_two_worker_processes_share_one_sqlite_study_without_duplicating_a_trial(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    # Distinct sampler seeds, as docs/research.md tells workers to use.
    workers = [spawn(run_args(storage, "--trials", "6", "--batch", "2", "--workers", "1",
                              "--sampler-seed", str(seed))) for seed in (1, 2)]
    for worker in workers:
        _, err = worker.communicate()
        assert worker.returncode == 0, err
    held = trials(storage)
    assert sorted(t.number for t in held) == list(range(12))  # total = 6 + 6, every number once
    assert all(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in held)
    assert sorted(Counter(t.user_attrs["worker"] for t in held).values()) == [6, 6]
    assert len({tuple(sorted(t.params.items())) for t in held}) == 12  # no parameters run twice
