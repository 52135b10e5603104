"""The import contract in pyproject.toml ([tool.importlinter]) holds, and it can fail: a copy
of the package with one forbidden import added breaks the contract that names it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS.exists(), (
        "import-linter is missing from this virtualenv (a test extra since the import contract): "
        "run `make test`, or `.venv/bin/pip install -e '.[test]'`")
    # lint-imports puts its working directory first on sys.path: that is the package it reads.
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(PYPROJECT)],
        cwd=package_parent, env=env, capture_output=True, text=True, check=False,
    )


def test_the_package_keeps_its_import_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_and_cycles_contracts_name_no_exception() -> None:
    contracts = {c["id"]: c for c in tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]}
    assert contracts["layers"].get("ignore_imports", []) == []
    assert contracts["acyclic"].get("ignore_imports", []) == []


@pytest.mark.parametrize(
    ("module", "added_import", "broken"),
    [
        ("model/side.py", "from hft_tui.session import engine", "hft_tui.model is not allowed to import hft_tui.session"),
        ("wal/writer.py", "from hft_tui.trading.core import TradingCore", "hft_tui.wal is not allowed to import hft_tui.trading"),
        # config composes the domain packages' sections and imports nothing above them; they never
        # import config (no exception in the contract: issue 13).
        ("config/settings.py", "from hft_tui.data.recording import RecordedSession",
         "hft_tui.config is not allowed to import hft_tui.data"),
        ("risk/settings.py", "from hft_tui.config.settings import Settings",
         "hft_tui.risk is not allowed to import hft_tui.config"),
        ("trading/core.py", "import textual", "Only tui/ imports textual BROKEN"),
        ("backtest/runner.py", "from hft_tui.session.assembly import build_engine",
         "Illegal imports of protected package hft_tui.session.assembly"),
        # market/ has no inner layers: only the acyclic contract sees backoff <-> sources.ccxt.
        ("market/backoff.py", "from hft_tui.market.sources import ccxt",
         "No import cycles between sibling packages and modules BROKEN"),
    ],
)
def test_a_new_forbidden_import_breaks_the_contract(tmp_path: Path, module: str, added_import: str,
                                                    broken: str) -> None:
    shutil.copytree(ROOT / "hft_tui", tmp_path / "hft_tui", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "hft_tui" / module
    target.write_text(target.read_text() + f"\n{added_import}  # the violation under test\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout
