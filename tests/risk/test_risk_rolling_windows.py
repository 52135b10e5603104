"""Trailing-window statistics against brute-force references."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hft_tui.risk.rolling_windows import EventCounter, RollingMax, RollingPopulationStd

WINDOW_NS, BUCKET_NS = 10_000, 1_000

observations = st.lists(st.tuples(st.integers(0, 2_000), st.floats(-1e6, 1e6)), max_size=80).map(
    lambda obs: [(ts, v) for ts, v in sorted(obs, key=lambda o: o[0])]
)


@given(observations.map(lambda obs: [(i * 300 + ts, v) for i, (ts, v) in enumerate(obs)]))
def test_rolling_max_never_understates_and_overstates_by_at_most_one_bucket(obs: list[tuple[int, float]]) -> None:
    window = RollingMax(WINDOW_NS, BUCKET_NS)
    for i, (ts, value) in enumerate(obs):
        window.push(value, ts)
        got = window.max(ts)
        exact = max(v for t, v in obs[: i + 1] if t > ts - WINDOW_NS)
        loose = max(v for t, v in obs[: i + 1] if t > ts - WINDOW_NS - 2 * BUCKET_NS)
        assert got is not None and exact <= got <= loose


def test_rolling_max_forgets_everything_after_the_window() -> None:
    window = RollingMax(WINDOW_NS, BUCKET_NS)
    window.push(5.0, 0)
    assert window.max(WINDOW_NS) == 5.0
    assert window.max(WINDOW_NS + 2 * BUCKET_NS) is None


def test_rolling_max_keeps_memory_bounded_by_the_number_of_buckets() -> None:
    window = RollingMax(WINDOW_NS, BUCKET_NS)
    for ts in range(0, 100_000, 7):
        window.push(-float(ts), ts)  # a falling series is the monotonic deque's worst case
        window.max(ts)
    assert len(window._values) <= WINDOW_NS // BUCKET_NS + 2


def test_event_counter_counts_the_window_and_caps_its_memory() -> None:
    counter = EventCounter(window_ns=100, cap=5)
    for ts in (0, 10, 20):
        counter.add(ts)
    assert counter.count(50) == 3
    assert counter.count(110) == 1  # the window is (10, 110]: only the event at 20 is left
    for ts in range(200, 300):
        counter.add(ts)
    assert counter.count(299) == 5


@given(st.lists(st.floats(-1e-2, 1e-2), min_size=2, max_size=300), st.integers(2, 50))
def test_rolling_std_matches_numpy_over_the_last_samples(samples: list[float], size: int) -> None:
    std = RollingPopulationStd(size)
    for x in samples:
        std.push(x)
    expected = float(np.std(samples[-size:]))
    assert abs(std.std() - expected) <= 1e-9 + 1e-6 * expected
