from __future__ import annotations

import stat
from pathlib import Path

import pytest
from optimize_driver import optimize, run_args, trials
from optuna.trial import TrialState

from hft_tui.config.loader import load_settings


def test_apply_writes_the_best_trials_settings_as_a_file_that_validates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert optimize(*run_args(storage, "--trials", "4", "--sampler-seed", "2", "--workers", "1")) == 0
    out = tmp_path / "best.toml"
    assert optimize("apply", "--storage", storage, "--study", "s", "--out", str(out)) == 0
    best = max((t for t in trials(storage) if t.state == TrialState.COMPLETE), key=lambda t: t.values[0])
    settings = load_settings(out)  # raises on anything invalid
    assert settings.strategies.trend.strong_spread_bps == best.params["strategies.trend.strong_spread_bps"]
    assert settings.strategies.cvd.take_profit_ranges == best.params["strategies.cvd.take_profit_ranges"]
    # The study's base settings come along, so the file runs what the trial ran.
    assert settings.strategies.enabled == ["trend", "cvd"] and settings.strategies.cvd.bar_mode == "candles"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert f"trial {best.number}" in out.read_text()

    capsys.readouterr()
    assert optimize("apply", "--storage", storage, "--study", "s", "--out", str(out)) == 2
    assert "exists; choose a new file or pass --force" in capsys.readouterr().err


def test_apply_of_a_pareto_study_asks_which_trial_of_the_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert optimize(*run_args(storage, "--trials", "3", "--objective", "return,max_drawdown", "--workers", "1")) == 0
    capsys.readouterr()
    assert optimize("apply", "--storage", storage, "--study", "s", "--out", str(tmp_path / "x.toml")) == 2
    assert "choose a trial of the Pareto front with --trial N" in capsys.readouterr().err
    front = [t.number for t in trials(storage) if t.state == TrialState.COMPLETE]
    assert optimize("apply", "--storage", storage, "--study", "s", "--trial", str(front[0]),
                    "--out", str(tmp_path / "x.toml")) == 0
    load_settings(tmp_path / "x.toml")
