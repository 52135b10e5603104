"""Closing a symbol reduce-only: work while lots are left, done when flat, given up past the
deadline; a new start moves the deadline."""

from __future__ import annotations

from hft_tui.model import ReasonCode
from hft_tui.trading.flatten_work import FLATTEN_DEADLINE_NS, FlattenStep, FlattenWork

T0 = 1_000


def test_a_symbol_is_worked_until_flat_or_given_up_past_its_deadline() -> None:
    work = FlattenWork()
    assert not work and work.step("BTC", T0, 3) == (FlattenStep.NOTHING, None)
    work.start("BTC", ReasonCode.KILL, T0)
    work.start("ETH", ReasonCode.FLATTEN, T0)
    assert work and "BTC" in work
    step, target = work.step("BTC", T0 + FLATTEN_DEADLINE_NS, 3)
    assert step is FlattenStep.WORK and target is not None and target.reason is ReasonCode.KILL
    assert work.step("BTC", T0 + 5, 0)[0] is FlattenStep.DONE and "BTC" not in work
    assert work.step("ETH", T0 + FLATTEN_DEADLINE_NS + 1, 2)[0] is FlattenStep.EXPIRED and not work


def test_starting_again_moves_the_deadline() -> None:
    work = FlattenWork()
    work.start("BTC", ReasonCode.TAKE_PROFIT, T0)
    work.start("BTC", ReasonCode.KILL, T0 + FLATTEN_DEADLINE_NS)
    step, target = work.step("BTC", T0 + FLATTEN_DEADLINE_NS + 1, 1)
    assert step is FlattenStep.WORK and target is not None and target.reason is ReasonCode.KILL
