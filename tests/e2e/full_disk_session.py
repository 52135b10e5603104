"""Run inside a private mount namespace on a small tmpfs (see test_journal_disk_faults.py):
a session that fills the disk, a start on the full disk, a start on the disk read-only.
Prints one JSON document with what each step did."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

STARTUP_LINES = 10_000


def files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()}


def hft_tui(state: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "hft_tui", "--headless", "--state-dir", str(state),
            "--set", "sim.paced=false", "--set", "engine.status_interval_s=0.5", *extra]


def main(mount: Path) -> None:
    state = mount / "state"
    result: dict[str, object] = {}
    session = subprocess.Popen(hft_tui(state), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert session.stdout is not None
    seen_failed = ""
    for _ in range(STARTUP_LINES):
        line = session.stdout.readline()
        if not line:
            break
        if " FAILED " in line:
            seen_failed = line.strip()
            break
    session.send_signal(signal.SIGTERM)
    _, err = session.communicate(timeout=60)
    result["session"] = {"status_line": seen_failed, "code": session.returncode, "stderr": err}

    before = files(mount)
    start = subprocess.run(hft_tui(state), capture_output=True, text=True, timeout=60)
    result["start_full"] = {"code": start.returncode, "stderr": start.stderr, "new_files":
                            sorted(set(files(mount)) - set(before))}

    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    fresh = subprocess.run(hft_tui(mount / "other"), capture_output=True, text=True, timeout=60)
    again = subprocess.run(hft_tui(state), capture_output=True, text=True, timeout=60)
    result["start_read_only"] = [{"code": r.returncode, "stderr": r.stderr} for r in (fresh, again)]
    print(json.dumps(result))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(Path(sys.argv[1]))
