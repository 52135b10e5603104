"""Run ``hft-tui --headless`` as a real process, the way tmux or systemd would."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

STARTUP_TIMEOUT_S = 30.0


def start_headless(state_dir: Path, *extra: str) -> subprocess.Popen[str]:
    """Start the engine and return once it printed its first status line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hft_tui", "--headless", "--state-dir", str(state_dir),
         "--set", "engine.status_interval_s=0.5", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if " | wal seq " in line:
            return process
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"headless engine did not come up: {process.stdout.read()}")


def hft_tui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hft_tui", *args], capture_output=True, text=True,
                          timeout=60)
