"""Journals written by earlier versions still recover, to the state those versions recovered.

``old_wals/<name>/wal-000001.jsonl`` was written by the version named below on the seeded
simulator (frozen clock at ``sim_driver.START_NS``, default settings): driven until a strategy
opened a trade, a manual ETH limit buy 1.5% below the mid left resting, a ``snapshot`` record,
then driven on until that trade closed and another opened (fills the fold must apply after the
snapshot), and closed without a clean stop (no closing snapshot, as after ``kill -9``).
``recovered_then.json`` is what that version's own ``recover_from_wal`` made of it.

- ``before_entry_reasons`` (bbee29c): open trades in the snapshot without entry reasons, fees
  or legs; the manual order's strategy is ``operator``.
- ``before_the_record_codec`` (79c627f): open trades with fees and legs, the fold's open trade
  without exit legs, a snapshot's open order in the eight-key shape of the paper broker.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sim_driver import make_engine

from hft_tui.model import Position, RecoveredOrder
from hft_tui.session.recovery import recover_from_wal
from hft_tui.trading.state import export_state

OLD_WALS = Path(__file__).parent / "old_wals"
VERSIONS = sorted(path.name for path in OLD_WALS.iterdir())
# What later versions fold differently from the same fills: since 2516c08 an open trade's entry
# price is the average of its entry fills (it was the position's entry at the opening fill), and
# its fees, legs and entry reasons are folded too (keys the older record does not have).
LEARNED_SINCE = {"before_entry_reasons": {"entry_price"}}


def test_every_old_wal_is_here() -> None:
    assert VERSIONS == ["before_entry_reasons", "before_the_record_codec"]


@pytest.mark.parametrize("version", VERSIONS)
def test_an_old_wal_recovers_to_what_its_version_recovered(version: str) -> None:
    then = json.loads((OLD_WALS / version / "recovered_then.json").read_text())
    now = recover_from_wal(OLD_WALS / version)
    assert now.positions == {s: Position.from_record(s, record) for s, record in then["positions"].items()}
    assert now.open_trades.keys() == then["open_trades"].keys()
    for symbol, record in then["open_trades"].items():
        now_record = now.open_trades[symbol].to_record()
        compared = record.keys() - LEARNED_SINCE.get(version, set())
        assert {k: now_record[k] for k in compared} == {k: record[k] for k in compared}, symbol
    assert now.open_orders == {c: RecoveredOrder.from_record(record) for c, record in then["open_orders"].items()}
    assert now.positions and now.open_trades and now.open_orders, "the journal leaves something open"
    payload = now.to_payload()
    for name in then.keys() - {"positions", "open_trades", "open_orders"}:
        assert payload[name] == then[name], name


@pytest.mark.parametrize("version", VERSIONS)
def test_a_session_starts_on_an_old_wal_with_its_position_trade_and_exits(version: str, tmp_path: Path) -> None:
    shutil.copytree(OLD_WALS / version, tmp_path / "wal", ignore=shutil.ignore_patterns("*.json"))
    recovered = recover_from_wal(tmp_path / "wal")
    engine = make_engine(tmp_path)
    try:
        engine.begin_session()
        state = export_state(engine.core)
    finally:
        engine.wal.close_sync()
    assert state.sessions == recovered.sessions + 1
    assert state.positions == recovered.positions
    assert state.open_trades == recovered.open_trades
    assert state.exit_rules == recovered.exit_rules
    # The paper order resting when the process died never reached a matching engine again.
    assert state.open_orders == {}
    not_executed = [json.loads(line) for line in (tmp_path / "wal" / "wal-000001.jsonl").read_text().splitlines()
                    if '"RECOVERED_NOT_EXECUTED"' in line]
    assert [r["client_id"] for r in not_executed] == list(recovered.open_orders)
