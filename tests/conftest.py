"""Settings for the whole suite."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import settings

from hft_tui.compiled_build import build_line, stale_warning

_STATE_HOME = "XDG_STATE_HOME"

# The suite asserts behaviour, never time: hypothesis' 200 ms per-example deadline is a timed
# assertion that fails on a loaded box (a DRB guard property ran 280 ms at load 9), so no
# property test has one. Tests that pass their own ``@settings`` inherit this.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def pytest_configure(config: pytest.Config) -> None:
    """The user state dir (platformdirs reads XDG_STATE_HOME) of every test, and of the commands
    tests start, is a scratch directory: saved backtest runs and default WAL dirs never land in
    the real one. Set before collection, so environments copied at import time carry it too.
    An extension built from an older source stops the run: the suite would test old code."""
    stale = stale_warning()
    if stale is not None:
        raise pytest.UsageError(stale)
    config.stash[_saved_key] = os.environ.get(_STATE_HOME)
    config.stash[_scratch_key] = tempfile.mkdtemp(prefix="hft-tui-test-state-")
    os.environ[_STATE_HOME] = config.stash[_scratch_key]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Which build the suite tested (CI runs it compiled where the box has a compiler)."""
    terminalreporter.write_line(f"hft-tui {build_line()}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _scratch_key not in config.stash:
        return
    shutil.rmtree(config.stash[_scratch_key], ignore_errors=True)
    before = config.stash[_saved_key]
    if before is None:
        os.environ.pop(_STATE_HOME, None)
    else:
        os.environ[_STATE_HOME] = before


_saved_key = pytest.StashKey[str | None]()
_scratch_key = pytest.StashKey[str]()
