"""An SSH drop ends the embedded workstation cleanly, every time: gone within 2 s, exit
status 0, ``session_stop`` journaled (50 trials are measured by ``hangup_trial.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hangup_trial import hang_up_workstation

from hft_tui.wal.reader import iter_records

TRIALS = 3


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_hung_up_terminal_ends_the_workstation_within_2_s_with_session_stop(
    tmp_path: Path, trial: int
) -> None:
    outcome = hang_up_workstation(tmp_path)
    assert outcome.exited, "the workstation was still running 10 s after the hang-up"
    assert outcome.exit_s < 2.0
    assert outcome.status == 0
    records = list(iter_records(tmp_path / "wal"))
    assert records[-1].type == "session_stop"
    assert records[-1].payload["reason"] == "SIGHUP"
