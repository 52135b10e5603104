"""Reconnect backoff: exponential growth with full jitter.

Full jitter (a uniform draw between zero and the exponential cap) spreads the reconnects
of many clients that lost the same exchange at the same instant, instead of having them
retry in lockstep. The random source is injected so tests and replays are reproducible.
"""

from __future__ import annotations

import random


class Backoff:
    """Delays for successive retries: ``uniform(0, min(max_ms, base_ms * 2**attempt))``."""

    def __init__(self, base_ms: float, max_ms: float, rng: random.Random | None = None) -> None:
        if base_ms <= 0 or max_ms < base_ms:
            raise ValueError(f"backoff needs 0 < base_ms <= max_ms, got {base_ms} and {max_ms}")
        self.base_ms = base_ms
        self.max_ms = max_ms
        self._rng = rng if rng is not None else random.Random()
        self.attempt = 0

    def cap_ms(self) -> float:
        """The upper bound of the next draw."""
        # min() before the power would overflow for long outages; clamp the exponent.
        return min(self.max_ms, self.base_ms * (2.0 ** min(self.attempt, 62)))

    def next_delay_s(self) -> float:
        """The delay before the next attempt, in seconds; each call counts one attempt."""
        delay_ms = self._rng.uniform(0.0, self.cap_ms())
        self.attempt += 1
        return delay_ms / 1000.0

    def reset(self) -> None:
        """Start over after a success."""
        self.attempt = 0
