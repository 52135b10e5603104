"""Run ``hft-tui serve`` as a real process, the way systemd or nohup would."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STARTUP_TIMEOUT_S = 30.0


def start_served(state_dir: Path) -> subprocess.Popen[str]:
    """Start the served engine and return once its control socket listens."""
    process = subprocess.Popen([sys.executable, "-m", "hft_tui", "--state-dir", str(state_dir), "serve"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "control socket" in line:
            return process
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"served engine did not come up: {process.stdout.read()}")


def ctl(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hft_tui", "--state-dir", str(state_dir), "ctl", *args],
                          capture_output=True, text=True, timeout=60)


def ctl_json(state_dir: Path, *args: str) -> tuple[int, Any]:
    done = ctl(state_dir, *args, "--json")
    return done.returncode, json.loads(done.stdout)
