"""An SSH drop ends the embedded workstation cleanly, every time: gone, exit status 0,
``session_stop`` journaled. How fast (the 2 s target) is a figure, not an assertion:
``python tests/e2e/hangup_trial.py 50`` measures it over 50 trials."""

from __future__ import annotations

from pathlib import Path

import pytest
from hangup_trial import hang_up_workstation

from hft_tui.wal.reader import iter_records

TRIALS = 3


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_hung_up_terminal_ends_the_workstation_with_session_stop(
    tmp_path: Path, trial: int
) -> None:
    outcome = hang_up_workstation(tmp_path)
    assert outcome.exited, "the workstation was still running 10 s after the hang-up"
    assert outcome.status == 0
    records = list(iter_records(tmp_path / "wal"))
    assert records[-1].type == "session_stop"
    assert records[-1].payload["reason"] == "SIGHUP"
