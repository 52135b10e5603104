"""The UI tests' deterministic session: seeded sim driven by hand on a frozen clock.

The app never runs the engine here (``EngineLink(threaded=False)``): a test moves the market
with ``play`` and decides itself when the commands the app sent take effect (``apply_sent``).
Rates in the engine's metrics are computed on the simulated clock, so every figure on
screen is a function of the seed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hft_tui.bus import Metrics, MetricsSnapshot
from hft_tui.clock import FrozenClock
from hft_tui.config.settings import Settings
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import CommandResult, PlaceOrder
from hft_tui.tui.app import HftApp

# 2026-01-01T00:00:00Z: every timestamp on screen derives from it.
FROZEN_START_NS = 1_767_225_600_000_000_000
# 60 steps of 60 events: about 70 s of simulated market, long enough for signals, a
# position and a dozen 5 s candles.
SESSION_STEPS = 60
EVENTS_PER_STEP = 60
# The one gauge measured on the wall clock (a real fsync); pinned so screens are reproducible.
PINNED_WAL_FSYNC_MS = 0.5


class SimulatedTimeMetrics:
    """The engine's metrics as a reproducible screen shows them: rates over the simulated clock
    (same seed, same figures), the fsync gauge pinned. The compiled ``Metrics`` takes no patched
    method, so the engine reads its snapshots through this instead."""

    def __init__(self, metrics: Metrics, clock: FrozenClock) -> None:
        self._metrics = metrics
        self._clock = clock

    def snapshot(self, now: float | None = None) -> MetricsSnapshot:
        return replace(self._metrics.snapshot(now=self._clock.now_ns() / 1e9), wal_fsync_ms=PINNED_WAL_FSYNC_MS)

    def __getattr__(self, name: str) -> object:
        return getattr(self._metrics, name)


def make_engine(state_dir: Path, clock: FrozenClock) -> Engine:
    engine = build_sim_engine(Settings(), clock=clock, wal_dir=state_dir / "wal", paced=False)
    engine.metrics = SimulatedTimeMetrics(engine.metrics, clock)  # type: ignore[assignment]
    return engine


def drive(engine: Engine, events: int) -> None:
    """Feed ``events`` simulator events through the engine, moving the frozen clock with them."""
    market = engine.source.market  # type: ignore[attr-defined]
    clock = engine.clock
    for _ in range(events):
        event = market.next_event()
        clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        engine.process(event)


# Near the end of the session the operator buys some ETH by hand, so every screen has an
# open position whatever the strategies did.
OPERATOR_BUY = PlaceOrder("ETH/USDT", "buy", 2.0)
OPERATOR_BUY_STEP = SESSION_STEPS - 5


def play(app: HftApp, steps: int = SESSION_STEPS, events_per_step: int = EVENTS_PER_STEP) -> None:
    """Move the market ``steps`` times; the app takes a snapshot after each (as its timers would)."""
    engine = app.link.engine
    for step in range(steps):
        if step == OPERATOR_BUY_STEP:
            engine.apply(OPERATOR_BUY)
            engine.wal.sync()
            engine.core.release_orders()
        drive(engine, events_per_step)
        engine.publish_snapshot()
        app.refresh_fast()
        app.refresh_slow()


def apply_sent(app: HftApp) -> list[CommandResult]:
    """Let the engine carry out every command the app has sent so far, answer whoever waits
    for a result (as the engine's thread would), then publish."""
    engine = app.link.engine
    results = [engine.apply(command) for command in app.link.commands_sent]
    answers = dict(zip(map(id, app.link.commands_sent), results, strict=True))
    app.link.commands_sent.clear()
    awaiting, app.link.awaiting = app.link.awaiting, []
    for command, on_done in awaiting:
        on_done(answers[id(command)])
    engine.publish_snapshot()
    app.refresh_fast()
    app.refresh_slow()
    return results



async def mid_session(pilot) -> None:  # type: ignore[no-untyped-def]
    """``snap_compare`` hook: play the session into the app, then let it settle."""
    play(pilot.app)
    await pilot.pause()
