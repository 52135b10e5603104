"""A swept setting that changes nothing is said, and the identical rows it would have
multiplied are shown once; a setting that changes the run is not named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backtest_cli_driver import run_backtest_cli, wide_console  # noqa: F401 - autouse fixture

IDLE = "strategies.spike_fader.threshold_pct"  # spike_fader is not enabled below


def test_a_swept_key_without_effect_is_said_and_its_rows_are_shown_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_backtest_cli(["backtest", "--sim", "20", "--strategies", "trend,cvd", "--metric", "return",
                             "--sweep", f"{IDLE}=2,3", "--sweep", "risk.initial_equity=50000,100000",
                             "--workers", "2", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert f"no effect: {IDLE}" in out
    assert "risk.initial_equity" not in out.split("no effect:", 1)[1], "a key that changes the run is not named"
    table_rows = [line for line in out.splitlines() if "2|3" in line]
    assert len(table_rows) == 2, out  # one per initial equity, not one per combination
    sweep = json.loads((tmp_path / "sweep.json").read_text())
    assert sweep["without_effect"] == [IDLE]
    assert len(sweep["rows"]) == 4, "the file keeps every combination"
