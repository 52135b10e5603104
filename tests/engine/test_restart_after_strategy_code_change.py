"""A tuning journaled by an earlier session that the strategy's code no longer accepts (the user
edited it between the sessions) does not stop the restart: what still validates is restored."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field
from sim_driver import START_NS, drive_seconds

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.strategies.base import Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, StrategyCatalogue
from hft_tui.strategies.settings import catalogue_context
from hft_tui.trading import operator


class OldParams(StrategyParams):
    every: int = Field(50, ge=1, le=1000, description="A bound the new code narrows.")
    depth: int = Field(10, ge=1, le=100, description="Kept as it was.")


class NewParams(OldParams):
    every: int = Field(3, ge=1, le=5, description="A bound the new code narrows.")


def strategy(params: type[StrategyParams]) -> type[Strategy[Any]]:
    return type("Edited", (Strategy,), {"name": "edited", "params_model": params})


def session(state: Path, params: type[StrategyParams]) -> Engine:
    catalogue = StrategyCatalogue.of((*BUILT_IN, strategy(params)))
    settings = load_settings(None, {"strategies.enabled": ["trend", "edited"]}, context=catalogue_context(catalogue))
    engine = build_sim_engine(settings, clock=FrozenClock(START_NS), wal_dir=state / "wal", paced=False)
    engine.begin_session()
    return engine


def test_a_journaled_tuning_the_edited_code_refuses_is_dropped_at_restart_the_rest_restored(
        tmp_path: Path) -> None:
    first = session(tmp_path, OldParams)
    drive_seconds(first, 5)
    assert operator.set_params(first.core, "edited", {"every": 700, "depth": 20}).ok
    first.wal.close_sync()

    second = session(tmp_path, NewParams)
    assert second.core.strategies["edited"].params == NewParams(every=3, depth=20)
    assert any("edited parameters" in n.text and "every no longer valid: default" in n.text
               for n in second.core.notices.notices)
    second.wal.close_sync()
