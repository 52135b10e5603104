"""The live benchmark's CPU sampler charges each thread's CPU to that thread's own frames:
the signal lands on the main thread, but a writer thread's work is the writer's."""

from __future__ import annotations

import threading
import time

from benchmarks.bench_symbols_live import CpuSampler
from hft_tui.model import level_changes

OLD = [[100.0 - i, 1.0 + i] for i in range(20)]
NEW = [[100.5 - i, 2.0 + i] for i in range(20)]


def _market_work() -> None:
    for _ in range(30_000):
        level_changes(OLD, NEW)


def test_a_worker_threads_cpu_is_charged_to_its_frames_not_to_the_idle_main_thread() -> None:
    sampler = CpuSampler()
    worker = threading.Thread(target=_market_work)
    sampler.start()
    try:
        worker.start()
        while worker.is_alive():
            time.sleep(0.001)  # the main thread waits: almost no CPU of its own
    finally:
        sampler.stop()
    shares = sampler.shares()
    # hft_tui/model/ is "ours: core and the rest"; the main thread's frames are the test's ("other").
    assert shares.get("ours: core and the rest", 0.0) > 80.0, shares
