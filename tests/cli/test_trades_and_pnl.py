"""``hft-tui trades`` and ``hft-tui pnl`` read every session's closed trades from the WAL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sim_driver import drive_seconds, make_engine

from hft_tui import exit_codes
from hft_tui.cli.main import main
from hft_tui.clock import FrozenClock
from hft_tui.trading.commands import PlaceOrder


def _round_trip(state_dir: Path, symbol: str, start_ns: int | None = None) -> int:
    """One session that buys and sells ``symbol`` by hand; returns where its clock ended."""
    engine = make_engine(state_dir, clock=FrozenClock(start_ns) if start_ns else None)
    engine.begin_session()
    drive_seconds(engine, 5)
    for side in ("buy", "sell"):
        engine.apply(PlaceOrder(symbol, side, 0.5 if symbol == "ETH/USDT" else 0.05))
        engine.wal.sync()
        engine.core.release_orders()
        drive_seconds(engine, 10)
    engine.wal.close_sync()
    return engine.clock.now_ns()


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == exit_codes.OK
    return json.loads(capsys.readouterr().out)


def test_trades_lists_the_closed_trades_of_every_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ended = _round_trip(tmp_path, "BTC/USDT")
    _round_trip(tmp_path, "ETH/USDT", ended)  # a restart, then another trade
    trades = _json(capsys, "trades", "--json", "--state-dir", str(tmp_path))
    by_hand = _json(capsys, "trades", "--json", "--strategy", "manual", "--state-dir", str(tmp_path))
    assert [t["symbol"] for t in by_hand] == ["BTC/USDT", "ETH/USDT"]  # one per session
    only_eth = _json(capsys, "trades", "--json", "--symbol", "ETH/USDT", "--state-dir", str(tmp_path))
    assert only_eth and {t["symbol"] for t in only_eth} == {"ETH/USDT"}
    pnl = _json(capsys, "pnl", "--json", "--state-dir", str(tmp_path))
    assert {g["key"] for g in pnl["symbol"]} == {"BTC/USDT", "ETH/USDT"}
    assert pnl["total"]["pnl"] == pytest.approx(sum(t["pnl"] for t in trades))
    daily = _json(capsys, "pnl", "--daily", "--json", "--state-dir", str(tmp_path))
    assert [g["key"] for g in daily["day"]] == ["2026-01-01"]


def test_trades_of_a_state_dir_that_does_not_exist_is_an_error(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trades", "--state-dir", str(tmp_path / "typo")]) == exit_codes.NO_STATE_DIR
    assert "typo" in capsys.readouterr().err


def test_trades_show_fees_reasons_and_how_long_each_was_held(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _round_trip(tmp_path, "BTC/USDT")
    (trade,) = [t for t in _json(capsys, "trades", "--json", "--state-dir", str(tmp_path))
                if t["strategy"] == "manual"]
    assert trade["fees"] > 0 and trade["entry_reasons"] == ["MANUAL_ENTRY"]  # placed by hand
    assert main(["trades", "--strategy", "manual", "--state-dir", str(tmp_path)]) == exit_codes.OK
    row = capsys.readouterr().out.splitlines()[1]
    assert f"{trade['fees']:.2f}" in row and " MANUAL_ENTRY -> " in row
    assert "10s" in row  # held from the buy to the sell, ten simulated seconds


def test_pnl_of_a_period_counts_only_the_trades_closed_in_it(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _round_trip(tmp_path, "BTC/USDT")  # on 2026-01-01: long before today
    everything = _json(capsys, "pnl", "--period", "all", "--json", "--state-dir", str(tmp_path))
    today = _json(capsys, "pnl", "--period", "today", "--json", "--state-dir", str(tmp_path))
    assert everything["total"]["trades"] >= 1 and everything["since"] is None
    assert today["total"] == {"trades": 0, "pnl": 0, "fees": 0} and today["strategy"] == []
    with pytest.raises(SystemExit) as usage:
        main(["pnl", "--period", "fortnight", "--state-dir", str(tmp_path)])
    assert usage.value.code == exit_codes.CONFIG_ERROR
    assert "invalid choice: 'fortnight'" in capsys.readouterr().err
