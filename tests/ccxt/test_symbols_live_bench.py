"""The live symbol-scale benchmark's harness works: a feed process, a paper engine, figures.

Behaviour only (benchmarks/bench_symbols_live.py gives the figures): two symbols for a
couple of seconds reach the engine's core from a loopback feed in a process of its own.
"""

from __future__ import annotations

import math

import pytest

from benchmarks.bench_symbols_live import CpuSampler, measure


@pytest.mark.slow
async def test_two_symbols_stream_from_the_feed_process_through_the_paper_engine() -> None:
    sampler = CpuSampler()
    step = await measure(2, 2.0, sampler=sampler)
    assert step["symbols"] == 2
    assert step["diffs_sent_per_s"] > 0
    assert step["books_taken_per_s"] > 0
    assert step["events_per_s"] >= step["books_taken_per_s"]
    assert not math.isnan(step["book_lag_p99_ms"]) and step["book_lag_p50_ms"] <= step["book_lag_p99_ms"]
    assert step["engine_cpu_pct_of_core"] > 0
    assert sum(sampler.counts.values()) > 0
