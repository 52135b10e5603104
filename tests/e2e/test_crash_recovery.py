"""kill -9 at random moments: a restart rebuilds exactly the state its durable WAL describes."""

from __future__ import annotations

import random
import signal
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from headless_process import start_headless

from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import PauseStrategy, SetStrategyParams
from hft_tui.wal.reader import iter_records

TRIALS = 4
UNPACED = ("--set", "sim.paced=false")


def open_engine(state_dir: Path) -> Engine:
    settings = load_settings(None, {"sim.paced": False})
    return build_sim_engine(settings, clock=SimulatedClock(time.time_ns()), wal_dir=state_dir / "wal",
                            paced=False)


def expected_from_wal(records: list[Any]) -> dict[str, Any]:
    """The state the journal describes, folded independently of the engine's recovery code."""
    qty: dict[str, float] = defaultdict(float)
    state, params, paused = "ACTIVE", defaultdict(dict), set()
    for r in records:
        p = r.payload
        if r.type == "fill":
            qty[p["symbol"]] += p["qty"] if p["side"] == "buy" else -p["qty"]
        elif r.type == "state":
            state = p["to"]
        elif r.type == "param":
            params[p["strategy"]].update(p["new"])
        elif r.type == "pause":
            (paused.add if p["action"] == "pause" else paused.discard)(p["strategy"])
    return {"qty": {s: round(q, 9) for s, q in qty.items() if abs(q) > 1e-9}, "state": state,
            "params": dict(params), "paused": paused}


def restored(engine: Engine) -> dict[str, Any]:
    core = engine.core
    params = {}
    for name, values in expected_params.items():
        params[name] = {k: getattr(core.strategies[name].params, k) for k in values}
    return {
        "qty": {s: round(p.qty, 9) for s, p in core.portfolio.positions().items()},
        "state": core.state.state.value,
        "params": params,
        "paused": {n for n in core.strategies if core.manager.status(n).value == "paused"},
    }


expected_params: dict[str, dict[str, Any]] = {}


@pytest.mark.slow
def test_restart_after_sigkill_restores_the_state_of_the_durable_wal(tmp_path: Path) -> None:
    rng = random.Random(20261121)
    setup = open_engine(tmp_path)
    setup.begin_session()
    setup.apply(SetStrategyParams("spike_fader", {"threshold_pct": 0.9}))
    setup.apply(PauseStrategy("book_imbalance"))
    setup.wal.close_sync()
    expected_params.update({"spike_fader": {"threshold_pct": 0.9}})

    for _ in range(TRIALS):
        process = start_headless(tmp_path, *UNPACED)
        time.sleep(rng.uniform(0.2, 2.0))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)

        engine = open_engine(tmp_path)  # opening recovers (and trims a torn tail)
        durable = list(iter_records(tmp_path / "wal"))
        engine.begin_session()
        try:
            want = expected_from_wal(durable)
            got = restored(engine)
            assert got["qty"] == want["qty"]
            assert got["state"] == want["state"]
            assert got["params"] == want["params"]
            assert got["paused"] == want["paused"]
        finally:
            engine.wal.close_sync()
    records = list(iter_records(tmp_path / "wal"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert sum(r.type == "session_start" for r in records) == 1 + 2 * TRIALS
