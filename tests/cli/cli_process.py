"""Run ``hft-tui`` in its own process and collect what it said."""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# A guard against a hung child, not a measurement: every command here ends in seconds.
GUARD_S = 120
LOOPBACK_EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "loopback.toml"


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def hft_tui(*args: str | Path) -> Outcome:
    done = subprocess.run([sys.executable, "-m", "hft_tui", *map(str, args)], capture_output=True,
                          text=True, timeout=GUARD_S, stdin=subprocess.DEVNULL)
    return Outcome(done.returncode, done.stdout, done.stderr)


def hft_tui_interrupted(marker: str, *args: str | Path) -> Outcome:
    """Start ``hft-tui``, press Ctrl+C once ``marker`` appears on its stderr."""
    child = subprocess.Popen([sys.executable, "-m", "hft_tui", *map(str, args)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if marker in line:
            break
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=GUARD_S)
    return Outcome(child.returncode, stdout, "".join(seen) + stderr)


def loopback_config(tmp_path: Path, port: int) -> Path:
    """``config/examples/loopback.toml`` aimed at ``port``."""
    path = tmp_path / "loopback.toml"
    path.write_text(LOOPBACK_EXAMPLE.read_text(encoding="utf-8").replace("8765", str(port)), encoding="utf-8")
    return path
