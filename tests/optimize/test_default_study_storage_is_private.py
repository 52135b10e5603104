from __future__ import annotations

import stat
from pathlib import Path

from optimize_driver import DATA, optimize


def test_a_study_without_storage_lives_in_a_0600_sqlite_file_in_the_0700_state_dir(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert optimize("run", *DATA, "--param", "strategies.cvd.lookback_bars=10..60", "--trials", "1",
                    "--workers", "1", "--state-dir", str(state)) == 0
    assert stat.S_IMODE((state / "optuna.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert optimize("show", "--state-dir", str(state)) == 0  # found again by the same rule
