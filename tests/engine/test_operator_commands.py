"""Pause, tune, flatten, kill and reset, through the engine's command path."""

from __future__ import annotations

from pathlib import Path

from sim_driver import drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.session.engine import Engine
from hft_tui.trading.commands import (
    Flatten,
    Kill,
    PauseStrategy,
    PlaceOrder,
    ResetHalt,
    ResumeStrategy,
    SetStrategyParams,
)


def test_pausing_a_strategy_drops_its_signals_from_the_next_event(engine: Engine) -> None:
    drive_seconds(engine, 30)
    before = len(engine.core.signal_history)
    engine.apply(PauseStrategy("cvd"))
    drive_seconds(engine, 120)
    after = list(engine.core.signal_history)[before:]
    cvd = [s for s in after if s.decision.signal.strategy == "cvd"]
    assert cvd, "cvd keeps computing and signalling while paused"
    assert all(s.outcome == ("STRATEGY_PAUSED",) for s in cvd)
    engine.apply(ResumeStrategy("cvd"))
    engine.wal.sync()
    records = wal_records(engine.wal.directory)
    pauses = [r for r in records if r["type"] == "pause"]
    assert [(p["strategy"], p["action"]) for p in pauses] == [("cvd", "pause"), ("cvd", "resume")]


def test_a_parameter_change_is_journaled_with_old_and_new_and_applies_from_the_next_event(engine: Engine) -> None:
    result = engine.apply(SetStrategyParams("spike_fader", {"threshold_pct": 2.5}))
    assert result.ok, result.message
    assert engine.core.strategies["spike_fader"].params.threshold_pct == 2.5
    engine.wal.sync()
    params = [r for r in wal_records(engine.wal.directory) if r["type"] == "param"]
    assert params[-1]["strategy"] == "spike_fader"
    assert params[-1]["old"] == {"threshold_pct": 1.2} and params[-1]["new"] == {"threshold_pct": 2.5}


def test_an_invalid_parameter_is_refused_with_the_reason_and_changes_nothing(engine: Engine) -> None:
    result = engine.apply(SetStrategyParams("spike_fader", {"threshold_pct": -1}))
    assert not result.ok
    assert "threshold_pct" in result.message
    assert engine.core.strategies["spike_fader"].params.threshold_pct == 1.2


def test_a_parameter_the_strategy_does_not_have_is_refused_naming_the_ones_it_has(engine: Engine) -> None:
    result = engine.apply(SetStrategyParams("spike_fader", {"threshold": 2.5}))
    assert not result.ok
    fields = ", ".join(type(engine.core.strategies["spike_fader"].params).model_fields)
    assert result.message == f"spike_fader: threshold: no such parameter (it has {fields})"
    assert "threshold_pct" in fields and engine.core.strategies["spike_fader"].params.threshold_pct == 1.2


def test_reverting_parameters_restores_the_configured_defaults(engine: Engine) -> None:
    engine.apply(SetStrategyParams("cvd", {"cooldown_s": 300.0}))
    engine.apply(SetStrategyParams("cvd", {}, revert_to_defaults=True))
    assert engine.core.strategies["cvd"].params == engine.core.strategies.default_params["cvd"]


def test_flatten_closes_a_position_reduce_only_without_halting(engine: Engine) -> None:
    drive_seconds(engine, 2)
    assert engine.apply(PlaceOrder("BTC/USDT", "buy", 0.05)).ok
    engine.core.release_orders()
    assert engine.core.portfolio.position("BTC/USDT").qty == 0.05
    engine.apply(Flatten("BTC/USDT"))
    engine.core.release_orders()
    assert engine.core.portfolio.position("BTC/USDT").is_flat
    assert engine.core.state.state.value == "ACTIVE"


async def test_kill_journals_first_then_cancels_flattens_and_halts(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 2)
    engine.apply(PlaceOrder("BTC/USDT", "buy", 0.05))
    engine.apply(PlaceOrder("ETH/USDT", "sell", 1.0))
    engine.apply(PlaceOrder("ETH/USDT", "buy", 0.5, price=3_150.0))  # rests below the market
    engine.core.release_orders()
    assert engine.core.orders, "a resting limit order is open"
    await engine.wal.start()
    result = await engine.execute(Kill())
    second = await engine.execute(Kill())
    await engine.wal.close()
    assert result.ok and second.ok
    core = engine.core
    assert all(p.is_flat for p in core.portfolio.positions().values())
    assert not [o for o in core.orders.values() if o.is_open]
    assert core.state.state.value == "HALTED"
    records = wal_records(tmp_path / "wal")
    kill_seq = next(r["seq"] for r in records if r["type"] == "kill")
    cancels = [r["seq"] for r in records if r["type"] == "cancel"]
    assert cancels and all(seq > kill_seq for seq in cancels)
    assert {r["reason"] for r in records if r["type"] == "order" and r["reduce_only"]} == {"KILL"}


async def test_reset_needs_the_typed_confirmation(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    await engine.wal.start()
    await engine.execute(Kill())
    refused = await engine.execute(ResetHalt("reset"))
    assert not refused.ok and engine.core.state.state.value == "HALTED"
    accepted = await engine.execute(ResetHalt("RESET"))
    await engine.wal.close()
    assert accepted.ok, accepted.message
    assert engine.core.state.state.value == "ACTIVE"
    # The kill paused every strategy and the reset leaves them paused: the answer says so.
    assert accepted.message.startswith("operator reset: ACTIVE; still paused: ")
    assert all(name in accepted.message for name in engine.core.strategies)


async def test_a_reset_after_resuming_the_strategies_says_nothing_is_paused(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    await engine.wal.start()
    await engine.execute(Kill())
    await engine.execute(ResumeStrategy(None))
    accepted = await engine.execute(ResetHalt("RESET"))
    await engine.wal.close()
    assert accepted.ok and accepted.message == "operator reset: ACTIVE"


def test_a_halted_engine_comes_back_halted_after_a_restart(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 1)
    engine.wal.append("kill", {"command": "Kill", "source": "test"})
    engine.apply(Kill())
    engine.wal.close_sync()
    restarted = make_engine(tmp_path)
    restarted.begin_session()
    try:
        assert restarted.core.state.state.value == "HALTED"
        assert "HALTED" in restarted.snapshot.trading_state or restarted.publish_snapshot().trading_state == "HALTED"
    finally:
        restarted.wal.close_sync()


def test_tuned_parameters_and_pauses_survive_a_restart(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    engine.apply(SetStrategyParams("spike_fader", {"threshold_pct": 3.0}))
    engine.apply(PauseStrategy("book_imbalance"))
    engine.wal.close_sync()
    restarted = make_engine(tmp_path)
    restarted.begin_session()
    try:
        assert restarted.core.strategies["spike_fader"].params.threshold_pct == 3.0
        assert restarted.core.manager.status("book_imbalance").value == "paused"
        recovery = [n.text for n in restarted.core.notices.notices if n.source == "recovery"]
        assert "book_imbalance paused" in recovery[0].split("; ")
    finally:
        restarted.wal.close_sync()


def test_kill_works_on_a_stale_feed_and_says_so(engine: Engine) -> None:
    from hft_tui.model import FeedState, FeedStatus

    drive_seconds(engine, 2)
    engine.apply(PlaceOrder("BTC/USDT", "buy", 0.05))
    engine.core.release_orders()
    engine.process(FeedStatus("BTC/USDT", engine.clock.now_ns(), FeedState.STALE, "test"))
    result = engine.apply(Kill())
    engine.core.release_orders()
    assert "last good book" in result.message
    assert engine.core.portfolio.position("BTC/USDT").is_flat


def test_commands_on_unknown_strategies_fail_clearly(engine: Engine) -> None:
    assert not engine.apply(PauseStrategy("nope")).ok
    assert not engine.apply(SetStrategyParams("nope", {})).ok


def test_recovery_folds_from_the_last_snapshot_and_agrees_with_a_full_fold(tmp_path: Path) -> None:
    from hft_tui.session.recovery import recover_from_wal, recover_state
    from hft_tui.wal.reader import iter_records

    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 30)
    engine.write_state_snapshot()
    engine.apply(SetStrategyParams("spike_fader", {"threshold_pct": 2.0}))
    drive_seconds(engine, 30)
    engine.wal.close_sync()
    full = recover_state(iter_records(tmp_path / "wal"))
    fast = recover_from_wal(tmp_path / "wal")
    assert fast.to_payload() == full.to_payload()
    assert fast.params == {"spike_fader": {"threshold_pct": 2.0}}


def test_snapshots_and_metrics_are_published_on_the_event_bus(engine: Engine) -> None:
    from hft_tui.bus import MetricsSnapshot
    from hft_tui.session.engine_snapshot import EngineSnapshot

    seen: list[object] = []
    engine.bus.subscribe(EngineSnapshot, seen.append)
    engine.bus.subscribe(MetricsSnapshot, seen.append)
    drive_seconds(engine, 5)
    engine.publish_snapshot()
    engine.publish_snapshot()  # nothing changed: nothing new is published
    assert [type(item) for item in seen] == [EngineSnapshot, MetricsSnapshot]
    metrics = seen[1]
    assert isinstance(metrics, MetricsSnapshot) and metrics.events_total > 0


def test_day_pnl_starts_again_when_the_guard_starts_a_new_day(engine: Engine) -> None:
    from hft_tui.model import OrderBook

    drive_seconds(engine, 2)
    engine.apply(PlaceOrder("ETH/USDT", "buy", 1.0))
    engine.core.release_orders()
    drive_seconds(engine, 5)
    assert engine.core.portfolio.day_pnl() != 0.0  # fees at least
    book = engine.core.books["BTC/USDT"]
    next_day = book.ts_ns + 86_400 * 1_000_000_000
    engine.clock.advance_to(next_day)  # type: ignore[attr-defined]
    engine.process(OrderBook.from_levels("BTC/USDT", next_day, book.seq + 1, book.bids, book.asks))
    assert abs(engine.core.portfolio.day_pnl()) < 1e-6
