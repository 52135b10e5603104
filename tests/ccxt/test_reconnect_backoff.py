"""Reconnect backoff: exponential caps, full jitter, reproducible with a seed."""

from __future__ import annotations

import random

import pytest

from hft_tui.market.backoff import Backoff


def test_delays_stay_under_a_doubling_cap_that_stops_at_the_maximum() -> None:
    backoff = Backoff(base_ms=100, max_ms=1000, rng=random.Random(1))
    caps = []
    for _ in range(8):
        caps.append(backoff.cap_ms())
        assert 0.0 <= backoff.next_delay_s() <= caps[-1] / 1000
    assert caps == [100, 200, 400, 800, 1000, 1000, 1000, 1000]


def test_jitter_spreads_delays_over_the_whole_range() -> None:
    delays = []
    for seed in range(200):
        backoff = Backoff(base_ms=100, max_ms=100, rng=random.Random(seed))
        delays.append(backoff.next_delay_s())
    assert min(delays) < 0.01 and max(delays) > 0.09


def test_same_seed_same_delays_and_reset_starts_over() -> None:
    a = Backoff(50, 5000, rng=random.Random(42))
    b = Backoff(50, 5000, rng=random.Random(42))
    assert [a.next_delay_s() for _ in range(6)] == [b.next_delay_s() for _ in range(6)]
    a.reset()
    assert a.attempt == 0 and a.cap_ms() == 50


def test_a_long_outage_does_not_overflow() -> None:
    backoff = Backoff(10, 60_000, rng=random.Random(0))
    backoff.attempt = 10_000
    assert backoff.cap_ms() == 60_000
    assert backoff.next_delay_s() <= 60.0


@pytest.mark.parametrize(("base", "maximum"), [(0, 100), (-1, 100), (200, 100)])
def test_nonsense_bounds_are_refused(base: float, maximum: float) -> None:
    with pytest.raises(ValueError):
        Backoff(base, maximum)
