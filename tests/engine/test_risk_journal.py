"""The trading state as the risk layer moves it: a live hold keeps the engine REDUCING whatever
the guard says until it is released, a halt passes a hold and only the operator's reset leaves
it, a journal failure is FAILED for good; every change is journaled and the operator told."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.execution.portfolio import Portfolio
from hft_tui.model import ReasonCode
from hft_tui.risk.drb_guard import DrbGuard
from hft_tui.risk.drb_state import DrbState
from hft_tui.risk.trading_state import TradingState, TradingStateMachine
from hft_tui.trading.risk_journal import RiskJournal
from hft_tui.wal.writer import WalWriter

T0 = 1_767_225_600_000_000_000


class Journaled:
    def __init__(self, tmp_path: Path) -> None:
        settings = load_settings(None, {})
        self.wal = WalWriter(tmp_path, FrozenClock(T0))
        self.guard = DrbGuard(settings.risk)
        self.state = TradingStateMachine()
        self.notices: list[tuple[str, str]] = []
        self.risk = RiskJournal(wal=self.wal, clock=FrozenClock(T0), drb=self.guard, state=self.state,
                                portfolio=Portfolio(settings.risk.initial_equity),
                                notify=lambda source, text: self.notices.append((source, text)))

    def verdict(self, desired: TradingState, reason: ReasonCode) -> DrbState:
        return replace(self.guard.state, desired_state=desired, reason=reason)

    def records(self, kind: str) -> list[dict[str, object]]:
        return [r.payload for r in self.wal.tail(1000) if r.type == kind]


@pytest.fixture
def journaled(tmp_path: Path) -> Iterator[Journaled]:
    j = Journaled(tmp_path)
    yield j
    j.wal.close_sync()


def test_a_live_hold_keeps_reducing_whatever_the_guard_says_until_released(journaled: Journaled) -> None:
    risk, state = journaled.risk, journaled.state
    risk.hold("reconcile", ReasonCode.LIVE_RECONCILING, "reconciling with the exchange")
    assert (state.state, state.reason) == (TradingState.REDUCING, ReasonCode.LIVE_RECONCILING)
    risk.record(journaled.verdict(TradingState.ACTIVE, ReasonCode.DRB_WITHIN_BUDGET), T0 + 1)
    assert state.state is TradingState.REDUCING and len(journaled.records("risk")) == 1
    risk.release("reconcile", "reconciled")
    assert (state.state, state.reason) == (TradingState.ACTIVE, ReasonCode.LIVE_RECONCILED)
    assert [h.get("released", False) for h in journaled.records("hold")] == [False, True]
    assert [s["to"] for s in journaled.records("state")] == ["REDUCING", "ACTIVE"]
    assert journaled.notices == [("risk", "REDUCING: reconciling with the exchange"),
                                 ("risk", "trading state ACTIVE: reconciled")]


def test_a_routine_hold_is_journaled_without_a_notice(journaled: Journaled) -> None:
    journaled.risk.hold("reconcile", ReasonCode.LIVE_RECONCILING, "reconciling", notify=False)
    journaled.risk.release("reconcile", "reconciled", notify=False)
    assert journaled.state.state is TradingState.ACTIVE and journaled.notices == []
    assert len(journaled.records("hold")) == 2


def test_a_halt_passes_a_hold_and_only_the_operators_reset_leaves_it(journaled: Journaled) -> None:
    risk, state = journaled.risk, journaled.state
    risk.hold("ban", ReasonCode.EXCHANGE_BANNED, "IP ban")
    risk.record(journaled.verdict(TradingState.HALTED, ReasonCode.DRB_DAILY_LOSS), T0 + 1)
    assert (state.state, state.reason) == (TradingState.HALTED, ReasonCode.DRB_DAILY_LOSS)
    risk.release("ban", "the ban is over")
    assert state.state is TradingState.HALTED
    result = risk.reset_halt()
    assert result.ok and result.message == "operator reset: ACTIVE" and state.state is TradingState.ACTIVE
    assert journaled.notices[-1] == ("operator", "operator reset: ACTIVE")


def test_a_journal_failure_is_failed_and_no_reset_leaves_it(journaled: Journaled) -> None:
    journaled.risk.fail("disk full")
    assert journaled.state.state is TradingState.FAILED
    assert journaled.notices == [("journal", "FAILED: disk full; only kill and flatten are taken")]
    result = journaled.risk.reset_halt()
    assert not result.ok and journaled.state.state is TradingState.FAILED
