"""The DRB guard's trading day and its recovery from the WAL after a crash."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_builders import BTC, SECOND_NS, T0_NS, follow

from hft_tui.model import Position, ReasonCode
from hft_tui.risk.drb_guard import DAY_NS, DrbGuard
from hft_tui.risk.drb_state import DrbState
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState, TradingStateMachine

ACTIVE, REDUCING, HALTED = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED
HOUR_NS = 3_600 * SECOND_NS


def guard(**overrides: object) -> DrbGuard:
    g = DrbGuard(RiskSettings(**overrides))
    g.on_equity(100_000.0, T0_NS)
    return g


def test_the_first_event_fixes_the_current_trading_day() -> None:
    g = DrbGuard(RiskSettings())
    state = g.on_equity(100_000.0, T0_NS + 5 * HOUR_NS)
    assert state is not None and state.day_start_ts_ns == T0_NS  # T0 is a UTC midnight


def test_daily_reset_restores_the_daily_budget_and_lifts_reducing() -> None:
    g = guard()
    machine = TradingStateMachine()
    follow(machine, g.on_equity(98_500.0, T0_NS + 20 * HOUR_NS), T0_NS + 20 * HOUR_NS)
    g.on_trade_closed(-100.0, T0_NS + 21 * HOUR_NS)
    assert machine.state is REDUCING

    reset = g.on_time(T0_NS + DAY_NS + SECOND_NS)
    assert reset is not None
    assert (reset.desired_state, reset.reason) == (ACTIVE, ReasonCode.DRB_DAILY_RESET)
    assert reset.day_start_ts_ns == T0_NS + DAY_NS
    assert reset.start_of_day_equity == 98_500.0
    assert reset.budget("daily_loss").used == 0.0
    assert reset.budget("consecutive_losses").used == 0.0 and reset.realized_pnl_day == 0.0
    follow(machine, reset, T0_NS + DAY_NS + SECOND_NS)
    assert machine.state is ACTIVE and machine.reason is ReasonCode.DRB_DAILY_RESET


def test_the_reset_happens_at_the_configured_utc_time() -> None:
    g = guard(daily_reset_utc="08:30")
    assert g.state.day_start_ts_ns == T0_NS - DAY_NS + 8 * HOUR_NS + 30 * 60 * SECOND_NS
    g.on_equity(99_000.0, T0_NS + 8 * HOUR_NS)
    assert g.on_time(T0_NS + 8 * HOUR_NS + 29 * 60 * SECOND_NS) is None
    state = g.on_time(T0_NS + 8 * HOUR_NS + 30 * 60 * SECOND_NS)
    assert state is not None and state.start_of_day_equity == 99_000.0


def test_a_gap_of_several_days_is_one_reset() -> None:
    g = guard()
    g.on_equity(99_000.0, T0_NS + HOUR_NS)
    state = g.on_equity(99_000.0, T0_NS + 3 * DAY_NS + HOUR_NS)
    assert state is not None and state.day_start_ts_ns == T0_NS + 3 * DAY_NS
    assert state.budget("daily_loss").used == 0.0


def test_daily_reset_does_not_rearm_a_tripped_breaker() -> None:
    g = guard()
    g.on_equity(97_500.0, T0_NS + HOUR_NS)
    state = g.on_time(T0_NS + DAY_NS + HOUR_NS)
    assert state is not None and state.budget("daily_loss").used == 0.0
    assert state.desired_state is HALTED and state.breaker("daily_loss").tripped


def test_a_state_survives_the_wal_as_json() -> None:
    g = guard()
    g.on_trade_closed(-12.5, T0_NS + SECOND_NS)
    g.on_equity(98_000.0, T0_NS + 2 * SECOND_NS)
    state = g.state
    assert DrbState.from_payload(orjson.loads(orjson.dumps(state.to_payload()))) == state


def test_restore_round_trip_gives_back_the_journaled_state() -> None:
    g = guard()
    g.on_trade_closed(-50.0, T0_NS + SECOND_NS)
    g.on_equity(98_700.0, T0_NS + 2 * SECOND_NS)
    journaled = orjson.loads(orjson.dumps(g.state.to_payload()))

    recovered = DrbGuard(RiskSettings())
    assert recovered.restore(journaled) == g.state
    assert recovered.state == g.state and recovered.size_scale() == g.size_scale()
    assert recovered.on_trade_closed(-1.0, T0_NS + 4 * SECOND_NS) is not None
    assert recovered.state.budget("consecutive_losses").used == 2.0
    assert recovered.state.realized_pnl_day == -51.0


def test_a_restored_guard_reads_the_journal_strictly_but_within_two_steps() -> None:
    g = guard()
    g.on_equity(98_700.0, T0_NS + 2 * SECOND_NS)
    recovered = DrbGuard(RiskSettings())
    recovered.restore(g.state.to_payload())
    recovered.on_equity(98_700.0, T0_NS + 3 * SECOND_NS)
    for before, after in zip(g.state.budgets, recovered.state.budgets, strict=True):
        assert before.pct <= after.pct <= before.pct + 2.0, before.name


def test_a_halted_guard_comes_back_halted_after_a_crash() -> None:
    g = guard()
    g.on_equity(97_000.0, T0_NS + SECOND_NS)
    recovered = DrbGuard(RiskSettings())
    recovered.restore(orjson.loads(orjson.dumps(g.state.to_payload())))
    recovered.on_equity(100_500.0, T0_NS + 2 * SECOND_NS)
    assert recovered.state.desired_state is HALTED
    assert recovered.state.breaker("daily_loss").tripped_ts_ns == T0_NS + SECOND_NS


def test_a_crash_across_midnight_still_resets_the_day_on_the_first_event() -> None:
    g = guard()
    g.on_equity(98_800.0, T0_NS + 23 * HOUR_NS)
    recovered = DrbGuard(RiskSettings())
    recovered.restore(g.state.to_payload())
    state = recovered.on_equity(98_800.0, T0_NS + DAY_NS + HOUR_NS)
    assert state is not None and state.day_start_ts_ns == T0_NS + DAY_NS
    assert state.budget("daily_loss").used == 0.0 and state.desired_state is ACTIVE


def test_restored_windows_are_no_more_lenient_than_the_originals() -> None:
    g = guard()
    for i in range(8):
        g.on_error("order_rejected", T0_NS + i * SECOND_NS)
    recovered = DrbGuard(RiskSettings())
    recovered.restore(g.state.to_payload())
    recovered.on_error("order_rejected", T0_NS + 9 * SECOND_NS)
    state = recovered.on_error("order_rejected", T0_NS + 10 * SECOND_NS)
    assert state is not None and state.breaker("errors").tripped


@settings(max_examples=60)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("equity"), st.floats(90_000.0, 115_000.0)),
            st.tuples(st.just("trade"), st.floats(-200.0, 200.0)),
            st.tuples(st.just("error"), st.just(0.0)),
            st.tuples(st.just("price"), st.floats(95.0, 105.0)),
        ),
        max_size=40,
    )
)
def test_restore_of_any_journaled_state_reproduces_it(events: list[tuple[str, float]]) -> None:
    g = guard()
    g.on_position(Position(BTC, qty=10.0, avg_entry=100.0), T0_NS)
    for i, (kind, value) in enumerate(events):
        ts = T0_NS + i * 7 * 60 * SECOND_NS
        if kind == "equity":
            g.on_equity(value, ts)
        elif kind == "trade":
            g.on_trade_closed(value, ts)
        elif kind == "error":
            g.on_error("order_rejected", ts)
        else:
            g.on_price(BTC, value, ts)
    recovered = DrbGuard(RiskSettings())
    restored = recovered.restore(orjson.loads(orjson.dumps(g.state.to_payload())))
    assert restored == g.state
    assert restored.ts_ns == g.state.ts_ns

    # After recovery the engine re-feeds positions and equity. The recovered guard may be
    # stricter (re-seeded windows expire late) but never more lenient beyond the hysteresis.
    ts = T0_NS + len(events) * 7 * 60 * SECOND_NS
    recovered.on_position(Position(BTC, qty=10.0, avg_entry=100.0), ts)
    for twin in (g, recovered):
        twin.on_price(BTC, 100.0, ts)
        twin.on_equity(100_000.0, ts)
    for before, after in zip(g.state.budgets, recovered.state.budgets, strict=True):
        assert after.pct >= before.pct - 2.0, before.name
    assert {b.name for b in g.state.tripped} <= {b.name for b in recovered.state.tripped}
