"""No exception crosses a component's boundary: a strategy that raises is isolated, an event
the core cannot process is rejected, and the session carries on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from sim_driver import drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.model import FeedState, FeedStatus, MarketRejection, ReasonCode, Signal, Trade
from hft_tui.session.engine import Engine
from hft_tui.signals.status import StrategyStatus
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.trading import operator
from hft_tui.wal.errors import WalWriteError


class _Params(StrategyParams):
    pass


class Faulty(Strategy[_Params]):
    """Raises on every ``fail_every``-th trade; counts every trade it is fed."""

    name: ClassVar[str] = "faulty"
    params_model: ClassVar[type[StrategyParams]] = _Params

    def __init__(self, fail_every: int) -> None:
        super().__init__()
        self.fail_every = fail_every
        self.trades = 0

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        self.trades += 1
        if self.trades % self.fail_every == 0:
            raise KeyError(f"bucket {self.trades}")
        return NO_SIGNALS


def records_of(tmp_path: Path, engine: Engine, kind: str) -> list[dict]:
    engine.wal.sync()
    return [r for r in wal_records(tmp_path / "wal") if r["type"] == kind]


def test_a_strategy_that_raises_is_disabled_with_a_reason_and_the_session_carries_on(
    tmp_path: Path, engine: Engine
) -> None:
    faulty = Faulty(fail_every=3)
    engine.core.strategies.add(faulty)
    drive_seconds(engine, 60)
    events_at_failure = engine.core.counters.events
    drive_seconds(engine, 60)

    assert faulty.trades == 3, "a failed strategy is no longer fed"
    assert engine.core.counters.events > events_at_failure
    assert engine.core.manager.status("faulty") is StrategyStatus.DISABLED
    assert engine.core.manager.disabled_reason("faulty") == "STRATEGY_ERROR: KeyError: 'bucket 3'"
    (disable,) = [r for r in records_of(tmp_path, engine, "strategy") if r["strategy"] == "faulty"]
    assert disable["action"] == "disable"
    (error,) = records_of(tmp_path, engine, "error")
    traceback = error.pop("traceback")
    assert error == {"seq": error["seq"], "type": "error", "where": "strategy faulty",
                     "error": "KeyError: 'bucket 3'"}
    assert "in on_trade" in traceback and traceback.endswith("KeyError: 'bucket 3'")
    # The other strategies kept trading on the same events.
    assert any(r["strategy"] != "faulty" for r in records_of(tmp_path, engine, "signal"))


def test_a_failed_strategy_is_fed_again_once_the_operator_enables_it(engine: Engine) -> None:
    faulty = Faulty(fail_every=2)
    engine.core.strategies.add(faulty)
    drive_seconds(engine, 30)
    assert faulty.trades == 2
    assert operator.enable(engine.core, "faulty").ok
    assert engine.core.manager.status("faulty") is StrategyStatus.ACTIVE
    drive_seconds(engine, 30)
    assert faulty.trades == 4
    assert engine.core.manager.status("faulty") is StrategyStatus.DISABLED


def test_an_event_the_core_cannot_process_is_rejected_counted_and_journaled_once(
    tmp_path: Path, engine: Engine
) -> None:
    drive_seconds(engine, 5)
    unhashable = FeedStatus(["BTC/USDT"], engine.clock.now_ns(), FeedState.LIVE)  # type: ignore[arg-type]
    for _ in range(3):
        engine.process(unhashable)
    drive_seconds(engine, 5)

    assert engine.core.sanitizer.counts[ReasonCode.EVENT_FAILED] == 3
    assert engine.publish_snapshot().sanitizer_rejections["EVENT_FAILED"] == 3  # the health pane's one count
    (rejection,) = [r for r in records_of(tmp_path, engine, "rejection") if r["code"] == "EVENT_FAILED"]
    assert rejection["symbol"] == "*"
    (error,) = records_of(tmp_path, engine, "error")
    assert error["where"] == "core: FeedStatus"
    # 'unhashable type: list' in pure Python; compiled, the core's typed read of the symbol refuses the list
    assert error["error"].startswith("TypeError: ")


def test_a_journal_that_cannot_write_is_not_swallowed_as_a_bad_event(engine: Engine) -> None:
    drive_seconds(engine, 1)
    failure = WalWriteError("disk full")
    engine.core.wal._refusal = failure  # noqa: SLF001 - the writer's own refusal state
    with pytest.raises(WalWriteError):
        engine.core.process(MarketRejection("BTC/USDT", engine.clock.now_ns(), ReasonCode.MALFORMED, "test"))
    engine.core.wal._refusal = None  # noqa: SLF001


def test_rejections_are_journaled_once_a_second_by_the_local_clock(tmp_path: Path, engine: Engine) -> None:
    # The core on its own: with a live source the local clock does not follow the messages.
    core = engine.core
    now = engine.clock.now_ns()
    s = 1_000_000_000
    # 2,000 malformed trades stamped one second apart, all arriving within one local second.
    for i in range(2_000):
        core.process(Trade("BTC/USDT", now + i * s, float("nan"), 1.0, "buy"))  # type: ignore[arg-type]
    journaled = [r for r in records_of(tmp_path, engine, "rejection") if r["code"] == "MALFORMED"]
    assert len(journaled) == 1
    # One stamped in 2200 does not mute the code: a second later by the local clock, it is journaled.
    core.process(Trade("BTC/USDT", 7_258_118_400 * s, float("nan"), 1.0, "buy"))  # type: ignore[arg-type]
    engine.clock.advance(1.0)  # type: ignore[attr-defined]
    core.process(Trade("BTC/USDT", now, float("nan"), 1.0, "buy"))  # type: ignore[arg-type]
    journaled = [r for r in records_of(tmp_path, engine, "rejection") if r["code"] == "MALFORMED"]
    assert [r["count"] for r in journaled] == [1, 2001]
    assert journaled[-1]["total"] == 2_002
