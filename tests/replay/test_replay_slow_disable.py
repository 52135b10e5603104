"""A session in which a slow strategy was disabled replays with zero divergences: the replay
times nothing, it re-applies the journaled DisableStrategy after the same event."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from hft_tui.cli.main import main
from hft_tui.clock import WallClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.input_recording import attach_input_recorder
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, install
from hft_tui.strategies.user_strategies import load_catalogue
from hft_tui.wal.reader import iter_records

SLEEPER = '''
import time
from typing import ClassVar

from hft_tui.model import Priority, Side, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams


class SleeperParams(StrategyParams):
    pass


class Sleeper(Strategy[SleeperParams]):
    """Really sleeps 30 ms on every 20th book."""

    name: ClassVar[str] = "sleeper"
    params_model: ClassVar[type[StrategyParams]] = SleeperParams

    def __init__(self, params=None):
        super().__init__(params)
        self.books = 0

    def on_book(self, book):
        self.books += 1
        if self.books % 20 == 0:
            time.sleep(0.03)
        return NO_SIGNALS


class Chatty(Strategy[SleeperParams]):
    """A weak signal on every 5th trade: decisions to replay before and after the disable."""

    name: ClassVar[str] = "chatty"
    params_model: ClassVar[type[StrategyParams]] = SleeperParams
    reason_codes: ClassVar[dict[str, str]] = {"TICK": "Every 5th trade."}

    def __init__(self, params=None):
        super().__init__(params)
        self.trades = 0

    def on_trade(self, trade):
        self.trades += 1
        if self.trades % 5:
            return NO_SIGNALS
        return (Signal(trade.symbol, Side.SELL, 0.01, Priority.LOW, (self.reason("TICK"),), self.name,
                       trade.ts_ns, trade.ts_ns + 1_000_000_000),)
'''
DEADLINE_S = 60.0


@pytest.fixture(autouse=True)
def built_ins_again() -> Iterator[None]:
    yield
    install(BUILT_IN_CATALOGUE)


@pytest.mark.slow
async def test_a_session_where_a_slow_hook_disabled_its_strategy_replays_with_zero_divergences(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    strategies = tmp_path / "strategies"
    strategies.mkdir()
    (strategies / "sleeper.py").write_text(SLEEPER)
    install(load_catalogue(strategies, use_entry_points=False))
    settings = load_settings(None, {"strategies.enabled": ["trend", "cvd", "sleeper", "chatty"],
                                    "strategies.max_hook_ms": 10, "strategies.slow_hook_limit": 3})
    state = tmp_path / "state"
    engine = build_sim_engine(settings, clock=WallClock(), wal_dir=state / "wal", paced=True)
    attach_input_recorder(engine, settings, state)
    await engine.start()
    loop = asyncio.get_running_loop()
    try:
        deadline = loop.time() + DEADLINE_S
        while engine.core.manager.disabled_reason("sleeper") is None:
            assert loop.time() < deadline, "the sleeper was never disabled"
            await asyncio.sleep(0.05)
        signalled = engine.core.strategies.signal_counts["chatty"]
        while engine.core.strategies.signal_counts["chatty"] < signalled + 5:  # the others decide on after it
            assert loop.time() < deadline + DEADLINE_S, "no signal after the disable"
            await asyncio.sleep(0.05)
    finally:
        await engine.stop("test over")
    assert engine.core.manager.disabled_reason("sleeper") == "STRATEGY_SLOW"
    records = list(iter_records(state / "wal"))
    (command,) = [r for r in records if r.type == "command" and r.payload["name"] == "sleeper"]
    assert command.payload["command"] == "DisableStrategy" and command.payload["reason"] == "STRATEGY_SLOW"
    assert sum(r.seq > command.seq and r.type == "signal" for r in records) >= 5, "decisions after the disable"

    code = main(["--strategies-dir", str(strategies), "--state-dir", str(state), "replay", "--verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 divergences" in out
