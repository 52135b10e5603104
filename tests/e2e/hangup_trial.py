"""One SSH drop, the way a terminal multiplexer does it: the workstation runs as the session
leader on a pseudo-terminal, the terminal's other end is closed, and the kernel sends SIGHUP."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# The workstation is up once it drew this much of its first screen.
FIRST_SCREEN_BYTES = 4096
STARTUP_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class HangupOutcome:
    exited: bool
    exit_s: float  # from the hang-up to the process being gone
    status: int | None


def hang_up_workstation(state_dir: Path, *extra: str) -> HangupOutcome:
    """Start ``hft-tui`` on a pty, wait for its first screen, close the terminal, time the exit."""
    pid, master = pty.fork()
    if pid == 0:  # the child: becomes the workstation
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLUMNS"], os.environ["LINES"] = "120", "35"
        os.execv(sys.executable, [sys.executable, "-m", "hft_tui", "--state-dir", str(state_dir), *extra])
    drawn = 0
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while drawn < FIRST_SCREEN_BYTES and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                drawn += len(os.read(master, 65536))
            except OSError:
                break
    closed_at = time.monotonic()
    os.close(master)  # the hang-up: the kernel sends SIGHUP to the session
    while time.monotonic() - closed_at < EXIT_TIMEOUT_S:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return HangupOutcome(True, time.monotonic() - closed_at, status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return HangupOutcome(False, EXIT_TIMEOUT_S, None)


def main(trials: int) -> int:
    """``python tests/e2e/hangup_trial.py N``: N hang-ups; how many were clean, exit times."""
    import statistics
    import tempfile

    from hft_tui.wal.reader import iter_records

    times, clean = [], 0
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as state_dir:
            outcome = hang_up_workstation(Path(state_dir))
            records = list(iter_records(Path(state_dir) / "wal", tolerate_torn_tail=True))
        stopped = bool(records) and records[-1].type == "session_stop"
        clean += outcome.exited and outcome.status == 0 and outcome.exit_s < 2.0 and stopped
        times.append(outcome.exit_s)
    times.sort()
    print(f"{clean}/{trials} clean exits with session_stop; exit after hang-up: median "
          f"{statistics.median(times):.3f} s, p95 {times[int(0.95 * (trials - 1))]:.3f} s, "
          f"max {times[-1]:.3f} s")
    return 0 if clean == trials else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
