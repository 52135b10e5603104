"""A strategy whose build() or offers() raises does not stop the session's start: it is disabled
with STRATEGY_ERROR (journaled once, in the session, and shown) and the others start as without it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from sim_driver import START_NS, drive_seconds
from wal_records import wal_records

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.strategies.base import BuildContext, Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, BUILT_IN_CATALOGUE, StrategyCatalogue
from hft_tui.strategies.offers import Offers
from hft_tui.strategies.settings import catalogue_context
from hft_tui.trading.commands import EnableStrategy
from hft_tui.trading import operator
from hft_tui.wal.record_types import DECISION_TYPES


class _Params(StrategyParams):
    pass


class BuildRaises(Strategy[_Params]):
    name: ClassVar[str] = "unbuildable"
    params_model: ClassVar[type[StrategyParams]] = _Params

    @classmethod
    def build(cls, params: StrategyParams, context: BuildContext) -> Strategy[Any]:
        raise KeyError("no rules for my pet symbol")


class OffersRaise(Strategy[_Params]):
    name: ClassVar[str] = "unoffering"
    params_model: ClassVar[type[StrategyParams]] = _Params

    def offers(self) -> Offers:
        raise AttributeError("gates not ready")


def run(wal_dir: Path, extra: tuple[type[Strategy], ...]) -> tuple[Engine, list[dict[str, Any]]]:
    catalogue = StrategyCatalogue.of((*BUILT_IN, *extra))
    enabled = [*BUILT_IN_CATALOGUE.names, *(cls.name for cls in extra)]
    settings = load_settings(None, {"strategies.enabled": enabled}, context=catalogue_context(catalogue))
    engine = build_sim_engine(settings, clock=FrozenClock(START_NS), wal_dir=wal_dir, paced=False)
    engine.begin_session()
    drive_seconds(engine, 90)
    engine.wal.sync()
    return engine, wal_records(wal_dir)


def others(records: list[dict[str, Any]], bad: set[str]) -> list[Mapping[str, Any]]:
    return [{k: v for k, v in r.items() if k != "seq"} for r in records
            if r["type"] in DECISION_TYPES and r.get("strategy") not in bad]


def test_strategies_whose_build_or_offers_raise_are_disabled_and_the_rest_start(tmp_path: Path) -> None:
    engine, records = run(tmp_path / "with", (BuildRaises, OffersRaise))
    _, alone = run(tmp_path / "without", ())

    core = engine.core
    assert core.manager.disabled_reason("unbuildable") == "STRATEGY_ERROR: KeyError: 'no rules for my pet symbol'"
    assert core.manager.disabled_reason("unoffering") == "STRATEGY_ERROR: AttributeError: gates not ready"
    start = next(r["seq"] for r in records if r["type"] == "session_start")
    for name, where in (("unbuildable", "in build"), ("unoffering", "in offers")):
        (error,) = [r for r in records if r["type"] == "error" and r["where"] == f"strategy {name}"]
        assert error["seq"] > start and where in error["traceback"], "journaled once, in the session"
        (disable,) = [r for r in records if r["type"] == "strategy" and r["strategy"] == name]
        assert disable["action"] == "disable"
    engine.publish_snapshot()
    views = {view.name: view for view in engine.snapshot.strategies}
    assert views["unbuildable"].status == "disabled" and "KeyError" in views["unbuildable"].disabled_reason
    assert any("strategy unbuildable disabled: STRATEGY_ERROR" in n.text for n in core.notices.notices)
    assert not operator.enable(core, "unbuildable").ok, "a stand-in has nothing to run"
    assert engine.apply(EnableStrategy("unbuildable")).message.startswith("unbuildable could not be built")

    decisions = others(records, {"unbuildable", "unoffering"})
    assert any(r["type"] == "fill" for r in decisions), "the others must trade for this to mean anything"
    assert decisions == others(alone, set())
