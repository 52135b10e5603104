"""The live benchmark's CPU sampler charges each thread's CPU to that thread's own frames:
the signal lands on the main thread, but a writer thread's work is the writer's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from benchmarks.bench_symbols_live import CpuSampler

# The worker's busy loop, as Python code filed under hft_tui/ (the sampler charges by a frame's
# file): any real module of ours may be compiled, and compiled code has no frame to charge.
_WORK = """
def market_work():
    total = 0.0
    for i in range(3_000_000):
        total += i * 0.5
    return total
"""


def _work_filed_under_hft_tui() -> Callable[[], float]:
    namespace: dict[str, object] = {}
    exec(compile(_WORK, "/somewhere/hft_tui/sampled_work.py", "exec"), namespace)
    return namespace["market_work"]  # type: ignore[return-value]


def test_a_worker_threads_cpu_is_charged_to_its_frames_not_to_the_idle_main_thread() -> None:
    sampler = CpuSampler()
    worker = threading.Thread(target=_work_filed_under_hft_tui())
    sampler.start()
    try:
        worker.start()
        while worker.is_alive():
            time.sleep(0.001)  # the main thread waits: almost no CPU of its own
    finally:
        sampler.stop()
    shares = sampler.shares()
    # hft_tui/sampled_work.py is "ours: core and the rest"; the main thread's frames are the
    # test's ("other").
    assert shares.get("ours: core and the rest", 0.0) > 80.0, shares
