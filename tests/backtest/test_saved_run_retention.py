"""Saved runs do not pile up: saving keeps the newest ``backtest.keep_runs`` (runs marked kept
aside), ``backtest keep ID`` spares a run, ``backtest delete ID`` removes one."""

from __future__ import annotations

from pathlib import Path

import pytest
from backtest_cli_driver import wide_console  # noqa: F401 - autouse fixture

from hft_tui.backtest.saved_runs import RunStore
from hft_tui.cli.main import main


def hft(state: Path, *argv: str) -> int:
    return main(["--state-dir", str(state), *argv])


def saved(count: int, state: Path) -> RunStore:
    store = RunStore(state)
    for i in range(count):
        store.save("backtest", f"run {i + 1}", [], {}, command="hft-tui backtest --sim 1")
    return store


def test_saving_a_run_removes_the_oldest_beyond_keep_runs_but_not_a_kept_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = saved(3, tmp_path)
    assert hft(tmp_path, "backtest", "keep", "1") == 0
    assert "run 1 kept" in capsys.readouterr().out
    assert hft(tmp_path, "backtest", "--sim", "10", "--set", "backtest.keep_runs=2", "--json") == 0
    assert "saved as run 4: hft-tui backtest show 4; removed the oldest, run 2 (backtest.keep_runs = 2)" \
        in capsys.readouterr().err
    assert store.ids() == [1, 3, 4]
    assert hft(tmp_path, "backtest", "list") == 0
    assert "backtest (kept)" in capsys.readouterr().out

    assert hft(tmp_path, "backtest", "keep", "--undo", "1") == 0
    assert store.prune(2) == [1] and store.ids() == [3, 4]


def test_a_lowered_keep_runs_removes_every_run_beyond_it_at_the_next_save(tmp_path: Path) -> None:
    store = saved(6, tmp_path)
    store.keep(2)
    assert store.prune(3) == [1, 3]
    assert store.ids() == [2, 4, 5, 6] and store.load(2).kept and not store.load(4).kept


def test_delete_removes_runs_and_an_unknown_id_deletes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = saved(3, tmp_path)
    store.keep(2)
    assert hft(tmp_path, "backtest", "delete", "1", "9") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no saved run '9'" in err
    assert store.ids() == [1, 2, 3], "nothing removed when one id is wrong"
    assert hft(tmp_path, "backtest", "delete", "1", "2") == 0
    assert "deleted runs 1, 2" in capsys.readouterr().out
    assert store.ids() == [3]
    assert sorted(p.name for p in store.root.iterdir()) == ["3.json"], "a kept run's mark goes with it"

