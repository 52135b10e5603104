"""``hft-tui serve`` outlives the terminal, answers ``ctl`` with meaningful exit codes, and
stops gracefully on SIGTERM; an attached workstation's SSH drop leaves it trading."""

from __future__ import annotations

import signal
import stat
from pathlib import Path

import pytest
from hangup_trial import hang_up_workstation
from served_process import ctl, ctl_json, start_served

from hft_tui import exit_codes
from hft_tui.wal.reader import iter_records


@pytest.mark.slow
def test_ctl_commands_the_served_engine_and_says_how_it_went_in_its_exit_code(tmp_path: Path) -> None:
    process = start_served(tmp_path)
    try:
        code, status = ctl_json(tmp_path, "status")
        assert code == 0 and status["trading_state"] == "ACTIVE" and status["mode"] == "SIM"
        assert status["heartbeat_age_s"] is not None and status["heartbeat_age_s"] < 5
        assert stat.S_IMODE((tmp_path / "control.sock").stat().st_mode) == 0o600

        process.send_signal(signal.SIGHUP)  # the SSH session that started it is gone
        refused = ctl(tmp_path, "kill")
        assert refused.returncode == 2 and "--yes" in refused.stderr
        code, reply = ctl_json(tmp_path, "tune", "trend", "no_such_param=3")
        assert code == 1 and not reply["ok"]
        code, reply = ctl_json(tmp_path, "kill", "--yes")
        assert code == 0 and reply["ok"]
        code, status = ctl_json(tmp_path, "status")
        assert status["trading_state"] == "HALTED"
        code, notices = ctl_json(tmp_path, "notices")
        assert any("kill" in notice["text"] for notice in notices)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped (SIGTERM)" in output
    records = list(iter_records(tmp_path / "wal"))
    assert records[-1].type == "session_stop" and records[-1].payload["reason"] == "SIGTERM"
    assert not (tmp_path / "control.sock").exists()
    gone = ctl(tmp_path, "status")
    assert gone.returncode == exit_codes.NO_SERVED_ENGINE and "no served engine" in gone.stderr


@pytest.mark.slow
def test_an_ssh_drop_of_an_attached_workstation_leaves_the_engine_trading(tmp_path: Path) -> None:
    process = start_served(tmp_path)
    try:
        outcome = hang_up_workstation(tmp_path, "attach")
        assert outcome.exited and outcome.status == 0
        code, status = ctl_json(tmp_path, "status")
        assert code == 0 and status["trading_state"] == "ACTIVE"
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
