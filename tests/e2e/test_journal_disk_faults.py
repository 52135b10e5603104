"""A real full disk and a real read-only disk under a real process: a 2 MiB tmpfs in a
private mount namespace (``unshare -rm``; skipped where the kernel does not allow one).

The session that fills the disk says FAILED on its status line and exits 3 with one line;
a start on the full disk, and on the disk remounted read-only, refuses in one line and
leaves no file behind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = Path(__file__).with_name("full_disk_session.py")
EXIT_JOURNAL_FAILED = 3


def _namespaces_work(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.slow
def test_a_full_then_read_only_disk_fails_the_session_and_refuses_the_next_start(tmp_path: Path) -> None:
    mount = tmp_path / "disk"
    mount.mkdir()
    if not _namespaces_work(mount):
        pytest.skip("no unprivileged mount namespace here for a small tmpfs")
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c",
         f'mount -t tmpfs -o size=2m,mode=0700 tmpfs "{mount}" && exec "{sys.executable}" "{HELPER}" "{mount}"'],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)

    session = result["session"]
    assert "FAILED" in session["status_line"] and "No space left on device" in session["status_line"]
    assert session["code"] == EXIT_JOURNAL_FAILED
    lines = session["stderr"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hft-tui: stopped FAILED: journal write failed"), lines
    assert "Traceback" not in session["stderr"]

    start = result["start_full"]
    assert start["code"] == EXIT_JOURNAL_FAILED
    assert start["stderr"].strip().splitlines() == [start["stderr"].strip()]
    assert "No space left on device" in start["stderr"]
    assert start["new_files"] == [], "a refused start leaves nothing behind"

    for refused in result["start_read_only"]:
        assert refused["code"] == EXIT_JOURNAL_FAILED
        assert len(refused["stderr"].strip().splitlines()) == 1, refused["stderr"]
        assert "Read-only file system" in refused["stderr"]
