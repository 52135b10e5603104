import pytest

from hft_tui.model import Priority, ReasonCode, Side, Signal
from hft_tui.signals.decision import Decision
from hft_tui.signals.exit_settings import ExitSettings
from hft_tui.signals.exits import Exit, ExitRules, ExitTracker

S = 1_000_000_000
BTC = "BTC/USDT"


def tracker_with(side: Side = Side.BUY, **settings: float) -> ExitTracker:
    base = {"take_profit_bps": 100.0, "stop_loss_bps": 50.0, **settings}
    tracker = ExitTracker()
    tracker.track(ExitRules.for_entry(BTC, side, 100.0, 0, ExitSettings(**base)))
    return tracker


def test_defaults_fill_in_levels_the_signal_did_not_set() -> None:
    rules = ExitRules.for_entry(BTC, Side.BUY, 100.0, 5 * S, ExitSettings(take_profit_bps=100, stop_loss_bps=50,
                                                                         max_hold_s=60), take_profit=103.0)
    assert rules.take_profit == 103.0
    assert rules.stop_loss == pytest.approx(99.5)
    assert rules.time_stop_ts_ns == 65 * S
    assert rules.trailing_stop_bps is None
    short = ExitRules.for_entry(BTC, Side.SELL, 100.0, 0, ExitSettings(take_profit_bps=100, stop_loss_bps=50))
    assert (short.take_profit, short.stop_loss) == (pytest.approx(99.0), pytest.approx(100.5))


def test_long_take_profit_and_stop_loss() -> None:
    tracker = tracker_with()
    assert tracker.on_mark(BTC, 100.5, 1) is None
    hit = tracker.on_mark(BTC, 101.0, 2)
    assert hit is not None and hit.level == pytest.approx(101.0)
    assert hit == Exit(BTC, Side.BUY, ReasonCode.TAKE_PROFIT, 2, 101.0, hit.level)
    stop = tracker_with().on_mark(BTC, 99.4, 3)
    assert stop is not None and stop.reason is ReasonCode.STOP_LOSS
    assert stop.close_side is Side.SELL


def test_short_take_profit_and_stop_loss_are_mirrored() -> None:
    assert tracker_with(Side.SELL).on_mark(BTC, 98.9, 1).reason is ReasonCode.TAKE_PROFIT  # type: ignore[union-attr]
    stop = tracker_with(Side.SELL).on_mark(BTC, 100.6, 1)
    assert stop is not None and stop.reason is ReasonCode.STOP_LOSS and stop.close_side is Side.BUY


def test_trailing_stop_arms_after_activation_and_follows_the_best_mark() -> None:
    tracker = tracker_with(take_profit_bps=0, trailing_stop_bps=30, trailing_activation_bps=20)
    assert tracker.on_mark(BTC, 100.1, 1) is None
    assert tracker.trailing_level(BTC) is None  # +10 bps: not armed
    assert tracker.on_mark(BTC, 101.0, 2) is None
    assert tracker.trailing_level(BTC) == pytest.approx(101.0 * 0.997)
    assert tracker.on_mark(BTC, 100.8, 3) is None  # pulls back, the level stays
    assert tracker.trailing_level(BTC) == pytest.approx(101.0 * 0.997)
    hit = tracker.on_mark(BTC, 100.69, 4)
    assert hit is not None and hit.reason is ReasonCode.TRAILING_STOP
    assert hit.level == pytest.approx(100.697)


def test_short_trailing_stop_follows_the_low() -> None:
    tracker = tracker_with(Side.SELL, take_profit_bps=0, trailing_stop_bps=50)
    tracker.on_mark(BTC, 98.0, 1)
    assert tracker.trailing_level(BTC) == pytest.approx(98.49)
    hit = tracker.on_mark(BTC, 98.5, 2)
    assert hit is not None and hit.reason is ReasonCode.TRAILING_STOP


def test_a_looser_trailing_stop_leaves_the_stop_loss_in_charge() -> None:
    # trail 100 bps behind entry sits at 99.0, below the 99.5 stop loss
    tracker = tracker_with(trailing_stop_bps=100)
    hit = tracker.on_mark(BTC, 98.0, 1)
    assert hit is not None and hit.reason is ReasonCode.STOP_LOSS and hit.level == pytest.approx(99.5)


def test_time_stop_fires_at_the_time_limit() -> None:
    tracker = tracker_with(max_hold_s=30)
    assert tracker.on_mark(BTC, 100.2, 29 * S) is None
    hit = tracker.on_mark(BTC, 100.2, 30 * S)
    assert hit is not None and hit.reason is ReasonCode.TIME_STOP


def test_an_exit_fires_once_until_rearmed_or_untracked() -> None:
    tracker = tracker_with()
    assert tracker.on_mark(BTC, 99.0, 1) is not None
    assert tracker.exiting(BTC) is ReasonCode.STOP_LOSS
    assert tracker.on_mark(BTC, 98.0, 2) is None
    tracker.rearm(BTC)
    assert tracker.on_mark(BTC, 98.0, 3) is not None
    tracker.untrack(BTC)
    assert tracker.on_mark(BTC, 50.0, 4) is None
    assert tracker.symbols() == []


def decision(side: Side, accepted: bool = True) -> Decision:
    signal = Signal(BTC, side, 0.8, Priority.MEDIUM, (ReasonCode.CVD_BEAR_DIV,), "cvd", 7, 10 * S)
    return Decision(signal, accepted, (ReasonCode.SIGNAL_ACCEPTED,), 1.0, 7)


def test_an_accepted_opposite_signal_reverses_the_position() -> None:
    tracker = tracker_with()
    assert tracker.on_decision(decision(Side.BUY)) is None
    assert tracker.on_decision(decision(Side.SELL, accepted=False)) is None
    reversal = tracker.on_decision(decision(Side.SELL))
    assert reversal == Exit(BTC, Side.BUY, ReasonCode.SIGNAL_REVERSAL, 7)


def test_flatten_and_kill_override_a_pending_exit() -> None:
    tracker = tracker_with()
    tracker.track(ExitRules.for_entry("ETH/USDT", Side.SELL, 3000.0, 0, ExitSettings()))
    tracker.on_mark(BTC, 99.0, 1)
    flat = tracker.flatten(BTC, 2)
    assert flat is not None and flat.reason is ReasonCode.FLATTEN
    assert tracker.flatten("SOL/USDT", 2) is None
    kills = tracker.kill(3)
    assert [(e.symbol, e.reason, e.close_side) for e in kills] == [
        (BTC, ReasonCode.KILL, Side.SELL),
        ("ETH/USDT", ReasonCode.KILL, Side.BUY),
    ]


def test_rules_records_round_trip_the_levels() -> None:
    rules = ExitRules.for_entry(BTC, Side.BUY, 100.0, 0, ExitSettings(trailing_stop_bps=10))
    record = rules.to_record()
    assert record["side"] == "buy" and record["trailing_stop_bps"] == 10
    assert ExitRules(**{**record, "side": Side(record["side"])}) == rules
