"""Head-to-head with NautilusTrader on one stream, back to back in one invocation.

The stream: 1,000,000 L2 book deltas (20 levels a side) of the simulator's BTC/USDT with
its trades, fixed seed, exported to a file before anything is timed
(``benchmarks/peers/l2_stream.py``); ``--quick`` uses 100,000 deltas.

1. NautilusTrader's BacktestEngine with the minimal strategy (EMA of the mid, a market
   order every 1,000 events), in its own virtualenv (``/work/venv-bench``, or
   ``$HFT_TUI_BENCH_PYTHON``) as a subprocess: ``benchmarks/peers/nautilus_bench.py``.
2. Our core on the same stream with the same minimal strategy alone
   (``benchmarks/peers/ema_probe.py``), as a backtest runs it (WAL appended per record,
   made durable in groups, no per-order fsync: NautilusTrader's backtest journals nothing).
3. Our core on the same stream with the default strategy set.

Our engine takes a book update as one snapshot, NautilusTrader as the deltas that make
it, so the fair comparison is the wall time for the whole stream: ``*_stream_events_per_s``
is (deltas + trades) / wall seconds for both; ``*_events_per_s`` counts each engine's own
events. The ratios are NautilusTrader's wall time over ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.peers.ema_probe import EmaProbe, EmaProbeParams
from benchmarks.peers.l2_stream import SYMBOL, export_stream, load_events
from hft_tui.clock import SimulatedClock
from hft_tui.config.loader import load_settings
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS, SIM_EXCHANGE_ID, build_sim_market
from hft_tui.model import FeedState, FeedStatus
from hft_tui.trading.core import TradingCore
from hft_tui.wal.writer import WalWriter

PEER_PYTHON = Path(os.environ.get("HFT_TUI_BENCH_PYTHON", "/work/venv-bench/bin/python"))
PEER_SCRIPT = Path(__file__).resolve().parent / "peers" / "nautilus_bench.py"
ORDER_EVERY_STREAM_EVENTS = 1000
WAL_SYNC_EVERY = 200_000


def _ours(events: list, wal_dir: Path, *, probe_every: int | None) -> dict[str, float]:
    """Wall seconds of our core over ``events``; the probe alone when ``probe_every`` is set."""
    overrides: dict = {"engine": {"symbols": [SYMBOL]}}
    if probe_every is not None:
        # Alone, and allowed to lose: a probe paying the spread on every round trip would
        # otherwise (rightly) be held reduce-only by the streak budget and auto-disabled by
        # its score, and the head-to-head would stop placing orders.
        overrides["strategies"] = {"enabled": []}
        overrides["risk"] = {"max_consecutive_losses": 1000}
        overrides["signals"] = {"auto_disable": {"enabled": False}}
    settings = load_settings(None, overrides)
    clock = SimulatedClock(events[0].ts_ns)
    wal = WalWriter(wal_dir, clock, fsync_interval_ms=settings.wal.fsync_interval_ms, tail_size=10)
    rules = {SYMBOL: _rules()}
    core = TradingCore(settings, clock=clock, wal=wal, rules=rules, exchange_id=SIM_EXCHANGE_ID)
    if probe_every is not None:
        core.add_strategy(EmaProbe(EmaProbeParams(every=probe_every)))
    core.process(FeedStatus(SYMBOL, events[0].ts_ns, FeedState.LIVE, "bench"))
    advance, process = clock.advance_to, core.process
    started = time.perf_counter()
    for count, event in enumerate(events, 1):
        advance(event.ts_ns)
        process(event)
        if core.has_pending_orders:
            core.release_orders()
        if count % WAL_SYNC_EVERY == 0:
            wal.sync()
    wal.sync()
    wall_s = time.perf_counter() - started
    wal.close_sync()
    return {"wall_s": wall_s, "signals": core.counters.signals, "orders": core.counters.orders,
            "fills": core.counters.fills}


def _rules():
    market = build_sim_market(load_settings(None, {"engine": {"symbols": [SYMBOL]}}), DEFAULT_SIM_START_NS)
    return market.rules(SYMBOL)


def run(quick: bool = False) -> dict[str, float]:
    """Wall times and ratios of NautilusTrader vs our core on the same stream."""
    n_deltas = 100_000 if quick else 1_000_000
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-nautilus-") as tmp:
        root = Path(tmp)
        stream = root / "stream.npz"
        counts = export_stream(stream, n_deltas)
        stream_events = counts["deltas"] + counts["trades"]
        events = load_events(stream)
        figures["stream_deltas"] = float(counts["deltas"])
        figures["stream_trades"] = float(counts["trades"])
        figures["stream_book_snapshots"] = float(counts["books"])

        peer: dict | None = None
        if PEER_PYTHON.exists():
            done = subprocess.run([str(PEER_PYTHON), str(PEER_SCRIPT), str(stream), str(ORDER_EVERY_STREAM_EVENTS)],
                                  capture_output=True, text=True, check=True)
            peer = json.loads(done.stdout.strip().splitlines()[-1])
            figures["nautilus_wall_s"] = peer["wall_s"]
            figures["nautilus_stream_events_per_s"] = stream_events / peer["wall_s"]
            figures["nautilus_orders"] = float(peer["orders_sent"])
        else:
            print(f"NautilusTrader not found at {PEER_PYTHON}: install it with "
                  f"`python3 -m venv /work/venv-bench && /work/venv-bench/bin/pip install '.[bench]'`",
                  file=sys.stderr)

        # The same order cadence in our events: one signal per 1,000 stream events.
        probe_every = max(round(ORDER_EVERY_STREAM_EVENTS * len(events) / stream_events), 1)
        for label, every in (("ours_minimal", probe_every), ("ours_default", None)):
            result = _ours(events, root / f"wal-{label}", probe_every=every)
            figures[f"{label}_wall_s"] = result["wall_s"]
            figures[f"{label}_stream_events_per_s"] = stream_events / result["wall_s"]
            figures[f"{label}_events_per_s"] = len(events) / result["wall_s"]
            figures[f"{label}_orders"] = float(result["orders"])
            if peer is not None:
                figures[f"{label}_vs_nautilus"] = peer["wall_s"] / result["wall_s"]
    if peer is not None:
        print(f"NautilusTrader {peer['nautilus_version']}: {figures['nautilus_wall_s']:.2f} s; "
              f"ours minimal {figures['ours_minimal_wall_s']:.2f} s "
              f"({figures['ours_minimal_vs_nautilus']:.2f}x), default set {figures['ours_default_wall_s']:.2f} s "
              f"({figures['ours_default_vs_nautilus']:.2f}x)", file=sys.stderr)
    return figures


if __name__ == "__main__":
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key:40s} {value:16,.3f}")
