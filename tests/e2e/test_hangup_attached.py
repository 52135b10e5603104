"""An SSH drop ends an attached workstation, never the served engine behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hangup_trial import hang_up_workstation

from hft_tui.wal.reader import iter_records

START_TIMEOUT_S = 60.0


def _ctl_status(state_dir: Path) -> dict[str, object] | None:
    done = subprocess.run([sys.executable, "-m", "hft_tui", "--state-dir", str(state_dir), "ctl", "status",
                           "--json"], capture_output=True, text=True, timeout=30)
    return json.loads(done.stdout) if done.returncode == 0 else None


@pytest.mark.slow
def test_a_hung_up_attached_workstation_leaves_the_served_engine_trading(tmp_path: Path) -> None:
    served = subprocess.Popen([sys.executable, "-m", "hft_tui", "--state-dir", str(tmp_path), "serve"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while (status := _ctl_status(tmp_path)) is None:
            assert served.poll() is None, served.stderr.read().decode() if served.stderr else ""
            assert time.monotonic() < deadline, "the served engine never answered"
            time.sleep(0.2)
        seq_before = int(status["wal_seq"])  # type: ignore[arg-type]

        outcome = hang_up_workstation(tmp_path, "attach")

        assert outcome.exited and outcome.status == 0  # how fast: hangup_trial.py's figure
        assert served.poll() is None, "the served engine died with the attached terminal"
        after = _ctl_status(tmp_path)
        assert after is not None and after["trading_state"] == "ACTIVE"
        assert float(after["heartbeat_age_s"]) < 5.0  # type: ignore[arg-type]
        assert int(after["wal_seq"]) >= seq_before  # type: ignore[arg-type]
        assert all(r.type != "session_stop" for r in iter_records(tmp_path / "wal", tolerate_torn_tail=True))
    finally:
        os.killpg(served.pid, 15)
        served.wait(timeout=30)
    assert served.returncode == 0
    assert list(iter_records(tmp_path / "wal"))[-1].type == "session_stop"
