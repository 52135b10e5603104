import orjson
import pytest

from hft_tui.clock import FrozenClock
from hft_tui.model import ClosedTrade, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.signals.manager import SignalManager
from hft_tui.signals.scoring import AutoDisableLimits
from hft_tui.signals.signal_settings import SignalSettings
from hft_tui.signals.status import StrategyAction, StrategyStatus, StrategyStatusChange
from hft_tui.strategies.vpin import VpinStrategy
from hft_tui.strategies.vpin_params import VpinParams

S = 1_000_000_000
BTC = "BTC/USDT"


def sig(
    side: Side = Side.BUY,
    confidence: float = 0.7,
    priority: Priority = Priority.MEDIUM,
    strategy: str = "alpha",
    symbol: str = BTC,
    ts_s: float = 0.0,
    ttl_s: float = 3.0,
) -> Signal:
    ts = int(ts_s * S)
    reasons = (ReasonCode.BOOK_IMBALANCE_BID,)
    return Signal(symbol, side, confidence, priority, reasons, strategy, ts, ts + int(ttl_s * S))


def decide(manager: SignalManager, *signals: Signal, now_s: float = 0.0):
    for s in signals:
        manager.submit(s)
    return manager.decide(int(now_s * S))


def loss(strategy: str = "alpha", pnl: float = -10.0) -> ClosedTrade:
    entry = (ReasonCode.BOOK_IMBALANCE_BID,)
    return ClosedTrade(strategy, BTC, Side.BUY, 1.0, 100.0, 90.0, pnl, 0, 1, entry, ReasonCode.STOP_LOSS)


def test_a_good_signal_is_accepted_at_full_size() -> None:
    (decision,) = decide(SignalManager(), sig())
    assert decision.accepted
    assert decision.reasons == (ReasonCode.SIGNAL_ACCEPTED,)
    assert decision.size_factor == 1.0
    assert decision.ts_ns == 0


def test_nothing_submitted_decides_nothing() -> None:
    assert SignalManager().decide(0) == ()


def test_expired_signals_are_rejected_by_their_own_expiry_and_by_the_ttl() -> None:
    manager = SignalManager(SignalSettings(signal_ttl_s=5.0))
    own, aged = decide(manager, sig(ttl_s=1.0), sig(ts_s=0.5, ttl_s=60.0, symbol="ETH/USDT"), now_s=5.5)
    assert own.reasons == (ReasonCode.SIGNAL_EXPIRED,)
    assert aged.reasons == (ReasonCode.SIGNAL_EXPIRED,)
    assert not own.accepted and own.size_factor == 0.0


def test_confidence_below_the_threshold_is_rejected() -> None:
    manager = SignalManager(SignalSettings(min_confidence=0.6))
    low, ok = decide(manager, sig(confidence=0.59), sig(confidence=0.6, symbol="ETH/USDT"))
    assert low.reasons == (ReasonCode.LOW_CONFIDENCE,)
    assert ok.accepted


def test_paused_strategy_is_dropped_until_resumed() -> None:
    clock = FrozenClock(7 * S)
    manager = SignalManager(clock=clock)
    assert manager.pause("alpha") == StrategyStatusChange("alpha", StrategyAction.PAUSE, 7 * S)
    assert manager.pause("alpha") is None
    assert manager.status("alpha") is StrategyStatus.PAUSED
    (decision,) = decide(manager, sig(ts_s=7))
    assert decision.reasons == (ReasonCode.STRATEGY_PAUSED,)
    assert manager.resume("alpha") is not None
    assert manager.resume("alpha") is None
    (decision,) = decide(manager, sig(ts_s=7), now_s=7)
    assert decision.accepted


def test_higher_priority_beats_higher_confidence_and_the_loser_is_told() -> None:
    buy = sig(Side.BUY, confidence=0.9, priority=Priority.MEDIUM, strategy="a")
    sell = sig(Side.SELL, confidence=0.6, priority=Priority.HIGH, strategy="b")
    d_buy, d_sell = decide(SignalManager(), buy, sell)
    assert d_buy.reasons == (ReasonCode.CONFLICT_LOST,)
    assert d_sell.accepted


def test_same_priority_higher_confidence_wins() -> None:
    d_buy, d_sell = decide(SignalManager(), sig(Side.BUY, 0.8, strategy="a"), sig(Side.SELL, 0.7, strategy="b"))
    assert d_buy.accepted
    assert d_sell.reasons == (ReasonCode.CONFLICT_LOST,)


def test_a_tie_stands_aside_on_both_sides() -> None:
    decisions = decide(SignalManager(), sig(Side.BUY, 0.7, strategy="a"), sig(Side.SELL, 0.7, strategy="b"),
                       sig(Side.BUY, 0.6, strategy="c"))
    assert [d.reasons for d in decisions] == [(ReasonCode.CONFLICT_STAND_ASIDE,)] * 3


def test_only_the_strongest_same_side_signal_is_taken_and_symbols_are_independent() -> None:
    weak, strong, other = decide(SignalManager(), sig(confidence=0.6, strategy="a"), sig(confidence=0.8, strategy="b"),
                                 sig(Side.SELL, symbol="ETH/USDT", strategy="a"))
    assert weak.reasons == (ReasonCode.SIGNAL_SUPERSEDED,)
    assert strong.accepted and other.accepted


def test_a_weaker_opposite_signal_cannot_flip_a_live_accepted_one() -> None:
    manager = SignalManager()
    (first,) = decide(manager, sig(Side.BUY, 0.8, strategy="a", ttl_s=5), now_s=0)
    (weaker,) = decide(manager, sig(Side.SELL, 0.7, strategy="b", ts_s=1), now_s=1)
    (tied,) = decide(manager, sig(Side.SELL, 0.8, strategy="b", ts_s=1.5), now_s=1.5)
    (stronger,) = decide(manager, sig(Side.SELL, 0.9, strategy="b", ts_s=2), now_s=2)
    assert first.accepted
    assert weaker.reasons == (ReasonCode.CONFLICT_LOST,)
    assert tied.reasons == (ReasonCode.CONFLICT_STAND_ASIDE,)
    assert stronger.accepted


def test_a_strategy_may_change_its_own_mind_and_expired_signals_stop_counting() -> None:
    manager = SignalManager()
    decide(manager, sig(Side.BUY, 0.9, strategy="a", ttl_s=2), now_s=0)
    (own_flip,) = decide(manager, sig(Side.SELL, 0.6, strategy="a", ts_s=1), now_s=1)
    assert own_flip.accepted
    (late,) = decide(manager, sig(Side.BUY, 0.56, strategy="b", ts_s=4), now_s=4)
    assert late.accepted  # "a"'s sell expired at 4 s


def test_a_blocking_gate_rejects_with_its_code_and_cannot_win_a_conflict() -> None:
    def no_longs(signal: Signal) -> tuple[float, ReasonCode | None]:
        return (0.0, ReasonCode.TREND_BLOCK_LONG) if signal.side is Side.BUY else (1.0, None)

    manager = SignalManager(gates=[no_longs])
    d_buy, d_sell = decide(manager, sig(Side.BUY, 0.9, strategy="a"), sig(Side.SELL, 0.6, strategy="b"))
    assert d_buy.reasons == (ReasonCode.TREND_BLOCK_LONG,)
    assert d_sell.accepted


def test_soft_gates_multiply_the_size_and_are_named_on_the_decision() -> None:
    manager = SignalManager()
    manager.set_gates([lambda s: (0.5, ReasonCode.VPIN_ELEVATED), lambda s: (0.8, ReasonCode.TREND_STRONG_DOWN),
                       lambda s: (1.0, None)])
    (decision,) = decide(manager, sig())
    assert decision.accepted
    assert decision.size_factor == pytest.approx(0.4)
    assert decision.reasons == (ReasonCode.SIGNAL_ACCEPTED, ReasonCode.VPIN_ELEVATED, ReasonCode.TREND_STRONG_DOWN)


def test_a_gate_that_blocks_without_a_code_is_a_wiring_error() -> None:
    manager = SignalManager(gates=[lambda s: (0.0, None)])
    with pytest.raises(ValueError, match="without a reason code"):
        decide(manager, sig())


def test_the_vpin_gate_blocks_entries_in_toxic_flow() -> None:
    vpin = VpinStrategy(VpinParams(bucket_notional_usd=1_000, window_buckets=5, min_buckets=5))
    for i in range(60):
        vpin.on_trade(Trade(BTC, i, 100.0, 1.0, Side.BUY))
    manager = SignalManager(gates=[gate.check for gate in vpin.offers().gates])
    toxic, calm = decide(manager, sig(), sig(symbol="ETH/USDT"))
    assert toxic.reasons == (ReasonCode.VPIN_TOXIC,)
    assert calm.accepted


def test_every_signal_gets_one_decision_in_submission_order() -> None:
    manager = SignalManager(SignalSettings(min_confidence=0.6))
    manager.pause("paused")
    signals = [
        sig(Side.BUY, 0.9, strategy="a"),
        sig(Side.SELL, 0.5, strategy="b"),
        sig(Side.SELL, 0.8, strategy="paused"),
        sig(Side.BUY, 0.7, strategy="c", symbol="ETH/USDT", ttl_s=0),
        sig(Side.BUY, 0.7, strategy="d"),
    ]
    decisions = decide(manager, *signals)
    assert [d.signal for d in decisions] == signals
    assert [d.reasons[0] for d in decisions] == [
        ReasonCode.SIGNAL_ACCEPTED,
        ReasonCode.LOW_CONFIDENCE,
        ReasonCode.STRATEGY_PAUSED,
        ReasonCode.SIGNAL_EXPIRED,
        ReasonCode.SIGNAL_SUPERSEDED,
    ]


def test_a_losing_strategy_is_auto_disabled_then_re_enabled_for_a_fresh_trial() -> None:
    limits = AutoDisableLimits(min_trades=20, min_win_rate=0.3)
    manager = SignalManager(SignalSettings(auto_disable=limits))
    changes = [manager.record_trade(loss()) for _ in range(20)]
    assert changes[:19] == [None] * 19
    disabled = changes[19]
    assert disabled is not None
    assert disabled.action is StrategyAction.DISABLE
    assert "win rate 0.0% below 30.0%" in disabled.detail
    assert manager.status("alpha") is StrategyStatus.DISABLED
    assert manager.record_trade(loss()) is None  # already disabled: no second record
    (decision,) = decide(manager, sig())
    assert decision.reasons == (ReasonCode.STRATEGY_DISABLED,)

    enabled = manager.enable("alpha")
    assert enabled is not None and enabled.action is StrategyAction.ENABLE
    assert manager.enable("alpha") is None
    assert manager.record_trade(loss()) is None  # the old record no longer counts
    (decision,) = decide(manager, sig(ts_s=1), now_s=1)
    assert decision.accepted
    assert manager.scoreboard.stats("alpha").trades == 22


def test_disabled_outranks_paused_and_resume_does_not_re_enable() -> None:
    manager = SignalManager(SignalSettings(auto_disable=AutoDisableLimits(min_trades=1)))
    manager.pause("alpha")
    manager.record_trade(loss())
    manager.resume("alpha")
    assert manager.status("alpha") is StrategyStatus.DISABLED
    assert manager.disabled_reason("alpha") is not None


def test_journaled_changes_replay_onto_a_fresh_manager() -> None:
    live = SignalManager(SignalSettings(auto_disable=AutoDisableLimits(min_trades=1)))
    journal = [live.pause("a"), live.pause("b"), live.resume("a"), live.record_trade(loss("c"))]
    recovered = SignalManager()
    for change in journal:
        assert change is not None
        recovered.apply(change)
        recovered.apply(change)
    assert {name: recovered.status(name) for name in "abc"} == {
        "a": StrategyStatus.ACTIVE,
        "b": StrategyStatus.PAUSED,
        "c": StrategyStatus.DISABLED,
    }
    recovered.apply(StrategyStatusChange("c", StrategyAction.ENABLE, 0))
    assert recovered.status("c") is StrategyStatus.ACTIVE


def test_without_a_clock_time_is_the_newest_signal() -> None:
    manager = SignalManager()
    manager.submit(sig(ts_s=3))
    (decision,) = manager.decide()
    assert decision.ts_ns == 3 * S
    assert manager.pause("x").ts_ns == 3 * S  # type: ignore[union-attr]


def test_decision_records_are_plain_json() -> None:
    (decision,) = decide(SignalManager(), sig())
    record = orjson.loads(orjson.dumps(decision.to_record()))
    assert record["reasons"] == ["SIGNAL_ACCEPTED"]
    assert record["side"] == "buy"
    assert record["signal_reasons"] == ["BOOK_IMBALANCE_BID"]


def test_settings_reject_unknown_keys_and_out_of_range_values() -> None:
    with pytest.raises(ValueError):
        SignalSettings(min_confidence=1.5)
    with pytest.raises(ValueError):
        SignalSettings(min_confidnce=0.5)  # type: ignore[call-arg]
