"""Nothing in a state dir is more open than 0600 (files) or 0700 (directories): the WAL, the
lock, the recordings and their parts are born private, even under a 022 umask and with
``kill -9`` landing mid-write; and the parts a killed session left half-written are gone
after the next start."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLS = 3
UNPACED = ("--set", "sim.paced=false", "--set", "engine.status_interval_s=0.5")


def _start(state_dir: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "hft_tui", "--headless", "--state-dir", str(state_dir), *UNPACED],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=lambda: os.umask(0o022))
    assert process.stdout is not None
    for line in process.stdout:  # the first status line: the session is journaling and recording
        if " | wal seq " in line:
            return process
    raise AssertionError(f"the engine did not come up (exit {process.wait()})")


def _too_open(state_dir: Path) -> list[str]:
    found = []
    for path in [state_dir, *state_dir.rglob("*")]:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if mode & 0o077 or (not path.is_dir() and mode & 0o100):
            found.append(f"{path.relative_to(state_dir)} {oct(mode)}")
    return found


@pytest.mark.slow
def test_every_file_in_the_state_dir_is_owner_only_after_kills_and_a_clean_stop(tmp_path: Path) -> None:
    rng = random.Random(20261204)
    state_dir = tmp_path / "state"
    for _ in range(KILLS):
        process = _start(state_dir)
        time.sleep(rng.uniform(0.3, 2.0))  # where the kill lands; nothing is asserted on time
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        assert _too_open(state_dir) == []

    orphan = state_dir / "recordings" / "session-1" / ".events-000099.parquet.tmp"
    orphan.write_bytes(b"a part a killed session was writing")
    os.chmod(orphan, 0o600)
    process = _start(state_dir)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 0

    assert _too_open(state_dir) == []
    assert sorted(str(p.relative_to(state_dir)) for p in state_dir.rglob("*.tmp")) == []
    assert (state_dir / "wal" / "wal.lock").exists()
