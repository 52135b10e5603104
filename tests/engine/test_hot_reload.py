"""--reload in a running engine: a user strategy's file saved is its code from the next event on.

A real engine on the paced simulator and the wall clock, a strategy file in a temporary
directory edited as a user would; every wait is on a condition with a generous deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from wal_records import wal_records

from hft_tui.cli.main import main
from hft_tui.clock import WallClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.session.input_recording import attach_input_recorder
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, install
from hft_tui.strategies.user_strategies import load_catalogue

PROBE = '''
from typing import ClassVar

from pydantic import Field

from hft_tui.model import Priority, Side, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams


class ProbeParams(StrategyParams):
    every: int = Field({every_default}, ge=1, le={every_max}, description="Signal on every this many trades.")
    depth: int = Field(10, ge=1, le=100, description="Anything tuned that the new code keeps.")


class Probe(Strategy[ProbeParams]):
    name: ClassVar[str] = "probe"
    params_model: ClassVar[type[StrategyParams]] = ProbeParams
    reason_codes: ClassVar[dict[str, str]] = {{"{code}": "The probe's code version."}}
    VERSION = {version}

    def __init__(self, params=None):
        super().__init__(params)
        self.trades = 0

    def on_trade(self, trade):
        self.trades += 1
        if self.trades % self.params.every:
            return NO_SIGNALS
        # Too weak to trade: refused LOW_CONFIDENCE, journaled with its reason all the same.
        return (Signal(trade.symbol, Side.BUY, 0.01, Priority.LOW, (self.reason("{code}"),), self.name,
                       trade.ts_ns, trade.ts_ns + 1_000_000_000),)
'''
V1 = PROBE.format(every_default=50, every_max=1000, code="V1", version=1)
# The new code: `every` may no longer be 7 (back to its default), `depth` keeps its tuned 20.
V2 = PROBE.format(every_default=3, every_max=5, code="V2", version=2)
BROKEN = V2.replace("def on_trade(self, trade):", "def on_trade(self, trade)")
DEADLINE_S = 60.0


@pytest.fixture(autouse=True)
def built_ins_again() -> Iterator[None]:
    yield
    install(BUILT_IN_CATALOGUE)


async def until(condition: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Wait until ``await condition()`` is truthy (polling the running engine); fail by name past the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not (value := await condition()):
        assert loop.time() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.05)
    return value


def probe_signals(records: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(r["seq"], code) for r in records if r["type"] == "signal"
            for code in r["signal_reasons"] if code.startswith("probe.")]


async def journal(engine: Engine) -> list[dict[str, Any]]:
    await engine.wal.flush()
    return wal_records(engine.wal.directory)


async def probe_version(engine: Engine) -> int:
    return getattr(engine.core.strategies["probe"], "VERSION", 0)


async def _signals_after(engine: Engine, seq: int) -> list[tuple[int, str]]:
    return [s for s in probe_signals(await journal(engine)) if s[0] > seq]


async def _is(value: Awaitable[Any], expected: Any) -> bool:
    return await value == expected


async def _failures(engine: Engine) -> list[Any]:
    return [n for n in engine.core.notices.notices if "reload of probe failed" in n.text]


@pytest.mark.slow
async def test_a_saved_strategy_file_runs_from_the_next_event_and_a_broken_one_leaves_the_old_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    strategies = tmp_path / "strategies"
    strategies.mkdir()
    probe_file = strategies / "probe.py"
    probe_file.write_text(V1)
    install(load_catalogue(strategies, use_entry_points=False))
    settings = load_settings(None, {"strategies.enabled": ["trend", "cvd", "probe"], "strategies.reload": True,
                                    "strategies.probe": {"every": 7, "depth": 20}})
    state = tmp_path / "state"
    engine = build_sim_engine(settings, clock=WallClock(), wal_dir=state / "wal", paced=True)
    attach_input_recorder(engine, settings, state)
    await engine.start()
    try:
        await until(lambda: _signals_after(engine, 0), "the first code signals")

        probe_file.write_text(V2)
        await until(lambda: _is(probe_version(engine), 2), "the reload")
        records = await journal(engine)
        (reload,) = [r for r in records if r["type"] == "strategy_reload"]
        assert reload["strategy"] == "probe" and reload["path"] == str(probe_file)
        assert reload["sha256"] == hashlib.sha256(V2.encode()).hexdigest() and reload["source"] == V2
        assert reload["params"] == {"every": 3, "depth": 20} and reload["dropped"] == ["every"]
        assert reload["warmup_events"] > 0, "warmed up on the trades the engine kept"
        assert engine.core.strategies["probe"].trades >= reload["warmup_events"]
        assert any("probe reloaded" in n.text and "reset to the new defaults: every" in n.text
                   for n in engine.core.notices.notices)
        await until(lambda: _signals_after(engine, reload["seq"]), "the new code signals")
        signals = probe_signals(await journal(engine))
        assert {code for seq, code in signals if seq < reload["seq"]} == {"probe.V1"}
        assert {code for seq, code in signals if seq > reload["seq"]} == {"probe.V2"}, "the next event on"

        probe_file.write_text(BROKEN)
        note = await until(lambda: _failures(engine), "the notice of the broken file")
        assert "its old code runs on" in note[0].text and "syntax error" in note[0].text
        assert engine.core.strategies["probe"].VERSION == 2
        failed_at = (await journal(engine))[-1]["seq"]
        await until(lambda: _signals_after(engine, failed_at), "the old code signalling on")
        records = await journal(engine)
        assert {code for _, code in probe_signals(records)[len(signals):]} == {"probe.V2"}
        assert [r["type"] for r in records].count("strategy_reload") == 1
    finally:
        await engine.stop("test over")

    # The session started on V1 and reloaded V2: the replay runs both from the journal, whatever
    # the file holds now.
    probe_file.write_text(V2)
    code = main(["--strategies-dir", str(strategies), "--state-dir", str(state), "replay", "--verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 divergences" in out and "warning" not in out
