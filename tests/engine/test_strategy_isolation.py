"""A strategy that raises or runs slow is disabled on its own; nothing else it touches changes.

The bad strategies here signal nothing, so a session with one must decide exactly as a
session without it: every decision record of the other strategies is compared byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field
from sim_driver import START_NS, drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.session.assembly import build_sim_engine
from hft_tui.clock import FrozenClock, WallClock
from hft_tui.trading.commands import SetStrategyParams
from hft_tui.config.loader import load_settings
from hft_tui.session.engine import Engine
from hft_tui.model import OrderBook, ReasonCode, Signal
from hft_tui.redaction import register_secrets
from hft_tui.signals.status import StrategyStatus
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, BUILT_IN_CATALOGUE, StrategyCatalogue
from hft_tui.strategies.hook_watch import HookWatch
from hft_tui.strategies.offers import Gate, GateResult, Offers
from hft_tui.strategies.settings import catalogue_context
from hft_tui.trading import operator
from hft_tui.wal.record_types import DECISION_TYPES

SECRET = "k3y-0f-the-user-9f8e7d"


class _Params(StrategyParams):
    pass


class RaisesOn100thBook(Strategy[_Params]):
    name: ClassVar[str] = "raiser"
    params_model: ClassVar[type[StrategyParams]] = _Params

    def __init__(self) -> None:
        super().__init__()
        self.books = 0

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        self.books += 1
        if self.books == 100:
            raise RuntimeError(f"book 100 with api_key={SECRET}")
        return NO_SIGNALS


class TickingTimer:
    """The wall time the hook watch reads: it moves only when a strategy spends some."""

    def __init__(self) -> None:
        self.ns = 0

    def now_ns(self) -> int:
        return self.ns


class Sleeper(Strategy[_Params]):
    """Spends ``sleep_ms`` on every ``every``-th book: on a timer it advances, or really sleeping."""

    name: ClassVar[str] = "sleeper"
    params_model: ClassVar[type[StrategyParams]] = _Params

    def __init__(self, every: int, sleep_ms: float, timer: TickingTimer | None = None) -> None:
        super().__init__()
        self.every, self.sleep_ms, self.timer = every, sleep_ms, timer
        self.books = 0

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        self.books += 1
        if self.books % self.every == 0:
            if self.timer is not None:
                self.timer.ns += int(self.sleep_ms * 1e6)
            else:
                time.sleep(self.sleep_ms / 1e3)
        return NO_SIGNALS


def run(tmp_path: Path, strategy: Strategy | None, seconds: float = 120,
        watch: HookWatch | None = None) -> tuple[Engine, list[dict[str, Any]]]:
    engine = make_engine(tmp_path)
    engine.begin_session()
    if strategy is not None:
        engine.core.strategies.add(strategy)
    engine.core.strategies.hook_watch = watch
    drive_seconds(engine, seconds)
    engine.wal.sync()
    return engine, wal_records(tmp_path / "wal")


def others_decisions(records: list[dict[str, Any]], bad: str) -> list[dict[str, Any]]:
    """Every decision record but the ones about ``bad`` (its disable), without the seq."""
    def about_bad(r: dict[str, Any]) -> bool:
        return r.get("strategy") == bad or r.get("name") == bad
    return [{k: v for k, v in r.items() if k != "seq"}
            for r in records if r["type"] in DECISION_TYPES and not about_bad(r)]


def test_a_strategy_raising_on_its_100th_book_is_disabled_once_and_the_others_decide_as_without_it(
        tmp_path: Path) -> None:
    register_secrets([SECRET])
    raiser = RaisesOn100thBook()
    engine, records = run(tmp_path / "with", raiser)
    _, alone = run(tmp_path / "without", None)

    assert raiser.books == 100, "not fed after it raised"
    assert engine.core.manager.status("raiser") is StrategyStatus.DISABLED
    assert engine.core.manager.disabled_reason("raiser").startswith("STRATEGY_ERROR: RuntimeError: book 100")
    (error,) = [r for r in records if r["type"] == "error"]
    assert error["where"] == "strategy raiser"
    assert "in on_book" in error["traceback"]
    assert SECRET not in str(records) and "api_key=***" in error["traceback"]
    (disable,) = [r for r in records if r["type"] == "strategy" and r["strategy"] == "raiser"]
    assert disable["action"] == "disable"
    assert any(n.source == "strategy" and "raiser disabled: STRATEGY_ERROR" in n.text
               for n in engine.core.notices.notices)
    decisions = others_decisions(records, "raiser")
    assert any(r["type"] == "fill" for r in decisions), "the others must trade for this to mean anything"
    assert decisions == others_decisions(alone, "raiser")


def test_a_strategy_slow_past_the_repeat_limit_is_disabled_by_a_journaled_decision(tmp_path: Path) -> None:
    timer = TickingTimer()
    sleeper = Sleeper(every=50, sleep_ms=25, timer=timer)
    engine, records = run(tmp_path / "with", sleeper, watch=HookWatch(timer, max_hook_ms=10, slow_hook_limit=3))
    _, alone = run(tmp_path / "without", None)

    assert sleeper.books == 150, "fed up to its third slow book, then no more"
    assert engine.core.manager.disabled_reason("sleeper") == "STRATEGY_SLOW"
    reports = [n.text for n in engine.core.notices.notices if "sleeper: on_book took" in n.text]
    assert reports == ["strategy sleeper: on_book took 25.0 ms (limit 10 ms)"], "one entry, counted"
    (decided,) = [r for r in records if r["type"] == "command"]
    assert decided["command"] == "DisableStrategy" and decided["reason"] == "STRATEGY_SLOW"
    # Applied after the event that overran, so a replay re-applies it at the same point.
    (disable,) = [r for r in records if r["type"] == "strategy" and r["strategy"] == "sleeper"]
    assert disable["seq"] == decided["seq"] + 1
    assert others_decisions(records, "sleeper") == others_decisions(alone, "sleeper")


def test_a_hook_that_really_sleeps_is_timed_on_the_wall_clock(tmp_path: Path) -> None:
    sleeper = Sleeper(every=20, sleep_ms=30)
    engine, _ = run(tmp_path, sleeper, seconds=60, watch=HookWatch(WallClock(), max_hook_ms=5, slow_hook_limit=2))
    assert sleeper.books == 40
    assert engine.core.manager.status("sleeper") is StrategyStatus.DISABLED


def test_backtests_and_replays_do_not_time_hooks(engine: Engine) -> None:
    assert engine.core.strategies.hook_watch is None, "on the data's clock a hook takes no time: nothing to judge"


class NeighbourParams(StrategyParams):
    level: int = Field(1, ge=0, le=10, description="Anything to tune.")


class BadNeighbour(Strategy[NeighbourParams]):
    """Its gate, its book marks and its parameter hook all raise."""

    name: ClassVar[str] = "neighbour"
    params_model: ClassVar[type[StrategyParams]] = NeighbourParams

    def offers(self) -> Offers:
        return Offers(gates=(Gate(self._gate),), book_marks=self._marks)

    def _gate(self, signal: Signal) -> GateResult:
        raise ZeroDivisionError("gate")

    def _marks(self, symbol: str) -> Sequence[Any]:
        raise ZeroDivisionError("marks")

    def on_params_changed(self) -> None:
        raise ZeroDivisionError("params")


class BadGate(BadNeighbour):
    def offers(self) -> Offers:
        return Offers(gates=(Gate(self._gate),))


def test_a_raising_gate_disables_its_strategy_not_the_event(tmp_path: Path) -> None:
    catalogue = StrategyCatalogue.of((*BUILT_IN, BadGate))
    enabled = [*BUILT_IN_CATALOGUE.names, "neighbour"]
    settings = load_settings(None, {"strategies.enabled": enabled}, context=catalogue_context(catalogue))
    engine = build_sim_engine(settings, clock=FrozenClock(START_NS), wal_dir=tmp_path / "wal", paced=False)
    engine.begin_session()
    drive_seconds(engine, 120)
    assert engine.core.manager.disabled_reason("neighbour") == "STRATEGY_ERROR: ZeroDivisionError: gate"
    assert engine.core.sanitizer.counts.get(ReasonCode.EVENT_FAILED, 0) == 0
    engine.wal.sync()
    assert any(r["type"] == "fill" for r in wal_records(tmp_path / "wal")), "the others trade on"


def test_raising_book_marks_and_parameter_hook_disable_the_strategy(engine: Engine) -> None:
    engine.core.strategies.add(BadNeighbour())
    drive_seconds(engine, 5)
    assert engine.publish_snapshot().views["BTC/USDT"].whales, "the whales of book_imbalance still show"
    assert engine.core.manager.disabled_reason("neighbour") == "STRATEGY_ERROR: ZeroDivisionError: marks"
    assert operator.enable(engine.core, "neighbour").ok
    result = engine.apply(SetStrategyParams("neighbour", {"level": 2}))
    assert not result.ok and "disabled" in result.message
    assert engine.core.manager.disabled_reason("neighbour") == "STRATEGY_ERROR: ZeroDivisionError: params"
    drive_seconds(engine, 5)


class LongWinded(Strategy[NeighbourParams]):
    """Its parameter hook raises a long error ending in a secret, right where a cut would fall."""

    name: ClassVar[str] = "long_winded"
    params_model: ClassVar[type[StrategyParams]] = NeighbourParams

    def on_params_changed(self) -> None:
        raise RuntimeError("x" * 270 + f" {SECRET}")


def test_a_secret_at_the_cut_of_an_error_text_leaves_no_fragment_anywhere(engine: Engine, tmp_path: Path) -> None:
    register_secrets([SECRET])
    engine.core.strategies.add(LongWinded())
    result = engine.apply(SetStrategyParams("long_winded", {"level": 2}))
    engine.wal.sync()
    reason = engine.core.manager.disabled_reason("long_winded")
    assert not result.ok and reason.startswith("STRATEGY_ERROR: RuntimeError: xxx")
    fragment = SECRET[:6]
    shown = [result.message, reason, *(n.text for n in engine.core.notices.notices),
             *(v.disabled_reason for v in engine.publish_snapshot().strategies)]
    journaled = str(wal_records(tmp_path / "wal"))
    assert fragment not in journaled and all(fragment not in text for text in shown)
