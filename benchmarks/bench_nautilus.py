"""Head-to-head with NautilusTrader on two streams, back to back in one invocation.

The streams (``benchmarks/peers/l2_stream.py``): 1,000,000 L2 book deltas (20 levels a side)
of the simulator's BTC/USDT with its trades, fixed seed, exported to a file before anything
is timed; ``--quick`` uses 100,000 deltas. The snapshot stream makes each sim snapshot one
update (~51 deltas); the delta stream is the simulator's own diff-depth feed
(``sim.book_updates = "deltas"``: at most 4 levels per update, as Binance's ``@depth``), our
books carrying the levels each update changed. On each stream:

1. NautilusTrader's BacktestEngine with the minimal strategy (EMA of the mid, a market
   order every 1,000 events), in its own virtualenv (``/work/venv-bench``, or
   ``$HFT_TUI_BENCH_PYTHON``) as a subprocess: ``benchmarks/peers/nautilus_bench.py``.
2. Our core on the same stream with the same minimal strategy alone
   (``benchmarks/peers/ema_probe.py``), as a backtest runs it (WAL appended per record,
   made durable in groups, no per-order fsync: NautilusTrader's backtest journals nothing).
3. Our core on the same stream with the default strategy set.

Our engine takes an update as one book (the deltas applied), NautilusTrader as its deltas.
Two ratios per run, both NautilusTrader's over ours: ``*_vs_nautilus`` is per unit of
market data (the wall times for the whole stream); ``*_per_event_vs_nautilus`` is per own
event (our books+trades per second over its deltas+trades per second). ``*_cpu_vs_nautilus``
is the first on each process's CPU time, which other work on a shared box skews less.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.arguments import quick_option
from benchmarks.peers.ema_probe import EmaProbe, EmaProbeParams
from benchmarks.peers.l2_stream import SYMBOL, BookUpdates, export_stream, load_events
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
# The stream's name in the figures and the simulator's book mode that makes it.
STREAMS: tuple[tuple[str, BookUpdates], ...] = (("snapshot", "snapshots"), ("delta", "deltas"))


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
        core.strategies.add(EmaProbe(EmaProbeParams(every=probe_every)))
    core.process(FeedStatus(SYMBOL, events[0].ts_ns, FeedState.LIVE, "bench"))
    advance, process = clock.advance_to, core.process
    started, started_cpu = time.perf_counter(), time.process_time()
    for count, event in enumerate(events, 1):
        advance(event.ts_ns)
        process(event)
        if core.has_pending_orders:
            core.release_orders()
        if count % WAL_SYNC_EVERY == 0:
            wal.sync()
    wal.sync()
    wall_s = time.perf_counter() - started
    cpu_s = time.process_time() - started_cpu
    wal.close_sync()
    return {"wall_s": wall_s, "cpu_s": cpu_s, "signals": core.strategies.signals, "orders": core.counters.orders,
            "rejected": core.sanitizer.rejected,
            "fills": core.counters.fills}


def _rules():
    settings = load_settings(None, {"engine": {"symbols": [SYMBOL]}})
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, DEFAULT_SIM_START_NS)
    return market.rules(SYMBOL)


def run(quick: bool = False) -> dict[str, float]:
    """Wall times and ratios of NautilusTrader vs our core on the snapshot stream and on the
    simulator's diff-depth stream."""
    n_deltas = 100_000 if quick else 1_000_000
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-nautilus-") as tmp:
        for stream, book_updates in STREAMS:
            figures.update(_head_to_head(Path(tmp), stream, book_updates, n_deltas))
    for stream, _ in STREAMS:
        if f"{stream}_nautilus_wall_s" not in figures:
            continue
        print(f"{stream} stream ({figures[f'{stream}_deltas_per_update']:.1f} deltas per update): NautilusTrader "
              f"{figures[f'{stream}_nautilus_wall_s']:.2f} s; ours minimal {figures[f'{stream}_ours_minimal_wall_s']:.2f} s "
              f"({figures[f'{stream}_ours_minimal_vs_nautilus']:.2f}x the market data, "
              f"{figures[f'{stream}_ours_minimal_per_event_vs_nautilus']:.2f}x per own event), default set "
              f"{figures[f'{stream}_ours_default_wall_s']:.2f} s ({figures[f'{stream}_ours_default_vs_nautilus']:.2f}x, "
              f"{figures[f'{stream}_ours_default_per_event_vs_nautilus']:.2f}x); on CPU time minimal "
              f"{figures[f'{stream}_ours_minimal_cpu_vs_nautilus']:.2f}x, default "
              f"{figures[f'{stream}_ours_default_cpu_vs_nautilus']:.2f}x", file=sys.stderr)
    return figures


def _head_to_head(root: Path, stream: str, book_updates: BookUpdates, n_deltas: int) -> dict[str, float]:
    """Both engines on one stream; figures prefixed with the stream's name."""
    path = root / f"{stream}.npz"
    counts = export_stream(path, n_deltas, book_updates=book_updates)
    stream_events = counts["deltas"] + counts["trades"]
    events = load_events(path)
    figures = {f"{stream}_deltas": float(counts["deltas"]), f"{stream}_trades": float(counts["trades"]),
               f"{stream}_book_updates": float(counts["books"]),
               f"{stream}_deltas_per_update": counts["deltas"] / counts["books"]}
    peer: dict | None = None
    if PEER_PYTHON.exists():
        done = subprocess.run([str(PEER_PYTHON), str(PEER_SCRIPT), str(path), str(ORDER_EVERY_STREAM_EVENTS)],
                              capture_output=True, text=True, check=True)
        peer = json.loads(done.stdout.strip().splitlines()[-1])
        figures[f"{stream}_nautilus_wall_s"] = peer["wall_s"]
        figures[f"{stream}_nautilus_cpu_s"] = peer["cpu_s"]
        figures[f"{stream}_nautilus_stream_events_per_s"] = stream_events / peer["wall_s"]
        figures[f"{stream}_nautilus_orders"] = float(peer["orders_sent"])
    else:
        print(f"NautilusTrader not found at {PEER_PYTHON}: install it with "
              f"`python3 -m venv /work/venv-bench && /work/venv-bench/bin/pip install '.[bench]'`",
              file=sys.stderr)
    # The same order cadence in our events: one signal per 1,000 stream events.
    probe_every = max(round(ORDER_EVERY_STREAM_EVENTS * len(events) / stream_events), 1)
    for label, every in (("ours_minimal", probe_every), ("ours_default", None)):
        result = _ours(events, root / f"wal-{stream}-{label}", probe_every=every)
        key = f"{stream}_{label}"
        figures[f"{key}_wall_s"] = result["wall_s"]
        figures[f"{key}_cpu_s"] = result["cpu_s"]
        figures[f"{key}_stream_events_per_s"] = stream_events / result["wall_s"]
        figures[f"{key}_events_per_s"] = len(events) / result["wall_s"]
        figures[f"{key}_orders"] = float(result["orders"])
        figures[f"{key}_rejected_events"] = float(result["rejected"])
        if peer is not None:
            # Per unit of market data: the wall times for the same stream. Per own event:
            # our books+trades per second over its deltas+trades per second.
            figures[f"{key}_vs_nautilus"] = peer["wall_s"] / result["wall_s"]
            # The same on CPU time: what a box shared with other work cannot skew as much.
            figures[f"{key}_cpu_vs_nautilus"] = peer["cpu_s"] / result["cpu_s"]
            figures[f"{key}_per_event_vs_nautilus"] = (len(events) / result["wall_s"]) / (stream_events / peer["wall_s"])
    return figures


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:40s} {value:16,.3f}")
