"""How many symbols one core carries live: the engine in paper mode through ccxt.pro.

The engine is built as ``hft-tui run`` builds it (paper mode, default strategy set, WAL and
input recording on) and runs on this process's loop; the exchange is the loopback Binance
of ``benchmarks/loopback_feed.py`` in a process of its own (so its CPU is not charged to the
engine), streaming every symbol's depth diffs at 10 Hz (a few levels each, Binance's
``@depth@100ms``) and about 3 trades/s. N steps up until the feed lag, from the exchange's
timestamp (``E`` of the diff, ``T`` of the trade) to the moment the engine takes the event,
passes 100 ms at the 99th percentile.

Per step: lag percentiles, books and diffs per second, the engine process's CPU (a share of
one core, and per symbol), the server's, and the machine's (two cores, shared with whatever
else runs: the load average is printed). Then one more run at the largest N carried, with
the engine sampled at every millisecond of its CPU time, says where that time goes: ccxt (websocket
client, JSON, its order book, the unified structures), aiohttp (frames, sockets), the asyncio
loop, and ours by package. A C or standard-library function's time is charged to the package
that called it, and each thread's time to its own frames (the input recorder's writer and the
WAL's fsync run on threads of their own). On the compiled build a compiled function has no
frame and a signal is handled only between Python bytecodes, so its time goes to the Python
frame that runs next (its caller, or a plain Python function it calls): our packages' shares
are blurred among themselves, ccxt's (never compiled, never called by our compiled code) is not.

``python -m benchmarks.bench_symbols_live [--quick] [--steps 1,10,20] [--window-s 10]``: each
step takes its window plus ~5-10 s (the engine built, every feed live, 3 s of warm-up), so
``--steps 1,50,100,150,200,250,300`` takes about 2 minutes, ``--quick`` under one. It prints the
build (compiled or pure Python), the load with every step, and how long it took.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks.arguments import benchmark_parser
from benchmarks.loopback_feed import symbols as feed_symbols
from hft_tui.compiled_build import build_line
from hft_tui.config.field_bounds import FieldBounds
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import EngineSettings, Settings
from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.model import FeedState, OrderBook, Trade
from hft_tui.session.assembly import build_engine
from hft_tui.session.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ccxt"))

from loopback_exchange import ccxt_urls  # noqa: E402

LOOPBACK_CONFIG = ROOT / "config" / "examples" / "loopback.toml"
STEPS = (1, 10, 20, 50, 80, 100, 130, 160, 200, 250, 300, 400)
QUICK_STEPS = (1, 10, 40)
LAG_LIMIT_MS = 100.0
WARMUP_S = 3.0
# Only a guard against a hang: every feed of a step is live long before this.
LIVE_GUARD_S = 120.0
TOP_FUNCTIONS = 15
# engine.symbols is capped at this many; past it the benchmark sets the list unchecked.
CONFIG_SYMBOLS_MAX = FieldBounds.of(EngineSettings.model_fields["symbols"]).max_length or 0


class LagTap:
    """Feed lag of every book and trade where the engine takes it (``Engine.feed``), and of
    every book where ccxt hands it to our source (wall clock minus exchange time): the
    difference is the time spent in our source's queue and waiting for the engine's loop."""

    def __init__(self, engine: Engine) -> None:
        self.book_ms: list[float] = []
        self.trade_ms: list[float] = []
        self.handed_ms: list[float] = []
        # The engine's input recorder takes over ``on_event`` at the first event, and a compiled
        # core takes no patch, so the tap sits on the engine's entry point for each event.
        self._feed = engine.feed
        engine.feed = self  # type: ignore[method-assign]
        source: Any = engine.source
        self._on_book = source._on_book
        source._on_book = self._handed

    async def __call__(self, event: MarketEvent) -> None:
        if isinstance(event, OrderBook):
            self.book_ms.append((time.time_ns() - event.ts_ns) / 1e6)
        elif isinstance(event, Trade):
            self.trade_ms.append((time.time_ns() - event.ts_ns) / 1e6)
        await self._feed(event)

    def _handed(self, symbol: str, raw: Any) -> None:
        stamp = raw.get("timestamp") if isinstance(raw, dict) else None
        if isinstance(stamp, int):
            self.handed_ms.append(time.time() * 1e3 - stamp)
        self._on_book(symbol, raw)

    def reset(self) -> None:
        self.book_ms.clear()
        self.trade_ms.clear()
        self.handed_ms.clear()


class FeedServer:
    """``benchmarks/loopback_feed.py`` as a child process."""

    def __init__(self, n: int) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.loopback_feed", "--symbols", str(n)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        first = self._process.stdout.readline().split()
        if first[:1] != ["port"]:
            self.close()
            raise RuntimeError(f"loopback feed did not start: {first}")
        self.port = int(first[1])

    def stats(self) -> dict[str, float]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("stats\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def paper_settings(n: int, port: int, state_dir: Path) -> Settings:
    """The loopback example config in paper mode on ``n`` symbols, pointed at ``port``."""
    names = feed_symbols(n)
    settings = load_settings(LOOPBACK_CONFIG, {
        "engine.mode": "paper",
        "engine.symbols": names[:CONFIG_SYMBOLS_MAX],
        "paths.state_dir": str(state_dir),
        "exchange.ccxt.urls": ccxt_urls(port),
    })
    if n > CONFIG_SYMBOLS_MAX:
        settings = settings.model_copy(update={"engine": settings.engine.model_copy(update={"symbols": names})})
    return settings


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _rejections(engine: Any) -> dict[str, int]:
    """The sanitizer's rejections so far, by reason code."""
    return {code.value: count for code, count in engine.core.sanitizer.counts.items()}


def _cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


async def _all_live(engine: Engine) -> None:
    deadline = time.monotonic() + LIVE_GUARD_S
    while not all(engine.core.feed_health.state(s) is FeedState.LIVE for s in engine.symbols):
        if time.monotonic() > deadline:
            raise RuntimeError("feeds never all went live")
        await asyncio.sleep(0.05)


async def measure(n: int, window_s: float, *, sampler: CpuSampler | None = None) -> dict[str, float]:
    """One step: ``n`` symbols streaming for ``window_s`` after the warm-up."""
    server = FeedServer(n)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-symbols-") as state:
            engine = await asyncio.to_thread(build_engine, paper_settings(n, server.port, Path(state)))
            tap = LagTap(engine)
            await engine.start()
            try:
                await _all_live(engine)
                await asyncio.sleep(WARMUP_S)
                tap.reset()
                rejected0, events0 = _rejections(engine), engine.core.counters.events
                orders0 = engine.core.counters.orders
                sent0 = await asyncio.to_thread(server.stats)
                busy0, cpu0, wall0 = _cpu_busy(), time.process_time(), time.perf_counter()
                if sampler is not None:
                    sampler.start()
                await asyncio.sleep(window_s)
                if sampler is not None:
                    await sampler.at_least(1.0)  # the window is longer then: figures are per wall second
                    sampler.stop()
                busy1, cpu1, wall1 = _cpu_busy(), time.process_time(), time.perf_counter()
                sent1 = await asyncio.to_thread(server.stats)
                rejected = {code: count - rejected0.get(code, 0) for code, count in _rejections(engine).items()
                            if count > rejected0.get(code, 0)}
                events = engine.core.counters.events - events0
                orders = engine.core.counters.orders - orders0
                fsync_ms, loop_lag_ms = engine.metrics.wal_fsync_ms, engine.metrics.loop_lag_ms
            finally:
                await engine.stop("benchmark step over")
    finally:
        server.close()
    wall_s = wall1 - wall0
    engine_cpu = (cpu1 - cpu0) / wall_s
    diffs_per_s = (sent1["depth_sent"] - sent0["depth_sent"]) / (sent1["wall_s"] - sent0["wall_s"])
    return {
        "symbols": float(n),
        "book_lag_p50_ms": percentile(tap.book_ms, 0.50),
        "book_lag_p90_ms": percentile(tap.book_ms, 0.90),
        "book_lag_p99_ms": percentile(tap.book_ms, 0.99),
        "book_lag_max_ms": max(tap.book_ms, default=float("nan")),
        "trade_lag_p99_ms": percentile(tap.trade_ms, 0.99),
        "ccxt_handed_lag_p50_ms": percentile(tap.handed_ms, 0.50),
        "ccxt_handed_lag_p99_ms": percentile(tap.handed_ms, 0.99),
        "diffs_sent_per_s": diffs_per_s,
        "books_taken_per_s": len(tap.book_ms) / wall_s,
        "trades_taken_per_s": len(tap.trade_ms) / wall_s,
        "events_per_s": events / wall_s,
        "orders_per_s": orders / wall_s,
        "last_wal_fsync_ms": fsync_ms,
        "last_loop_lag_ms": loop_lag_ms,
        "rejected_per_s": sum(rejected.values()) / wall_s,
        **{f"rejected_{code.lower()}_per_s": count / wall_s for code, count in rejected.items()},
        "engine_cpu_pct_of_core": 100.0 * engine_cpu,
        "engine_cpu_ms_per_symbol_s": 1000.0 * engine_cpu / n,
        "server_cpu_pct_of_core": 100.0 * (sent1["cpu_s"] - sent0["cpu_s"]) / (sent1["wall_s"] - sent0["wall_s"]),
        "server_behind_ms": 1000.0 * sent1["behind_s"],
        "machine_busy_pct_of_2_cores": 100.0 * (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1),
        "load_avg_1m": os.getloadavg()[0],
    }


# Who owns a sample: the innermost frame whose file is one of these; frames of the standard
# library, numpy and C functions are charged to the caller that reached them.
_OWNERS = (
    ("/selectors.py", "asyncio loop"),
    ("/ccxt/", "ccxt"),
    ("/aiohttp/", "aiohttp"),
    ("/yarl/", "aiohttp"),
    ("/multidict/", "aiohttp"),
    ("/asyncio/", "asyncio loop"),
    ("/hft_tui/market/", "ours: market (ccxt conversion, source, sanitizer)"),
    ("/hft_tui/strategies/", "ours: strategies"),
    ("/hft_tui/risk/", "ours: risk"),
    ("/hft_tui/signals/", "ours: signals"),
    ("/hft_tui/wal/", "ours: wal"),
    ("/hft_tui/session/", "ours: session (engine, snapshots, input recording)"),
    ("/hft_tui/data/", "ours: data (input recording's writer)"),
    ("/hft_tui/", "ours: core and the rest"),
)


def _thread_cpu_s(ident: int) -> float | None:
    """The CPU time a thread of this process has used, in seconds; None once it has ended."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except OSError:
        return None


def owner(frame: FrameType | None) -> tuple[str, str]:
    """The owner of the innermost frame of ``frame``'s stack that has one, and that frame's
    function (``package/file.py:function``)."""
    while frame is not None:
        code = frame.f_code
        for marker, name in _OWNERS:
            if marker in code.co_filename:
                rest = code.co_filename.rpartition(marker)[2]
                return name, f"{marker.strip('/')}{'/' + rest if rest else ''}:{code.co_name}"
        frame = frame.f_back
    return "other", "other"


class CpuSampler:
    """Charges the process's CPU time to the frames that spent it, at every millisecond of it
    (``ITIMER_PROF``, so waiting costs no samples). The signal always lands on the main
    thread, but the input recorder's writer and the WAL's fsync run on threads of their
    own: each sample reads every thread's CPU clock and charges what each spent since the
    last sample to that thread's own frame, in CPU-milliseconds. Unlike cProfile it does
    not slow what it measures by a factor that grows with the number of small calls."""

    def __init__(self, interval_s: float = 0.001) -> None:
        self.counts: dict[str, float] = defaultdict(float)
        self.functions: dict[str, float] = defaultdict(float)
        self._interval_s = interval_s
        self._previous: Any = None
        self._cpu_s: dict[int, float] = {}

    def start(self) -> None:
        self._cpu_s = {ident: cpu for ident, _ in sys._current_frames().items()
                       if (cpu := _thread_cpu_s(ident)) is not None}
        self._previous = signal.signal(signal.SIGPROF, self._on_sample)
        signal.setitimer(signal.ITIMER_PROF, self._interval_s, self._interval_s)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)
        signal.signal(signal.SIGPROF, self._previous)

    async def at_least(self, cpu_ms: float) -> None:
        """Until ``cpu_ms`` are charged. The kernel samples at its clock ticks only while the
        process is on a CPU, so a loaded box can give the engine no sample at all in a window
        of wall time."""
        while sum(self.counts.values()) < cpu_ms:
            await asyncio.sleep(0.05)

    def _on_sample(self, signum: int, frame: FrameType | None) -> None:
        frames: dict[int, FrameType | None] = dict(sys._current_frames())
        here = threading.get_ident()
        frames[here] = frame  # where the signal interrupted this thread, not this handler
        last = self._cpu_s
        now: dict[int, float] = {}
        for ident, thread_frame in frames.items():
            cpu = _thread_cpu_s(ident)
            if cpu is None:
                continue
            now[ident] = cpu
            spent_ms = 1000.0 * (cpu - last.get(ident, cpu))
            if spent_ms > 0.0:
                name, function = owner(thread_frame)
                self.counts[name] += spent_ms
                self.functions[function] += spent_ms
        now[here] = time.thread_time()  # this handler's own time is charged to nobody
        self._cpu_s = now

    def shares(self) -> dict[str, float]:
        """Percent of the CPU time sampled per owner, largest first."""
        total = sum(self.counts.values()) or 1
        return {name: 100.0 * n / total for name, n in sorted(self.counts.items(), key=lambda kv: -kv[1])}


def _row(step: dict[str, float]) -> str:
    return (f"{step['symbols']:5.0f} {step['book_lag_p50_ms']:7.1f} {step['book_lag_p99_ms']:7.1f} "
            f"{step['book_lag_max_ms']:8.1f} {step['trade_lag_p99_ms']:8.1f} {step['ccxt_handed_lag_p99_ms']:7.1f} "
            f"{step['last_loop_lag_ms']:7.1f} "
            f"{step['diffs_sent_per_s']:7.0f} {step['books_taken_per_s']:7.0f} "
            f"{step['engine_cpu_pct_of_core']:6.1f} {step['engine_cpu_ms_per_symbol_s']:7.2f} "
            f"{step['server_cpu_pct_of_core']:6.1f} {step['machine_busy_pct_of_2_cores']:6.1f} "
            f"{step['load_avg_1m']:5.2f} {step['rejected_per_s']:6.1f}")


HEADER = ("    N   p50ms   p99ms    maxms trdp99ms ccxtp99 looplag diffs/s books/s   eng% ms/sym/s   srv%   box%  load"
          "  rej/s")


async def scan(steps: tuple[int, ...], window_s: float, profile_window_s: float) -> dict[str, float]:
    figures: dict[str, float] = {}
    carried = 0
    print(HEADER, file=sys.stderr)
    for n in steps:
        step = await measure(n, window_s)
        print(_row(step), file=sys.stderr, flush=True)
        for key, value in step.items():
            if key != "symbols":
                figures[f"n{n:03d}_{key}"] = value
        if step["book_lag_p99_ms"] > LAG_LIMIT_MS:
            break
        carried = n
    figures["symbols_carried_p99_under_100ms"] = float(carried)
    if carried and profile_window_s > 0:
        sampler = CpuSampler()
        step = await measure(carried, profile_window_s, sampler=sampler)
        print(f"where the engine process's CPU goes at N={carried} ({sum(sampler.counts.values()):.0f} CPU-ms "
              f"sampled, each thread's to its own frame, over {profile_window_s:g} s; CPU "
              f"{step['engine_cpu_pct_of_core']:.0f}% of a core, lag p99 {step['book_lag_p99_ms']:.1f} ms):",
              file=sys.stderr)
        for name, pct in sampler.shares().items():
            print(f"  {pct:5.1f}%  {name}", file=sys.stderr)
            figures[f"where_pct_{_slug(name)}"] = pct
        total = sum(sampler.functions.values()) or 1
        print("  the functions most often on the CPU (innermost owned frame):", file=sys.stderr)
        for function, count in sorted(sampler.functions.items(), key=lambda kv: -kv[1])[:TOP_FUNCTIONS]:
            print(f"  {100 * count / total:5.1f}%  {function}", file=sys.stderr)
    return figures


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.split("(")[0].strip()).strip("_").lower()


def run(quick: bool = False, steps: tuple[int, ...] | None = None, window_s: float | None = None) -> dict[str, float]:
    """Step N up until the feed lag's p99 passes 100 ms; then sample where the time goes at
    the largest N carried. A step takes its window plus ~5-10 s (start, feeds live, warm-up)."""
    window = window_s if window_s is not None else (4.0 if quick else 10.0)
    print(build_line(), file=sys.stderr)
    started = time.monotonic()
    figures = asyncio.run(scan(steps or (QUICK_STEPS if quick else STEPS), window, window))
    figures["took_s"] = time.monotonic() - started
    print(f"took {figures['took_s']:.0f} s", file=sys.stderr)
    return figures


if __name__ == "__main__":
    parser = benchmark_parser(__file__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--steps", help="comma-separated symbol counts, e.g. 1,10,50")
    parser.add_argument("--window-s", type=float)
    args = parser.parse_args()
    chosen = tuple(int(v) for v in args.steps.split(",")) if args.steps else None
    for key, value in run(args.quick, chosen, args.window_s).items():
        print(f"{key:56s} {value:14,.3f}")
