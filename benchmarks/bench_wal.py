"""WAL benchmark: group-committed append throughput, durable-append latency, verify/recovery time.

Run ``python benchmarks/bench_wal.py [--quick]``; the benchmark runner imports ``run``.
Everything happens in a temporary directory on the same filesystem as ``$TMPDIR``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.arguments import benchmark_parser
from hft_tui.bus import Metrics
from hft_tui.clock import SimulatedClock, WallClock
from hft_tui.wal.reader import iter_records
from hft_tui.wal.torn_tail import recover
from hft_tui.wal.verify import verify
from hft_tui.wal.writer import WalWriter

_EVENTS_PER_YIELD = 1_000  # an engine yields to the loop between market events
_START_NS = 1_767_225_600_000_000_000


def _payloads(count: int) -> list[tuple[str, dict[str, Any]]]:
    """A realistic mix: book summaries, signals, decisions, orders and fills."""
    mix: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        mid = 64_000.0 + (i % 97) * 0.5
        kind = i % 5
        if kind == 0:
            mix.append(("book", {"symbol": "BTC/USDT", "bid": mid - 0.5, "ask": mid + 0.5, "bid_qty": 1.25,
                                 "ask_qty": 0.75, "imbalance": 0.25, "spread_bps": 0.16}))
        elif kind == 1:
            mix.append(("signal", {"strategy": "cvd", "symbol": "BTC/USDT", "side": "buy", "confidence": 0.72,
                                   "reason": "CVD_BULL_DIV", "price": mid}))
        elif kind == 2:
            mix.append(("decision", {"strategy": "cvd", "symbol": "BTC/USDT", "action": "enter", "side": "buy",
                                     "qty": 0.01, "reason": "CVD_BULL_DIV"}))
        elif kind == 3:
            mix.append(("order", {"client_id": f"c-{i:08d}", "symbol": "BTC/USDT", "side": "buy", "order_type": "limit",
                                  "qty": 0.01, "price": mid, "reduce_only": False}))
        else:
            mix.append(("fill", {"order_id": f"c-{i:08d}", "symbol": "BTC/USDT", "side": "buy", "price": mid,
                                 "qty": 0.01, "fee_usd": 0.0128, "liquidity": "maker"}))
    return mix


async def _append_run(directory: Path, n: int, payloads: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    metrics = Metrics()
    wal = WalWriter(directory, WallClock(), metrics=metrics)
    await wal.start()
    count = len(payloads)
    cpu_started = time.process_time()
    started = time.perf_counter()
    for i in range(n):
        record_type, payload = payloads[i % count]
        wal.append(record_type, payload)
        if i % _EVENTS_PER_YIELD == _EVENTS_PER_YIELD - 1:
            await asyncio.sleep(0)
    appended = time.perf_counter()
    await wal.flush()  # the figure counts only records that are durable
    durable = time.perf_counter()
    cpu_s = time.process_time() - cpu_started  # both threads: the loop's appends and the fsync thread
    await wal.close()
    return {
        "records_per_s": n / (durable - started),
        "records_per_cpu_s": n / cpu_s,
        "append_us": (appended - started) / n * 1e6,
        "fsync_ms": metrics.wal_fsync_ms,
    }


async def _durable_latency(directory: Path, n: int) -> list[float]:
    """Milliseconds for each of ``n`` sequential append_durable calls (a kill, an order intent)."""
    latencies = []
    async with WalWriter(directory, WallClock()) as wal:
        for i in range(n):
            started = time.perf_counter()
            await wal.append_durable("order", {"client_id": f"c-{i}", "symbol": "BTC/USDT", "qty": 0.01})
            latencies.append((time.perf_counter() - started) * 1e3)
    return latencies


def _write_big_wal(directory: Path, n: int, payloads: list[tuple[str, dict[str, Any]]]) -> None:
    clock = SimulatedClock(_START_NS)
    count = len(payloads)
    with WalWriter(directory, clock) as wal:
        for i in range(n):
            clock.advance_to(_START_NS + i * 1_000)
            record_type, payload = payloads[i % count]
            wal.append(record_type, payload)
            if i % 50_000 == 49_999:
                wal.sync()


def _timed(fn: Any, *args: Any) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds and the result of ``fn(*args)``."""
    cpu_started = time.process_time()
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, time.process_time() - cpu_started, result


def run(quick: bool = False) -> dict[str, float]:
    """Measure the WAL; quick mode uses 100k records instead of 1M and a single append run."""
    n_append = 300_000 if quick else 1_000_000
    n_verify = 100_000 if quick else 1_000_000
    append_runs = 1 if quick else 3
    payloads = _payloads(1_000)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-wal-") as tmp:
        root = Path(tmp)
        runs = [asyncio.run(_append_run(root / f"append-{k}", n_append, payloads)) for k in range(append_runs)]
        # Median of the runs: the machine is shared, one unlucky run should not set the figure.
        results["wal_append_records_per_s"] = statistics.median(r["records_per_s"] for r in runs)
        # Throughput if the process had the CPU to itself: on a shared box the wall figure
        # also measures the neighbours.
        results["wal_append_records_per_cpu_s"] = statistics.median(r["records_per_cpu_s"] for r in runs)
        results["wal_append_us_per_record"] = statistics.median(r["append_us"] for r in runs)
        results["wal_last_fsync_ms"] = runs[-1]["fsync_ms"]

        latencies = sorted(asyncio.run(_durable_latency(root / "durable", 100 if quick else 500)))
        results["wal_durable_append_p50_ms"] = latencies[len(latencies) // 2]
        results["wal_durable_append_p99_ms"] = latencies[int(len(latencies) * 0.99) - 1]

        big = root / "big"
        _write_big_wal(big, n_verify, payloads)
        verify_s, verify_cpu_s, verified = _timed(verify, big)
        if not verified.ok or verified.records != n_verify:
            raise RuntimeError(f"benchmark WAL failed verification: {verified}")
        recover_s, _, _ = _timed(recover, big)
        iter_s, _, _ = _timed(lambda: sum(1 for _ in iter_records(big)))
        results["wal_verify_records"] = float(n_verify)
        results["wal_verify_mib"] = verified.total_bytes / 2**20
        results["wal_verify_s"] = verify_s
        results["wal_verify_cpu_s"] = verify_cpu_s
        results["wal_recover_s"] = recover_s
        results["wal_iter_records_s"] = iter_s
        if n_verify == 1_000_000:
            results["wal_verify_1m_s"] = verify_s
            results["wal_recover_1m_s"] = recover_s
    return results


def main() -> None:
    parser = benchmark_parser(__file__, __doc__)
    parser.add_argument("--quick", action="store_true", help="100k-record WAL, one append run")
    args = parser.parse_args()
    for key, value in run(quick=args.quick).items():
        print(f"{key:30} {value:,.3f}")


if __name__ == "__main__":
    main()
