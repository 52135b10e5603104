"""Risk records carry only what changed, and recovery folds them back to the full state."""

from __future__ import annotations

from risk_builders import SECOND_NS, T0_NS

from hft_tui.risk.drb_guard import DrbGuard
from hft_tui.risk.drb_journal import merge_risk_payload, risk_record
from hft_tui.risk.settings import RiskSettings


def test_partial_risk_records_merge_back_to_every_full_state() -> None:
    guard = DrbGuard(RiskSettings(max_consecutive_losses=8))
    guard.on_equity(100_000.0, T0_NS)
    journaled, folded = None, None
    states = [guard.on_trade_closed(-10.0 * i, T0_NS + i * SECOND_NS) for i in range(1, 6)]
    states.append(guard.on_equity(98_900.0, T0_NS + 10 * SECOND_NS))
    published = [s for s in states if s is not None]
    assert len(published) >= 3
    for state in published:
        full = state.to_payload()
        record = risk_record(journaled, full)
        folded = merge_risk_payload(folded, record)
        journaled = full
        assert folded == full
    assert len(record["budgets"]) < len(full["budgets"]), "later records carry only the changes"
