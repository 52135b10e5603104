"""DRB guard budgets: soft limits call for REDUCING, hard limits trip breakers; only the hard
budgets (the day's loss, the drawdown) HALT, every other breaker holds REDUCING and clears
by itself with hysteresis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from risk_builders import BTC, SECOND_NS, T0_NS, follow

from hft_tui.model import Position, ReasonCode
from hft_tui.risk.drb_guard import BUDGET_NAMES, DrbGuard
from hft_tui.risk.drb_state import DrbState
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState, TradingStateMachine

ACTIVE, REDUCING, HALTED = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED
MINUTE_NS = 60 * SECOND_NS
# Only the budget under test binds: the others get limits it cannot reach.
# Loose money budgets, and the spike threshold these tests were calibrated on (6 sigma).
LOOSE = {"daily_loss_fraction": 0.5, "max_drawdown_fraction": 0.5, "rapid_drawdown_fraction": 0.5,
         "volatility_sigma": 6.0}


def guard(**overrides: object) -> DrbGuard:
    g = DrbGuard(RiskSettings(**overrides))
    g.on_equity(100_000.0, T0_NS)
    return g


def test_a_fresh_guard_is_within_budget_with_full_size() -> None:
    state = guard().state
    assert (state.desired_state, state.reason, state.size_scale) == (ACTIVE, ReasonCode.DRB_WITHIN_BUDGET, 1.0)
    assert [b.name for b in state.budgets] == list(BUDGET_NAMES)
    assert all(b.armed for b in state.breakers)


def test_daily_loss_soft_limit_reduces_and_hard_limit_halts_with_a_tripped_breaker() -> None:
    g = guard()
    machine = TradingStateMachine()
    soft = g.on_equity(98_550.0, T0_NS + SECOND_NS)  # 1.45 % of a 2 % budget: past the 70 % soft limit
    assert soft is not None and (soft.desired_state, soft.reason) == (REDUCING, ReasonCode.DRB_DAILY_LOSS)
    follow(machine, soft, T0_NS + SECOND_NS)
    assert machine.state is REDUCING

    hard = g.on_equity(97_990.0, T0_NS + 2 * SECOND_NS)
    assert hard is not None and (hard.desired_state, hard.reason) == (HALTED, ReasonCode.DRB_DAILY_LOSS)
    breaker = hard.breaker("daily_loss")
    assert breaker.tripped and breaker.tripped_ts_ns == T0_NS + 2 * SECOND_NS
    assert breaker.code is ReasonCode.DRB_DAILY_LOSS
    assert hard.size_scale == 0.0
    follow(machine, hard, T0_NS + 2 * SECOND_NS)
    assert machine.state is HALTED


def test_drawdown_is_measured_from_the_high_water_mark() -> None:
    g = guard(daily_loss_fraction=0.5, rapid_drawdown_fraction=0.5)
    g.on_equity(110_000.0, T0_NS + SECOND_NS)
    state = g.on_equity(104_400.0, T0_NS + 2 * SECOND_NS)  # 5.1 % below 110_000, still above the day's start
    assert state is not None and state.desired_state is HALTED
    assert state.breaker("drawdown").tripped and not state.breaker("daily_loss").tripped


def test_a_fast_drop_trips_rapid_drawdown_but_the_same_drop_spread_out_does_not() -> None:
    fast = guard(daily_loss_fraction=0.5, max_drawdown_fraction=0.5)
    state = fast.on_equity(97_900.0, T0_NS + 5 * MINUTE_NS)
    assert state is not None and state.reason is ReasonCode.DRB_RAPID_DRAWDOWN
    assert state.desired_state is REDUCING and state.breaker("rapid_drawdown").tripped

    slow = guard(daily_loss_fraction=0.5, max_drawdown_fraction=0.5)
    for minute in range(1, 31):
        slow.on_equity(100_000.0 - 70.0 * minute, T0_NS + minute * MINUTE_NS)
    assert slow.state.desired_state is ACTIVE
    assert slow.state.budget("rapid_drawdown").pct < 70.0


def test_one_positions_unrealised_loss_has_its_own_budget() -> None:
    g = guard(**LOOSE)
    g.on_position(Position(BTC, qty=1_000.0, avg_entry=100.0), T0_NS + SECOND_NS)
    soft = g.on_price(BTC, 99.2, T0_NS + 2 * SECOND_NS)  # 800 lost = 0.8 % of equity
    assert soft is not None and (soft.desired_state, soft.reason) == (REDUCING, ReasonCode.DRB_POSITION_LOSS)
    hard = g.on_price(BTC, 98.9, T0_NS + 3 * SECOND_NS)  # 1_100 lost
    assert hard is not None and hard.breaker("position_loss").tripped


def test_a_closed_position_stops_consuming_the_position_budget() -> None:
    g = guard(**LOOSE)
    g.on_position(Position(BTC, qty=1_000.0, avg_entry=100.0), T0_NS + SECOND_NS)
    g.on_price(BTC, 99.2, T0_NS + 2 * SECOND_NS)
    state = g.on_position(Position(BTC), T0_NS + 3 * SECOND_NS)
    assert state is not None and state.desired_state is ACTIVE
    assert state.budget("position_loss").used == 0.0


def test_a_losing_streak_reduces_then_trips_its_breaker_and_a_win_ends_it() -> None:
    g = guard(max_consecutive_losses=5)
    states = [g.on_trade_closed(-10.0, T0_NS + i * SECOND_NS) for i in range(1, 5)]
    assert states[-1] is not None and states[-1].desired_state is REDUCING
    assert states[-1].reason is ReasonCode.DRB_CONSECUTIVE_LOSSES
    recovered = g.on_trade_closed(25.0, T0_NS + 5 * SECOND_NS)
    assert recovered is not None
    assert (recovered.desired_state, recovered.reason) == (ACTIVE, ReasonCode.DRB_WITHIN_BUDGET)
    for i in range(6, 11):
        g.on_trade_closed(-10.0, T0_NS + i * SECOND_NS)
    assert g.state.desired_state is REDUCING and g.state.breaker("consecutive_losses").tripped
    assert g.state.size_scale == 0.0
    assert g.state.realized_pnl_day == -10.0 * 9 + 25.0
    ended = g.on_trade_closed(25.0, T0_NS + 11 * SECOND_NS)
    assert ended is not None and ended.desired_state is ACTIVE and ended.breaker("consecutive_losses").armed


def _calm_then(g: DrbGuard, jump: float, seconds: int = 120) -> DrbState | None:
    """Two minutes of prices alternating by 2 bps each second, then one move of ``jump``."""
    price = 100.0
    for s in range(seconds):
        g.on_price(BTC, price * (1.0002 if s % 2 else 0.9998), T0_NS + s * SECOND_NS)
    return g.on_price(BTC, price * (1 + jump), T0_NS + seconds * SECOND_NS + SECOND_NS // 2)


def test_a_many_sigma_move_trips_the_volatility_breaker_until_the_spike_ages_out() -> None:
    g = guard(**LOOSE, volatility_hold_s=30.0)
    state = _calm_then(g, jump=0.01)
    assert state is not None and state.desired_state is REDUCING and state.breaker("volatility").tripped
    assert state.reason is ReasonCode.DRB_VOLATILITY_SPIKE
    state = g.on_time(T0_NS + 160 * SECOND_NS)
    assert state is not None and (state.desired_state, state.reason) == (ACTIVE, ReasonCode.DRB_WITHIN_BUDGET)
    assert state.breaker("volatility").armed and state.size_scale == 1.0


def test_a_moderate_spike_reduces_until_it_ages_out_of_the_hold_window() -> None:
    g = guard(**LOOSE, volatility_hold_s=30.0)
    state = _calm_then(g, jump=0.0021)  # about 5 sigma of 4 bps returns
    assert state is not None and (state.desired_state, state.reason) == (REDUCING, ReasonCode.DRB_VOLATILITY_SPIKE)
    state = g.on_time(T0_NS + 160 * SECOND_NS)
    assert state is not None and (state.desired_state, state.reason) == (ACTIVE, ReasonCode.DRB_WITHIN_BUDGET)


def test_a_flat_market_does_not_make_a_one_tick_move_a_spike() -> None:
    g = guard(**LOOSE)
    for s in range(120):
        g.on_price(BTC, 100.0, T0_NS + s * SECOND_NS)
    g.on_price(BTC, 100.01, T0_NS + 120 * SECOND_NS)
    assert g.state.desired_state is ACTIVE


def test_errors_bunched_in_the_window_trip_the_breaker_but_spread_out_they_do_not() -> None:
    bunched = guard()
    for i in range(10):
        bunched.on_error("order_rejected", T0_NS + i * SECOND_NS)
    breaker = bunched.state.breaker("errors")
    assert bunched.state.desired_state is REDUCING and breaker.tripped and "order_rejected" in breaker.detail
    cleared = bunched.on_time(T0_NS + 2 * MINUTE_NS)
    assert cleared is not None and cleared.desired_state is ACTIVE and cleared.breaker("errors").armed

    spread = guard()
    for i in range(30):
        spread.on_error("order_rejected", T0_NS + i * 10 * SECOND_NS)
        assert spread.state.desired_state is ACTIVE


def test_non_finite_inputs_count_as_errors_and_change_nothing_else() -> None:
    g = guard()
    g.on_equity(float("nan"), T0_NS + SECOND_NS)
    g.on_price(BTC, float("inf"), T0_NS + 2 * SECOND_NS)
    g.on_trade_closed(float("nan"), T0_NS + 3 * SECOND_NS)
    assert g.state.budget("errors").used == 3.0
    assert g.state.budget("daily_loss").used == 0.0 and g.state.high_water_mark == 100_000.0


def test_halted_never_clears_by_itself_however_much_time_passes_or_equity_recovers() -> None:
    g = guard()
    machine = TradingStateMachine()
    follow(machine, g.on_equity(97_000.0, T0_NS + SECOND_NS), T0_NS + SECOND_NS)
    for day in range(1, 4):
        ts = T0_NS + day * 86_400 * SECOND_NS
        follow(machine, g.on_equity(120_000.0, ts), ts)
        follow(machine, g.on_time(ts + SECOND_NS), ts + SECOND_NS)
    assert g.state.desired_state is HALTED and g.state.breaker("daily_loss").tripped
    assert machine.state is HALTED


def test_operator_reset_rearms_breakers_and_acknowledges_the_streak() -> None:
    g = guard(max_consecutive_losses=5)
    for i in range(5):
        g.on_trade_closed(-10.0, T0_NS + i * SECOND_NS)
    assert g.state.desired_state is REDUCING and g.state.breaker("consecutive_losses").tripped
    state = g.operator_reset(T0_NS + MINUTE_NS)
    assert state.desired_state is ACTIVE and all(b.armed for b in state.breakers)
    assert state.budget("consecutive_losses").used == 0.0


def test_operator_reset_cannot_outvote_a_daily_loss_still_beyond_its_limit() -> None:
    g = guard()
    g.on_equity(97_000.0, T0_NS + SECOND_NS)
    state = g.operator_reset(T0_NS + MINUTE_NS)
    assert state.desired_state is HALTED and state.breaker("daily_loss").tripped_ts_ns == T0_NS + MINUTE_NS


def test_operator_reset_moves_the_drawdown_baseline_to_current_equity() -> None:
    g = guard(daily_loss_fraction=0.5, rapid_drawdown_fraction=0.5)
    g.on_equity(110_000.0, T0_NS + SECOND_NS)
    g.on_equity(104_000.0, T0_NS + 2 * SECOND_NS)
    state = g.operator_reset(T0_NS + MINUTE_NS)
    assert state.desired_state is ACTIVE and state.high_water_mark == 104_000.0


def test_size_scale_falls_linearly_to_zero_at_the_hard_limit() -> None:
    g = guard()
    assert g.size_scale() == 1.0
    g.on_equity(99_500.0, T0_NS + SECOND_NS)  # a quarter of the daily budget
    assert g.size_scale() == 0.75
    g.on_equity(99_000.0, T0_NS + 2 * SECOND_NS)
    assert g.size_scale() == 0.5
    g.on_equity(98_000.0, T0_NS + 3 * SECOND_NS)
    assert g.size_scale() == 0.0


@given(st.lists(st.floats(0.0, 3_000.0), min_size=2, max_size=40))
def test_size_scale_never_grows_while_losses_deepen(losses: list[float]) -> None:
    g = DrbGuard(RiskSettings(**LOOSE | {"daily_loss_fraction": 0.02}))
    scales = []
    for i, loss in enumerate(sorted(losses)):
        g.on_equity(100_000.0 - loss, T0_NS + i * SECOND_NS)
        scales.append(g.size_scale())
        assert 0.0 <= scales[-1] <= 1.0
    assert scales == sorted(scales, reverse=True)


def test_a_state_is_published_only_when_something_visible_changed() -> None:
    g = guard()
    assert g.on_equity(100_000.0, T0_NS + SECOND_NS) is None
    # Equity is journaled on a 20 USDT grid (1 % steps of the 2 % daily budget) with half a
    # cell of hysteresis each way: wobbles are not news.
    assert g.on_equity(99_990.0, T0_NS + 2 * SECOND_NS) is None
    assert g.on_equity(100_010.0, T0_NS + 3 * SECOND_NS) is None
    moved = g.on_equity(99_975.0, T0_NS + 4 * SECOND_NS)
    assert moved is not None and moved.equity == 99_960.0 and moved.ts_ns == T0_NS + 4 * SECOND_NS
    for i, wobble in enumerate([99_985.0, 99_972.0, 99_985.0, 99_972.0]):
        assert g.on_equity(wobble, T0_NS + (5 + i) * SECOND_NS) is None
    deeper = g.on_equity(99_400.0, T0_NS + 10 * SECOND_NS)
    assert deeper is not None and deeper.budget("daily_loss").pct == 30.0


def test_a_rising_market_publishes_in_grid_steps_not_per_tick() -> None:
    g = guard()
    published = sum(g.on_equity(100_000.0 + i, T0_NS + i * SECOND_NS // 10) is not None for i in range(1, 10_001))
    # One grid cell is 1 % of the finest equity budget (2 % of 100_000): 20 USDT.
    assert 490 <= published <= 10_000 // 20
    assert 110_000.0 - 40.0 < g.state.high_water_mark <= 110_000.0


@given(st.lists(st.tuples(st.floats(90.0, 110.0), st.floats(-5.0, 5.0)), min_size=1, max_size=40))
def test_on_market_is_on_price_position_and_equity_in_one_evaluation(moves: list[tuple[float, float]]) -> None:
    together, apart = guard(**LOOSE), guard(**LOOSE)
    for i, (price, qty) in enumerate(moves):
        ts = T0_NS + (i + 1) * SECOND_NS
        position = Position(BTC, qty=qty, avg_entry=100.0)
        equity = 100_000.0 + (price - 100.0) * qty * 100.0
        together.on_market(BTC, price, position, equity, ts)
        apart.on_price(BTC, price, ts)
        apart.on_position(position, ts)
        apart.on_equity(equity, ts)
    # Hysteresis remembers the path, and apart takes more steps: allow one publish step.
    a, b = together.state, apart.state
    assert (a.desired_state, a.reason, a.tripped) == (b.desired_state, b.reason, b.tripped)
    for x, y in zip(a.budgets, b.budgets, strict=True):
        assert abs(x.pct - y.pct) <= 1.0, x.name


def test_a_losing_streak_that_reduced_trading_cools_off_after_a_quiet_spell() -> None:
    g = guard(max_consecutive_losses=5, losing_streak_cooloff_s=600.0)
    for i in range(1, 5):
        g.on_trade_closed(-10.0, T0_NS + i * SECOND_NS)
    assert g.state.desired_state is REDUCING
    assert g.on_equity(100_000.0 - 40.0, T0_NS + 5 * MINUTE_NS) is None or g.state.desired_state is REDUCING
    cooled = g.on_equity(100_000.0 - 40.0, T0_NS + 4 * SECOND_NS + 10 * MINUTE_NS)
    assert cooled is not None
    assert (cooled.desired_state, cooled.reason) == (ACTIVE, ReasonCode.DRB_WITHIN_BUDGET)
    assert cooled.budget("consecutive_losses").used == 0.0


def test_a_tripped_streak_breaker_rearms_when_the_streak_cools_off() -> None:
    g = guard(max_consecutive_losses=5, losing_streak_cooloff_s=600.0)
    for i in range(1, 6):
        g.on_trade_closed(-10.0, T0_NS + i * SECOND_NS)
    assert g.state.desired_state is REDUCING and g.state.breaker("consecutive_losses").tripped
    later = g.on_equity(100_000.0 - 50.0, T0_NS + 2 * 3600 * SECOND_NS)
    state = later or g.state
    assert state.desired_state is ACTIVE and state.breaker("consecutive_losses").armed


def test_only_the_daily_loss_and_drawdown_breakers_halt() -> None:
    assert {b.name for b in guard().state.breakers if b.latching} == {"daily_loss", "drawdown"}


def test_reducing_ends_only_below_the_recovery_level_not_just_under_the_soft_limit() -> None:
    # Soft limit 7 errors, recovery level 0.8 x 7 = 5.6: 6 errors in the window still reduce.
    g = guard(max_errors=10, error_window_s=60.0)
    machine = TradingStateMachine()
    for i in range(7):
        follow(machine, g.on_error("order_rejected", T0_NS + i * 9 * SECOND_NS), T0_NS + i * 9 * SECOND_NS)
    assert machine.state is REDUCING
    # At 65 s the first error (at 0 s) has left the window: 6 left, under the soft limit, above recovery.
    follow(machine, g.on_time(T0_NS + 65 * SECOND_NS), T0_NS + 65 * SECOND_NS)
    assert g.state.budget("errors").used == 6.0 and machine.state is REDUCING
    # At 75 s the one at 9 s has left too, 5 left: below the recovery level, trading steps back on its own.
    follow(machine, g.on_time(T0_NS + 75 * SECOND_NS), T0_NS + 75 * SECOND_NS)
    assert machine.state is ACTIVE and machine.reason is ReasonCode.DRB_WITHIN_BUDGET
