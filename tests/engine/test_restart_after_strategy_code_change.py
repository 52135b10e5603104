"""A tuning journaled by an earlier session that the strategy's code no longer accepts (the user
edited it between the sessions) does not stop the restart: what still validates is restored, and a
strategy whose code raises on it starts disabled, named with the error, while the others trade."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field
from sim_driver import START_NS, drive_seconds

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.risk.trading_state import TradingState
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


def strategy(params: type[StrategyParams], **hooks: Any) -> type[Strategy[Any]]:
    return type("Edited", (Strategy,), {"name": "edited", "params_model": params, **hooks})


def refuses_a_deep_book(self: Strategy[Any]) -> None:
    if self.params.depth > 10:  # type: ignore[attr-defined]
        raise ValueError(f"depth {self.params.depth} is more than my buffer holds")  # type: ignore[attr-defined]


def session(state: Path, params: type[StrategyParams], **hooks: Any) -> Engine:
    catalogue = StrategyCatalogue.of((*BUILT_IN, strategy(params, **hooks)))
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


def test_a_strategy_whose_code_raises_on_its_restored_tuning_starts_disabled_and_the_session_starts(
        tmp_path: Path) -> None:
    first = session(tmp_path, OldParams)
    drive_seconds(first, 5)
    assert operator.set_params(first.core, "edited", {"depth": 20}).ok
    first.wal.close_sync()

    second = session(tmp_path, OldParams, on_params_changed=refuses_a_deep_book)  # must not raise
    core = second.core
    error = "ValueError: depth 20 is more than my buffer holds"
    assert core.manager.disabled_reason("edited") == f"STRATEGY_ERROR: {error}"
    assert any(n.text == f"strategy edited disabled: STRATEGY_ERROR: {error}" for n in core.notices.notices)
    assert any("edited parameters {'depth': 20} (its code raised on them: disabled)" in n.text
               for n in core.notices.notices)
    assert core.state.state is TradingState.ACTIVE
    second.publish_snapshot()
    status = {view.name: view.status for view in second.snapshot.strategies}
    assert status == {"trend": "running", "edited": "disabled"}
    drive_seconds(second, 5)  # the session runs on
    assert operator.set_params(core, "edited", {"depth": 10}).ok, "the operator's way back"
    assert operator.enable(core, "edited").ok
    second.wal.close_sync()
