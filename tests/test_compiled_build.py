"""The compiled build: pure Python on demand, stale extensions named, the same decisions either way."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from benchmarks.wal_fingerprint import wal_sha256
from hft_tui import compiled_build
from hft_tui.compiled_build import PURE_PYTHON_ENV, compiled_modules, stale_extensions

# The cheapest seeded backtests that still cross each compiled path: snapshot books and trades,
# diff-depth updates (the incremental sanitizer and depth sums), candles (orders and fills), a
# recorded session.
EQUIVALENCE_RUNS = {
    "sim": ["--sim", "300", "--seed", "7"],
    "deltas": ["--sim", "300", "--seed", "7", "--set", "sim.book_updates=deltas"],
    "candles": ["--candles", "--data-dir", "data/sample", "--seed", "7", "--symbols", "BTC/USDT"],
    "recording": ["--recording", "data/sample/session", "--seed", "7"],
}


def _fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source_text: bytes) -> Path:
    """A package dir with one module built (an extension file beside it) from ``source_text``."""
    package = tmp_path / "hft_tui"
    (package / "market").mkdir(parents=True)
    source = package / "market" / "sanitizer.py"
    source.write_bytes(source_text)
    source.with_suffix(EXTENSION_SUFFIXES[0]).write_bytes(b"")
    manifest = package / "compiled_build.json"
    manifest.write_text(json.dumps({"group": "hft_tui.hot_path", "modules": {
        "hft_tui.market.sanitizer": hashlib.sha256(source_text).hexdigest()}}))
    monkeypatch.setattr(compiled_build, "PACKAGE_DIR", package)
    monkeypatch.setattr(compiled_build, "MANIFEST", manifest)
    monkeypatch.delenv(PURE_PYTHON_ENV, raising=False)
    return source


def test_an_extension_built_from_the_current_source_is_not_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_build(tmp_path, monkeypatch, b"X = 1\n")
    assert compiled_modules() == ["hft_tui.market.sanitizer"]
    assert stale_extensions() == []
    assert compiled_build.stale_warning() is None


def test_an_edited_source_makes_its_extension_stale_and_the_warning_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _fake_build(tmp_path, monkeypatch, b"X = 1\n")
    source.write_bytes(b"X = 2\n")
    assert stale_extensions() == ["hft_tui.market.sanitizer"]
    warning = compiled_build.stale_warning()
    assert warning is not None
    assert "hft_tui.market.sanitizer" in warning and "make" in warning


def test_the_pure_python_switch_runs_no_extension_and_reports_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_build(tmp_path, monkeypatch, b"X = 1\n")
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert compiled_modules() == []
    assert compiled_build.build_line() == f"build: pure Python ({PURE_PYTHON_ENV} is set)"


def test_pure_python_loads_every_hft_tui_module_from_its_source() -> None:
    """With the switch on, no hft_tui module in a whole engine's import graph is an extension."""
    probe = ("import sys, hft_tui.session.assembly, hft_tui.market.sanitizer, "
             "hft_tui.strategies.depth_sums\n"
             "print([m for m, mod in sys.modules.items() if m.startswith('hft_tui') "
             "and not (getattr(mod, '__file__', '') or '.py').endswith('.py')])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={**os.environ, PURE_PYTHON_ENV: "1"})
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
@pytest.mark.skipif(not compiled_modules(),
                    reason="this install is pure Python (no C compiler at install, or "
                           "HFT_TUI_PURE_PYTHON set): there is no compiled build to compare")
@pytest.mark.parametrize("run", sorted(EQUIVALENCE_RUNS))
def test_compiled_and_pure_python_write_byte_identical_wals(
        run: str, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = wal_sha256(EQUIVALENCE_RUNS[run])
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert wal_sha256(EQUIVALENCE_RUNS[run]) == compiled
