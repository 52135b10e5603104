"""A seeded fuzzer over the three entry points of market data (ccxt conversion, the ccxt
source's handlers, the trading core): 100,000 calm and broken messages, and not one
exception escapes, not one broken message reaches a strategy, not one order is placed."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hft_tui.hostile_input import HostileTally, run_hostile_input

EXAMPLES = 50
MESSAGES_PER_EXAMPLE = 2_000  # 100,000 messages in all
TOTAL = HostileTally()


@settings(max_examples=EXAMPLES, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), hostile_share=st.sampled_from([0.25, 0.5, 0.75, 1.0]))
def test_hostile_messages_never_escape_never_reach_a_strategy_and_never_trade(seed: int,
                                                                             hostile_share: float) -> None:
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        tally = run_hostile_input(MESSAGES_PER_EXAMPLE, seed=seed, wal_dir=Path(tmp) / "wal",
                                  hostile_share=hostile_share)
    TOTAL.add(tally)
    assert tally.escaped == 0, tally.escaped_examples
    assert tally.must_reject_accepted == 0, tally.accepted_families
    assert tally.orders == 0
    # A sanitizer that rejected everything would pass the lines above: valid messages flow.
    assert tally.valid_reached_strategies >= 0.7 * tally.valid


def test_the_fuzzer_pushed_at_least_100_000_messages_with_both_kinds_in_numbers() -> None:
    if TOTAL.messages == 0:  # run alone: push the same examples again
        test_hostile_messages_never_escape_never_reach_a_strategy_and_never_trade()
    assert TOTAL.messages >= 100_000
    assert TOTAL.must_reject >= 40_000 and TOTAL.valid >= 20_000
