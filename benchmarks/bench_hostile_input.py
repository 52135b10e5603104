"""Hostile market input: 1,000,000 seeded messages, calm and broken, through the three entry
points (ccxt conversion, the ccxt source's handlers, the trading core); ``--quick`` uses
100,000. Ten runs of a tenth each, every run a fresh core and source with its own seed and
share of broken messages (25% to 100%).

- ``hostile_escaped_exceptions``: exceptions that escaped an entry point (target 0).
- ``hostile_must_reject_accepted``: broken messages that reached a strategy (target 0).
- ``hostile_orders_placed``: orders placed during the run (target 0; the calm part of the
  input gives the strategies nothing to trade on).
- ``hostile_valid_reached_strategies``: calm messages that reached the strategies, so a
  sanitizer that rejected everything would show.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hft_tui.hostile_input import HostileTally, run_hostile_input

RUNS = 10
SHARES = (0.25, 0.5, 0.75, 1.0)


def run(quick: bool = False) -> dict[str, float]:
    """Push the messages; the tally as figures (examples of escapes are printed)."""
    per_run = (100_000 if quick else 1_000_000) // RUNS
    total = HostileTally()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        for i in range(RUNS):
            total.add(run_hostile_input(per_run, seed=1_000 + i, wal_dir=Path(tmp) / f"wal{i}",
                                        hostile_share=SHARES[i % len(SHARES)]))
    elapsed = time.perf_counter() - started
    for example in total.escaped_examples:
        print(f"escaped: {example}")
    for family, count in total.accepted_families.most_common():
        print(f"must-reject accepted: {family} x{count}")
    return {
        "hostile_messages": float(total.messages),
        "hostile_must_reject": float(total.must_reject),
        "hostile_escaped_exceptions": float(total.escaped),
        "hostile_must_reject_accepted": float(total.must_reject_accepted),
        "hostile_orders_placed": float(total.orders),
        "hostile_valid": float(total.valid),
        "hostile_valid_reached_strategies": float(total.valid_reached_strategies),
        "hostile_rejections_counted": float(total.rejected),
        "hostile_messages_per_s": total.messages / elapsed,
    }
