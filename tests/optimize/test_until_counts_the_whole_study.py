from __future__ import annotations

from pathlib import Path

from optimize_driver import optimize, run_args, trials


def test_until_runs_only_what_the_study_still_lacks(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert optimize(*run_args(storage, "--trials", "2", "--workers", "1", "--sampler-seed", "1")) == 0
    assert optimize(*run_args(storage, "--until", "5", "--workers", "1", "--sampler-seed", "1")) == 0
    assert len(trials(storage)) == 5
    assert optimize(*run_args(storage, "--until", "5", "--workers", "1", "--sampler-seed", "1")) == 0
    assert len(trials(storage)) == 5  # already there: nothing more to run
