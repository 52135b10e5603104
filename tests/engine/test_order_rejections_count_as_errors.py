"""Orders the broker refuses spend the DRB guard's error budget; feed faults never do."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from sim_driver import drive_seconds, make_engine

from hft_tui.session.engine import Engine
from hft_tui.trading.commands import PlaceOrder


def _errors_used(engine: Engine) -> float:
    drb = engine.core.risk.last
    assert drb is not None
    return next(b.used for b in drb.budgets if b.name == "errors")


def _off_grid_limit(engine: Engine) -> PlaceOrder:
    # The exchange (the paper broker) has coarsened BTC/USDT's tick to 1.0 since the engine
    # loaded its rules: a limit on the engine's 0.1 grid passes the manual order's checks and
    # the risk gate, and is refused by the exchange.
    broker_rules = engine.core.broker._rules  # type: ignore[attr-defined]  # noqa: SLF001
    broker_rules["BTC/USDT"] = replace(broker_rules["BTC/USDT"], tick_size=1.0)
    book = engine.core.books["BTC/USDT"]
    assert book is not None and book.mid is not None
    return PlaceOrder("BTC/USDT", "buy", 0.01, price=math.floor(book.mid * 0.99) + 0.5)


def test_each_refused_order_counts_once_against_the_error_budget(engine: Engine) -> None:
    drive_seconds(engine, 2)
    before = _errors_used(engine)
    for _ in range(3):
        assert engine.apply(_off_grid_limit(engine)).ok
        engine.core.release_orders()
    assert _errors_used(engine) == before + 3


def test_a_burst_of_refused_orders_takes_the_engine_to_reducing_not_halted(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, {"risk": {"max_errors": 3}})
    engine.begin_session()
    drive_seconds(engine, 2)
    for _ in range(4):
        engine.apply(_off_grid_limit(engine))
        engine.core.release_orders()
    drive_seconds(engine, 1)
    assert engine.core.state.state.value == "REDUCING"
