"""Transition rules of the trading state machine."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hft_tui.model import ReasonCode
from hft_tui.risk.trading_state import StateTransition, TradingState, TradingStateMachine

ACTIVE, REDUCING, HALTED = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED


def test_a_new_machine_is_active() -> None:
    assert TradingStateMachine().state is ACTIVE


def test_escalation_is_automatic_step_by_step_or_straight_to_halted() -> None:
    machine = TradingStateMachine()
    first = machine.transition(REDUCING, ReasonCode.DRB_DAILY_LOSS, 10, "soft limit")
    assert first == StateTransition(ACTIVE, REDUCING, ReasonCode.DRB_DAILY_LOSS, 10, "soft limit")
    assert machine.transition(HALTED, ReasonCode.DRB_DAILY_LOSS, 20) is not None
    assert machine.state is HALTED

    direct = TradingStateMachine()
    assert direct.transition(HALTED, ReasonCode.OPERATOR_HALT, 5) is not None
    assert (direct.state, direct.reason, direct.since_ts_ns) == (HALTED, ReasonCode.OPERATOR_HALT, 5)


def test_moving_to_the_current_state_is_no_transition() -> None:
    machine = TradingStateMachine()
    assert machine.transition(ACTIVE, ReasonCode.DRB_WITHIN_BUDGET, 1) is None
    machine.transition(REDUCING, ReasonCode.DRB_ERROR_RATE, 2)
    assert machine.transition(REDUCING, ReasonCode.DRB_DAILY_LOSS, 3) is None
    assert machine.reason is ReasonCode.DRB_ERROR_RATE


@pytest.mark.parametrize("reason", [ReasonCode.DRB_WITHIN_BUDGET, ReasonCode.DRB_DAILY_RESET])
def test_reducing_returns_to_active_when_the_guard_says_budgets_recovered(reason: ReasonCode) -> None:
    machine = TradingStateMachine()
    machine.transition(REDUCING, ReasonCode.DRB_CONSECUTIVE_LOSSES, 1)
    transition = machine.transition(ACTIVE, reason, 2)
    assert transition is not None and transition.to_state is ACTIVE
    assert machine.state is ACTIVE


def test_reducing_does_not_return_to_active_for_any_other_reason() -> None:
    machine = TradingStateMachine()
    machine.transition(REDUCING, ReasonCode.DRB_DAILY_LOSS, 1)
    with pytest.raises(ValueError, match="recovery reason"):
        machine.transition(ACTIVE, ReasonCode.KILL, 2)
    assert machine.state is REDUCING


@pytest.mark.parametrize("to", [ACTIVE, REDUCING])
@pytest.mark.parametrize(
    "reason", [ReasonCode.DRB_WITHIN_BUDGET, ReasonCode.DRB_DAILY_RESET, ReasonCode.OPERATOR_RESET]
)
def test_halted_is_never_left_automatically(to: TradingState, reason: ReasonCode) -> None:
    machine = TradingStateMachine()
    machine.transition(HALTED, ReasonCode.DRB_DRAWDOWN, 1)
    assert machine.transition(to, reason, 2) is None
    assert machine.state is HALTED


def test_operator_reset_is_the_way_out_of_halted() -> None:
    machine = TradingStateMachine()
    machine.transition(HALTED, ReasonCode.DRB_DRAWDOWN, 1)
    transition = machine.operator_reset(7, detail="checked the book")
    assert transition == StateTransition(HALTED, ACTIVE, ReasonCode.OPERATOR_RESET, 7, "checked the book")
    assert machine.state is ACTIVE
    assert machine.operator_reset(8) is None


def test_operator_reset_may_land_in_reducing_but_never_in_halted() -> None:
    machine = TradingStateMachine()
    machine.transition(HALTED, ReasonCode.DRB_DRAWDOWN, 1)
    assert machine.operator_reset(2, to=REDUCING) is not None
    assert machine.state is REDUCING
    with pytest.raises(ValueError):
        machine.operator_reset(3, to=HALTED)


def test_a_transition_round_trips_through_its_wal_payload() -> None:
    transition = StateTransition(ACTIVE, HALTED, ReasonCode.DRB_ERROR_RATE, 123, "feed errors")
    payload = orjson.loads(orjson.dumps(transition.to_payload()))
    assert payload == {
        "from": "ACTIVE", "to": "HALTED", "reason": "DRB_ERROR_RATE", "ts_ns": 123, "detail": "feed errors"
    }
    assert StateTransition.from_payload(payload) == transition


def test_restore_sets_the_recovered_state_and_keeps_its_rules() -> None:
    machine = TradingStateMachine()
    machine.restore(HALTED, ReasonCode.DRB_DAILY_LOSS, 99)
    assert (machine.state, machine.reason, machine.since_ts_ns) == (HALTED, ReasonCode.DRB_DAILY_LOSS, 99)
    assert machine.transition(ACTIVE, ReasonCode.DRB_DAILY_RESET, 100) is None


automatic_reasons = st.sampled_from(
    [c for c in ReasonCode if c.category == "risk" and c is not ReasonCode.OPERATOR_RESET]
)


@given(st.lists(st.tuples(st.sampled_from(list(TradingState)), automatic_reasons), max_size=30))
def test_once_halted_no_automatic_sequence_leaves_halted(steps: list[tuple[TradingState, ReasonCode]]) -> None:
    machine = TradingStateMachine()
    halted = False
    for ts, (to, reason) in enumerate(steps):
        try:
            machine.transition(to, reason, ts)
        except ValueError:
            assert machine.state is REDUCING and to is ACTIVE
        halted = halted or machine.state is HALTED
        if halted:  # only a failed journal escalates past HALTED
            assert machine.state in (HALTED, TradingState.FAILED)


def test_a_failed_journal_escalates_even_a_halted_engine_and_nothing_leaves_failed() -> None:
    machine = TradingStateMachine()
    machine.transition(HALTED, ReasonCode.KILL, 1)
    failed = machine.transition(TradingState.FAILED, ReasonCode.JOURNAL_FAILED, 2, "ENOSPC")
    assert failed is not None and failed.from_state is HALTED
    assert machine.transition(HALTED, ReasonCode.KILL, 3) is None
    assert machine.operator_reset(4) is None
    assert machine.state is TradingState.FAILED
