"""``backtest compare`` lines up what two saved backtests made per symbol and per period, so a
trader sees where one run beat the other, not only by how much."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from backtest_cli_driver import wide_console  # noqa: F401 - autouse fixture

from hft_tui.backtest.saved_runs import RunStore
from hft_tui.cli.main import main

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
CANDLES = ["--candles", "--data-dir", str(SAMPLE), "--strategies", "trend,cvd",
           "--set", 'strategies.cvd.bar_mode="candles"', "--vectorised", "--json"]


def hft(state: Path, *argv: str) -> int:
    return main(["--state-dir", str(state), *argv])


def table_rows(text: str, first: str) -> dict[str, list[str]]:
    """The rows of the rich table whose first column is ``first``: first cell -> the other cells."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"┃ {first} "))
    rows = {}
    for line in lines[at + 1:]:
        if line.startswith("└"):
            return rows
        cells = [c.strip() for c in line.strip("│").split("│")]
        if line.startswith("│") and cells[0]:
            rows[cells[0]] = cells[1:]
    raise AssertionError(f"the {first} table has no end")


def test_two_backtests_are_compared_symbol_by_symbol_and_day_by_day(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = []
    for spread in ("10", "40"):
        assert hft(tmp_path, "backtest", *CANDLES, "--set", f"strategies.trend.strong_spread_bps={spread}") == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert hft(tmp_path, "backtest", "compare", "1", "2") == 0
    out = capsys.readouterr().out

    symbols = table_rows(out, "symbol")
    assert set(symbols) == {"BTC/USDT", "ETH/USDT"}
    for symbol, cells in symbols.items():
        assert cells == [f"{r['symbols'][symbol]['net_pnl']:,.2f} ({r['symbols'][symbol]['trades']:,})"
                         if symbol in r["symbols"] else "-" for r in reports]
    days = table_rows(out, "period")
    assert list(days) == sorted({day for r in reports for day in r["periods"]}) and len(days) >= 2
    assert [cells[0] for cells in days.values()] == [
        f"{reports[0]['periods'][d]['net_pnl']:,.2f} ({reports[0]['periods'][d]['trades']:,})"
        if d in reports[0]["periods"] else "-" for d in days]
    assert reports[0]["symbols"] != reports[1]["symbols"], "two different runs, or the test shows nothing"


def _window(label: str, periods: dict[str, tuple[float, int]]) -> dict[str, Any]:
    return {"report": {"label": label, "symbols": {},
                       "periods": {k: {"net_pnl": pnl, "trades": n} for k, (pnl, n) in periods.items()}}}


def test_days_are_added_up_into_months_when_the_other_run_is_cut_in_months(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = RunStore(tmp_path)
    store.save("backtest", "a month", [], {"windows": [_window("full", {
        "2025-01-02": (10.0, 2), "2025-01-30": (-4.5, 1), "2025-02-01": (1.0, 1)})]}, command="c")
    store.save("backtest", "a year", [], {"windows": [_window("full", {"2025-01": (7.0, 3), "2025-03": (2.0, 1)})]},
               command="c")
    assert hft(tmp_path, "backtest", "compare", "1", "2") == 0
    out = capsys.readouterr().out
    months = table_rows(out, "period")
    assert "net PnL per symbol" not in out, "no symbol traded: no table"
    assert months == {"2025-01": ["5.50 (3)", "7.00 (3)"], "2025-02": ["1.00 (1)", "-"], "2025-03": ["-", "2.00 (1)"]}
