"""A strategy disabled before a restart starts disabled: not fed, its signals refused, until the
operator enables it, whether the journal ends in a clean stop's snapshot or after a ``kill -9``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from sim_driver import START_NS, drive_seconds

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.model import OrderBook, Signal
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.signals.status import StrategyStatus
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, BUILT_IN_CATALOGUE, StrategyCatalogue
from hft_tui.strategies.settings import catalogue_context
from hft_tui.trading import operator


class _Params(StrategyParams):
    pass


class RaisesOnTenthBook(Strategy[_Params]):
    """Counts the books it is fed; the tenth of a process's life raises (and so disables it)."""

    name: ClassVar[str] = "raiser"
    params_model: ClassVar[type[StrategyParams]] = _Params

    def __init__(self, params: _Params | None = None) -> None:
        super().__init__(params)
        self.books = 0

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        self.books += 1
        if self.books == 10:
            raise RuntimeError("book 10")
        return NO_SIGNALS


def start(wal_dir: Path) -> Engine:
    catalogue = StrategyCatalogue.of((*BUILT_IN, RaisesOnTenthBook))
    settings = load_settings(None, {"strategies.enabled": [*BUILT_IN_CATALOGUE.names, "raiser"]},
                             context=catalogue_context(catalogue))
    engine = build_sim_engine(settings, clock=FrozenClock(START_NS), wal_dir=wal_dir, paced=False)
    engine.begin_session()
    return engine


def raiser(engine: Engine) -> RaisesOnTenthBook:
    strategy = engine.core.strategies["raiser"]
    assert isinstance(strategy, RaisesOnTenthBook)
    return strategy


@pytest.mark.parametrize("stop", ["clean", "kill_9"])
def test_a_disabled_strategy_is_not_fed_after_a_restart_until_enabled(tmp_path: Path, stop: str) -> None:
    first = start(tmp_path / "wal")
    drive_seconds(first, 30)
    assert raiser(first).books == 10
    assert first.core.manager.status("raiser") is StrategyStatus.DISABLED
    if stop == "clean":
        first.write_state_snapshot()
    first.wal.close_sync()

    second = start(tmp_path / "wal")
    drive_seconds(second, 30)

    assert raiser(second).books == 0, "a disabled strategy is not fed after a restart"
    assert "raiser" in second.core.strategies.failed
    assert second.core.manager.status("raiser") is StrategyStatus.DISABLED
    assert second.core.manager.disabled_reason("raiser") == "STRATEGY_ERROR: RuntimeError: book 10"
    recovery = [n.text for n in second.core.notices.notices if n.source == "recovery"]
    assert len(recovery) == 1 and "raiser disabled (STRATEGY_ERROR: RuntimeError: book 10)" in recovery[0], \
        "the operator is told at start, not only by the strategies pane"
    assert operator.enable(second.core, "raiser").ok
    drive_seconds(second, 5)
    assert raiser(second).books > 0, "enabled, it is fed again"
    second.wal.close_sync()
