"""Instructions a benchmark's child process executes, counted by valgrind's cachegrind.

An instruction count does not move with the box's load, so a difference of two counts (one
child doing N more units of work than the other) is a per-unit cost that can be compared
across runs and commits. Each caller is a module whose ``main`` runs ``--child <args>``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile

VALGRIND_MISSING = "valgrind is not installed (apt-get install valgrind)"


def valgrind_installed() -> bool:
    return shutil.which("valgrind") is not None


def child_instructions(module: str, *args: str) -> int:
    """Instructions ``python -m <module> --child <args>`` executes, start-up included."""
    with tempfile.TemporaryDirectory(prefix="bench-cachegrind-") as tmp:
        done = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={tmp}/out",
             sys.executable, "-m", module, "--child", *args],
            capture_output=True, text=True, check=True)
    match = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))
