"""The pipeline reads what strategies declare (needs, gates, book marks), never their names."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, NamedTuple

import pytest
from sim_driver import START_NS, drive_seconds
from wal_records import wal_records

from hft_tui.clock import FrozenClock
from hft_tui.config.errors import ConfigError
from hft_tui.config.loader import load_settings
from hft_tui.model import ReasonCode, Side, Signal
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.strategies.base import Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, StrategyCatalogue
from hft_tui.strategies.offers import Gate, GateResult, Offers
from hft_tui.strategies.settings import catalogue_context


class VetoParams(StrategyParams):
    pass


class Veto(Strategy[VetoParams]):
    """Signals nothing; its gate, ranked before every built-in one, blocks every entry."""

    name: ClassVar[str] = "veto"
    params_model: ClassVar[type[StrategyParams]] = VetoParams

    def offers(self) -> Offers:
        return Offers(gates=(Gate(self._block, rank=0),))

    def _block(self, signal: Signal) -> GateResult:
        return 0.0, ReasonCode.SPREAD_TOO_WIDE


class Mark(NamedTuple):
    side: Side
    price: float
    qty: float
    notional: float


class Marker(Strategy[VetoParams]):
    """Marks one level per symbol on the order book, and needs the trend filter."""

    name: ClassVar[str] = "marker"
    params_model: ClassVar[type[StrategyParams]] = VetoParams
    needs: ClassVar[tuple[str, ...]] = ("trend",)

    def offers(self) -> Offers:
        return Offers(book_marks=self._marks)

    def _marks(self, symbol: str) -> Sequence[Mark]:
        return (Mark(Side.BUY, 1.0, 2.0, 2.0),)


CATALOGUE = StrategyCatalogue.of((*BUILT_IN, Veto, Marker))


def engine_with(tmp_path: Path, enabled: list[str]) -> Engine:
    settings = load_settings(None, {"strategies.enabled": enabled}, context=catalogue_context(CATALOGUE))
    engine = build_sim_engine(settings, clock=FrozenClock(START_NS), wal_dir=tmp_path / "wal", paced=False)
    engine.begin_session()
    return engine


def signal_verdicts(tmp_path: Path, engine: Engine) -> list[dict]:
    engine.wal.sync()
    return [r for r in wal_records(tmp_path / "wal") if r["type"] == "signal"]


def test_a_declared_gate_is_installed_ahead_of_the_built_in_gates_by_its_rank(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, ["trend", "cvd", "spike_fader", "book_imbalance", "vpin", "veto"])
    drive_seconds(engine, 600)
    verdicts = signal_verdicts(tmp_path, engine)
    assert verdicts, "the built-ins signalled"
    assert not any(r["accepted"] for r in verdicts)
    # Every signal that reached the gates was blocked by the veto first, not by trend or VPIN.
    assert {r["reasons"][0] for r in verdicts} == {"LOW_CONFIDENCE", "SPREAD_TOO_WIDE"}


def test_without_the_declared_gate_the_same_signals_are_accepted(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, ["trend", "cvd", "spike_fader", "book_imbalance", "vpin"])
    drive_seconds(engine, 600)
    assert any(r["accepted"] for r in signal_verdicts(tmp_path, engine))


def test_declared_book_marks_reach_the_snapshot(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, ["trend", "marker"])
    drive_seconds(engine, 5)
    views = engine.publish_snapshot().views
    assert all(view.whales == (("buy", 1.0, 2.0, 2.0),) for view in views.values())


@pytest.mark.parametrize(("enabled", "problem"), [
    (["cvd", "liq_hunter"], "liq_hunter needs trend enabled too"),
    (["marker"], "marker needs trend enabled too"),
    (["trend", "sentiment"], "unknown strategy sentiment; known: trend, cvd, liq_hunter, spike_fader, "
                             "book_imbalance, vpin, veto, marker"),
])
def test_a_missing_dependency_or_strategy_is_a_config_error_not_an_omission(
    enabled: list[str], problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"strategies.enabled": enabled}, context=catalogue_context(CATALOGUE))
    (line,) = [str(p) for p in caught.value.problems]
    assert line.endswith(problem)
