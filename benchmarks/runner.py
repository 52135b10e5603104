"""Run one benchmark module in a fresh process and bring back its figures and peak RSS."""

from __future__ import annotations

import importlib
import multiprocessing
import queue as queue_module
import resource

BENCH_TIMEOUT_S = 1800.0


def child_main(module_name: str, quick: bool, results: multiprocessing.Queue) -> None:
    module = importlib.import_module(f"benchmarks.{module_name}")
    figures = module.run(quick=quick)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.put((figures, peak_kib / 1024.0))


def run_once(module_name: str, quick: bool) -> tuple[dict[str, float], float]:
    """Figures of one run of ``benchmarks/<module_name>.py`` and its peak RSS in MB."""
    ctx = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = ctx.Queue()
    process = ctx.Process(target=child_main, args=(module_name, quick, results))
    process.start()
    try:
        figures, peak_mb = results.get(timeout=BENCH_TIMEOUT_S)
    except queue_module.Empty:
        process.kill()
        raise RuntimeError(f"{module_name} produced no figures (exit code {process.exitcode})") from None
    finally:
        process.join(10)
    return figures, peak_mb
