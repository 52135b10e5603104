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
from collections.abc import Callable

from benchmarks.arguments import counted_run_options
from hft_tui.compiled_build import build_line

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


def counting_main(module_file: str, doc: str | None, default_count: int, argv: list[str],
                  child: Callable[[str, str], None], measure: Callable[[int], None]) -> int:
    """``main`` of a counting benchmark: its options (``N``, ``default_count`` unless given; a
    mistake is one line), then either the ``--child`` run it starts under valgrind (``child``
    with its two arguments) or, with valgrind there, the build line and ``measure(N)``."""
    args = counted_run_options(module_file, (doc or "").split("\n\n")[0], default_count, argv)
    if args.child is not None:
        child(*args.child)
        return 0
    if not valgrind_installed():
        print(VALGRIND_MISSING, file=sys.stderr)
        return 2
    print(build_line())
    measure(args.count)
    return 0
